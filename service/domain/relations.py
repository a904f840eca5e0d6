"""How one government's records add up to its relation with each country, on a day.

Per country, first match wins:

1. ``recognized``: a recognition is in force;
2. ``ambassadors_exchanged``: ambassador rank in force in both directions;
3. ``limited_relations``: some accreditation in force;
4. ``none``: nothing in force.

"In force on day D" is ``service.domain.in_force``. The classification works on the
records' wire representation (as the API shows them) plus their day bounds, however
they were loaded: from the tables or replayed from the change log
(``service.store.relations``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import in_force
from .countries import country_name
from .dates import parse_bounds
from .vocabulary import CATEGORIES, EXCHANGE_DIRECTIONS, EXCHANGE_RANKS

RANK_ORDER = {rank: position for position, rank in enumerate(EXCHANGE_RANKS)}  # ambassador first
FORM_ORDER = {"de_jure": 0, "de_facto": 1}


@dataclass
class Fact:
    """A recognition or an exchange: its wire form and the day bounds that decide force."""

    data: dict[str, Any]
    start_earliest: dt.date | None
    start_latest: dt.date | None
    end_earliest: dt.date | None

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Fact:
        start = parse_bounds(data["start"]) if data.get("start") else None
        end = parse_bounds(data["end"]) if data.get("end") else None
        return cls(data, start and start.earliest, start and start.latest, end and end.earliest)

    def known_from(self, published: dict[str, dt.date | None]) -> dt.date | None:
        """The first day it is known to be in force; a null start counts from its earliest source."""
        return in_force.known_from(self.start_latest, (published.get(source) for source in self.data["sources"]))

    def in_force(self, day: dt.date, published: dict[str, dt.date | None]) -> bool:
        return in_force.in_force(self.known_from(published), self.end_earliest, day)


@dataclass
class Records:
    """What the answer is built from: one government's records and the sources they cite."""

    government: dict[str, Any]
    recognitions: list[Fact]
    exchanges: list[Fact]
    sources: dict[str, dict[str, Any]]
    published: dict[str, dt.date | None]


@dataclass
class CountryRelation:
    country: str
    recognitions: list[Fact] = field(default_factory=list)
    exchanges: list[Fact] = field(default_factory=list)

    def recognition(self) -> Fact | None:
        # De jure before de facto; then the most recently begun.
        return min(
            self.recognitions,
            key=lambda f: (FORM_ORDER[f.data["form"]], -(f.start_earliest or dt.date.min).toordinal(), f.data["id"]),
            default=None,
        )

    def envoy_rank(self, direction: str) -> str | None:
        ranks = [f.data["rank"] for f in self.exchanges if f.data["direction"] == direction]
        return min(ranks, key=RANK_ORDER.__getitem__, default=None)

    def category(self) -> str:
        if self.recognitions:
            return "recognized"
        if all(self.envoy_rank(direction) == "ambassador" for direction in EXCHANGE_DIRECTIONS):
            return "ambassadors_exchanged"
        return "limited_relations" if self.exchanges else "none"

    def row(self, sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
        recognition = self.recognition()
        shown = ([recognition] if recognition else []) + self.exchanges
        cited = sorted({source for fact in shown for source in fact.data["sources"]})
        return {
            "country": self.country,
            "country_name": country_name(self.country),
            "category": self.category(),
            "recognition": recognition.data if recognition else None,
            "envoys": {direction: self.envoy_rank(direction) for direction in EXCHANGE_DIRECTIONS},
            "exchanges": [f.data for f in sorted(self.exchanges, key=lambda f: (f.data["direction"], f.data["id"]))],
            "sources": [sources[source] for source in cited if source in sources],
        }


def classify(records: Records, as_of: dt.date, only_country: str | None = None) -> dict[str, Any]:
    """The relations answer for ``as_of`` from already loaded records."""
    relations: dict[str, CountryRelation] = {}
    begun: list[tuple[dt.date, str, Fact]] = []
    for kind, facts in (("recognitions", records.recognitions), ("exchanges", records.exchanges)):
        for fact in facts:
            country = fact.data["country"]
            if only_country and country != only_country:
                continue
            relation = relations.setdefault(country, CountryRelation(country))
            if fact.in_force(as_of, records.published):
                getattr(relation, kind).append(fact)
            known = fact.known_from(records.published)
            if kind == "recognitions" and known is not None and known <= as_of:
                begun.append((known, country, fact))
    rows = [relations[code].row(records.sources) for code in sorted(relations)]
    counts = dict.fromkeys(CATEGORIES, 0)
    for row in rows:
        counts[row["category"]] += 1
    first = None
    if begun:
        known, country, fact = min(begun, key=lambda item: (item[0], item[1], item[2].data["id"]))
        first = {
            "country": country,
            "start": fact.data["start"] or known.isoformat(),
            "recognition": fact.data["id"],
            "sources": [records.sources[s] for s in sorted(fact.data["sources"]) if s in records.sources],
        }
    return {
        "government": {"id": records.government["id"], "name": records.government["name"]},
        "as_of": as_of.isoformat(),
        "counts": counts,
        "first_recognized_by": first,
        "items": rows,
    }


def single_relation(records: Records, as_of: dt.date, country: str) -> dict[str, Any]:
    """The row of one country (``category: none`` without any record), with the answer's head."""
    answer = classify(records, as_of, only_country=country)
    row = answer["items"][0] if answer["items"] else CountryRelation(country).row({})
    return {**row, "government": answer["government"], "as_of": answer["as_of"]}


def today() -> dt.date:
    """The default day of an answer: today in UTC."""
    return dt.datetime.now(dt.UTC).date()
