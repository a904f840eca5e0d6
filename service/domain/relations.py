"""How one government's records add up to its relation with each country, on a day.

Each record is ``in_force``, ``possibly_in_force`` or ``not_in_force`` on the day
(``service.domain.in_force``). The category comes from the records in force alone,
first match wins:

1. ``recognized``: a recognition;
2. ``ambassadors_exchanged``: ambassador rank in both directions;
3. ``limited_relations``: some other accreditation;
4. ``none``: nothing.

``possible_category`` is the category if every record possibly in force were in force.
Adding records can only lift a category, so the category is ``established`` when the
two agree and ``uncertain`` when they differ; a pair with no record at all is
``no_records``. The classification works on the records' wire representation (as the
API shows them) plus their day bounds, however they were loaded: from the tables or
replayed from the change log (``service.store.relations``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .countries import ENGLISH, country_name
from .dates import parse_bounds
from .in_force import IN_FORCE, NOT_IN_FORCE, POSSIBLY_IN_FORCE, Span
from .vocabulary import CATEGORIES, EXCHANGE_DIRECTIONS, EXCHANGE_RANKS, FORCE_STATES

RANK_ORDER = {rank: position for position, rank in enumerate(EXCHANGE_RANKS)}  # ambassador first
FORM_ORDER = {"de_jure": 0, "de_facto": 1}
STATE_ORDER = {state: position for position, state in enumerate(FORCE_STATES)}
RECOGNITIONS = "recognitions"  # the collection a recognition is in; every other Fact is an exchange


@dataclass
class Fact:
    """A recognition or an exchange: its collection, wire form and the day bounds that decide its state."""

    resource: str
    data: dict[str, Any]
    start_earliest: dt.date | None
    start_latest: dt.date | None
    end_earliest: dt.date | None
    end_latest: dt.date | None

    @classmethod
    def from_wire(cls, resource: str, data: dict[str, Any]) -> Fact:
        start = parse_bounds(data["start"]) if data.get("start") else None
        end = parse_bounds(data["end"]) if data.get("end") else None
        return cls(
            resource, data, start and start.earliest, start and start.latest, end and end.earliest, end and end.latest
        )

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def is_recognition(self) -> bool:
        return self.resource == RECOGNITIONS

    def span(self, published: dict[str, dt.date | None]) -> Span:
        """Its bounds; an unknown start is bounded by the day its first citing source was surely out."""
        reported = None
        if self.start_latest is None:
            reported = min((published[s] for s in self.data["sources"] if published.get(s)), default=None)
        return Span(self.start_earliest, self.start_latest, self.end_earliest, self.end_latest, reported)


@dataclass
class Records:
    """What the answer is built from: one government's records and the sources they cite."""

    government: dict[str, Any]
    recognitions: list[Fact]
    exchanges: list[Fact]
    sources: dict[str, dict[str, Any]]
    published: dict[str, dt.date | None]

    def cited_sources(self) -> list[dict[str, Any]]:
        """The sources its recognitions and exchanges cite, once each, by publication."""
        cited = {source for fact in self.recognitions + self.exchanges for source in fact.data["sources"]}
        return by_publication(self.sources[s] for s in cited if s in self.sources)


def by_publication(sources: Iterable[Mapping[str, Any]]) -> list[Any]:
    """Sources in the order a reader lists them: by publication date (undated first), publisher, id."""
    return sorted(sources, key=lambda s: (s.get("published") or "", s["publisher"], s["id"]))


def category_of(facts: Iterable[Fact]) -> str:
    """The category the given records make if all of them are in force; first match wins."""
    ranks: dict[str, set[str]] = {direction: set() for direction in EXCHANGE_DIRECTIONS}
    any_exchange = False
    for fact in facts:
        if fact.is_recognition:
            return "recognized"
        ranks[fact.data["direction"]].add(fact.data["rank"])
        any_exchange = True
    if all("ambassador" in held for held in ranks.values()):
        return "ambassadors_exchanged"
    return "limited_relations" if any_exchange else "none"


def deciding(facts: list[Fact], category: str) -> list[Fact]:
    """The records among ``facts`` that make ``category``."""
    if category == "recognized":
        return [f for f in facts if f.is_recognition]
    if category == "ambassadors_exchanged":
        return [f for f in facts if not f.is_recognition and f.data["rank"] == "ambassador"]
    if category == "limited_relations":
        return [f for f in facts if not f.is_recognition]
    return []


def status_on(spans: dict[str, Span], facts: list[Fact], day: dt.date) -> tuple[str, str]:
    """The pair's category on ``day`` and its possible category."""
    states = {f.id: spans[f.id].state_on(day) for f in facts}
    held = [f for f in facts if states[f.id] == IN_FORCE]
    return category_of(held), category_of(f for f in facts if states[f.id] != NOT_IN_FORCE)


def established_since(spans: dict[str, Span], facts: list[Fact], day: dt.date) -> dt.date | None:
    """The first day of the run, ending on ``day``, over which the pair's status stays what
    it is on ``day``; None when that run reaches back past every date the records give.

    States change only on the records' bound days, so the pair is classified once per
    such day, oldest first.
    """
    now = status_on(spans, facts, day)
    days = sorted({d for f in facts for d in spans[f.id].change_days() if d <= day})
    if not days:
        return None
    previous = status_on(spans, facts, days[0] - dt.timedelta(days=1)) if days[0] > dt.date.min else None
    run_start = None
    for change_day in days:
        current = status_on(spans, facts, change_day)
        if current != previous:
            run_start = change_day if current == now else None
        previous = current
    return run_start


def relation_row(
    country: str,
    facts: list[Fact],
    sources: dict[str, dict[str, Any]],
    published: dict[str, dt.date | None],
    day: dt.date,
    languages: Sequence[str] = (ENGLISH,),
) -> dict[str, Any]:
    """One country's row: the category from the records in force, how sure it is, and why;
    the country's name in the first of ``languages`` that has it."""
    spans = {f.id: f.span(published) for f in facts}
    states = {f.id: spans[f.id].state_on(day) for f in facts}
    held = [f for f in facts if states[f.id] == IN_FORCE]
    possible = [f for f in facts if states[f.id] == POSSIBLY_IN_FORCE]
    category, possible_category = category_of(held), category_of(held + possible)
    if not facts:
        certainty = "no_records"
    else:
        certainty = "established" if possible_category == category else "uncertain"
    if certainty == "uncertain":
        basis = deciding(held, category) + [f for f in deciding(held + possible, possible_category) if f in possible]
    elif category == "none":
        basis = list(facts)  # every record is known not to be in force that day
    else:
        basis = deciding(held, category)
    basis.sort(key=lambda f: (STATE_ORDER[states[f.id]], f.resource, f.id))
    known_since = established_since(spans, facts, day) if certainty == "established" else None

    exchanges = sorted((f for f in held if not f.is_recognition), key=lambda f: (f.data["direction"], f.id))
    # De jure before de facto; then the most recently begun.
    recognition = min(
        (f for f in held if f.is_recognition),
        key=lambda f: (FORM_ORDER[f.data["form"]], -(f.start_earliest or dt.date.min).toordinal(), f.id),
        default=None,
    )
    envoys = {
        direction: min(
            (f.data["rank"] for f in exchanges if f.data["direction"] == direction),
            key=RANK_ORDER.__getitem__,
            default=None,
        )
        for direction in EXCHANGE_DIRECTIONS
    }
    shown = ([recognition] if recognition else []) + exchanges + basis
    cited = sorted({source for fact in shown for source in fact.data["sources"]})
    return {
        "country": country,
        "country_name": country_name(country, languages),
        "category": category,
        "recognition": recognition.data if recognition else None,
        "envoys": envoys,
        "exchanges": [f.data for f in exchanges],
        "sources": [sources[source] for source in cited if source in sources],
        "certainty": certainty,
        "possible_category": possible_category,
        "basis": [{"id": f.id, "resource": f.resource, "state": states[f.id]} for f in basis],
        "known_since": known_since.isoformat() if known_since else None,
    }


def surely_begun(span: Span) -> dt.date | None:
    """The day by which a record had surely begun: its start's latest day, else its first
    report; and a record that ended had begun by its end's latest day at the latest."""
    days = [day for day in (span.begun_latest, span.end_latest) if day is not None]
    return min(days, default=None)


def first_recognition(records: Records, day: dt.date) -> dict[str, Any] | None:
    """The earliest recognition that had begun by ``day``, ended or not, and how sure that is.

    The earliest of those surely begun (by the day it had surely begun) is named; it is
    ``uncertain`` when another country's recognition may have begun before that day.
    With none surely begun, the one that may have begun earliest is named,
    ``uncertain``; None when no recognition can have begun by ``day``.
    """
    spans = [(fact, fact.span(records.published)) for fact in records.recognitions]
    maybe = [(f, s) for f, s in spans if s.begun_earliest is None or s.begun_earliest <= day]
    begun = [(f, s, surely_begun(s)) for f, s in maybe]
    begun = [(f, s, by) for f, s, by in begun if by is not None and by <= day]
    if begun:
        fact, span, by = min(begun, key=lambda item: (item[2], item[0].data["country"], item[0].id))
        rivals = [
            s
            for f, s in maybe
            if f.data["country"] != fact.data["country"] and (s.begun_earliest is None or s.begun_earliest < by)
        ]
        certainty = "uncertain" if rivals else "established"
        surely_by = by
    elif maybe:
        fact, span = min(
            maybe, key=lambda item: (item[1].begun_earliest or dt.date.min, item[0].data["country"], item[0].id)
        )
        certainty = "uncertain"
        surely_by = None
    else:
        return None
    return {
        "country": fact.data["country"],
        "start": fact.data["start"],
        "recognition": fact.id,
        "sources": [records.sources[s] for s in sorted(fact.data["sources"]) if s in records.sources],
        "certainty": certainty,
        "known_since": surely_by.isoformat() if surely_by else None,
    }


def classify(
    records: Records, as_of: dt.date, only_country: str | None = None, languages: Sequence[str] = (ENGLISH,)
) -> dict[str, Any]:
    """The relations answer for ``as_of`` from already loaded records; country names in ``languages``."""
    by_country: dict[str, list[Fact]] = defaultdict(list)
    for fact in records.recognitions + records.exchanges:
        if not only_country or fact.data["country"] == only_country:
            by_country[fact.data["country"]].append(fact)
    rows = [
        relation_row(code, by_country[code], records.sources, records.published, as_of, languages)
        for code in sorted(by_country)
    ]
    counts = dict.fromkeys(CATEGORIES, 0)
    for row in rows:
        counts[row["category"]] += 1
    return {
        "government": {"id": records.government["id"], "name": records.government["name"]},
        "as_of": as_of.isoformat(),
        "counts": counts,
        "uncertain": sum(row["certainty"] == "uncertain" for row in rows),
        "first_recognized_by": first_recognition(records, as_of),
        "items": rows,
    }


def single_relation(
    records: Records, as_of: dt.date, country: str, languages: Sequence[str] = (ENGLISH,)
) -> dict[str, Any]:
    """The row of one country (``certainty: no_records`` without any record), with the answer's head."""
    answer = classify(records, as_of, only_country=country, languages=languages)
    row = answer["items"][0] if answer["items"] else relation_row(country, [], {}, {}, as_of, languages)
    return {**row, "government": answer["government"], "as_of": answer["as_of"]}


def today() -> dt.date:
    """The default day of an answer: today in UTC."""
    return dt.datetime.now(dt.UTC).date()
