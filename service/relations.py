"""/v1/governments/{id}/relations: who recognizes a government, who exchanged envoys.

The answer is derived on each request from the records, in a fixed number of queries
(the government, its recognitions, its exchanges, and their sources), whatever the
number of countries. "In force" is decided in SQL by ``service.in_force``.

Per country, first match wins:
1. ``recognized``: a recognition is in force;
2. ``ambassadors_exchanged``: ambassador rank in force in both directions;
3. ``limited_relations``: some accreditation in force;
4. ``none``: nothing in force.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional

import pycountry
from flask_smorest import abort
from sqlalchemy import select

from .api import Blueprint
from .countries import UnknownCountry, canonical_alpha2
from .extensions import db
from .governments import get_or_404 as get_government_or_404
from .in_force import in_force_on, known_from
from .models import EXCHANGE_DIRECTIONS, EXCHANGE_RANKS, AmbassadorExchange, Government, Recognition, Source
from .representations import csv_response, json_only, wants_csv
from .schemas import CATEGORIES, RelationQuery, RelationsQuery, RelationsSchema, SingleRelationSchema

blp = Blueprint(
    "relations",
    __name__,
    url_prefix="/v1/governments",
    description="The derived status: per country, recognized, ambassadors exchanged, limited relations or none.",
)

RANK_ORDER = {rank: position for position, rank in enumerate(EXCHANGE_RANKS)}  # ambassador first
FORM_ORDER = {"de_jure": 0, "de_facto": 1}
CSV_COLUMNS = (
    "country", "country_name", "category", "recognition_form", "recognition_start",
    "envoy_government_to_country", "envoy_country_to_government", "sources",
)


@dataclass
class CountryRelation:
    country: str
    recognitions_in_force: list[Recognition] = field(default_factory=list)
    exchanges_in_force: list[AmbassadorExchange] = field(default_factory=list)

    @property
    def recognition(self) -> Optional[Recognition]:
        if not self.recognitions_in_force:
            return None
        # De jure before de facto; then the most recently begun.
        return sorted(
            self.recognitions_in_force,
            key=lambda r: (FORM_ORDER[r.form], -(r.start_earliest or dt.date.min).toordinal(), r.id),
        )[0]

    def envoy_rank(self, direction: str) -> Optional[str]:
        ranks = [e.rank for e in self.exchanges_in_force if e.direction == direction]
        return min(ranks, key=RANK_ORDER.__getitem__) if ranks else None

    @property
    def category(self) -> str:
        if self.recognition is not None:
            return "recognized"
        if all(self.envoy_rank(direction) == "ambassador" for direction in EXCHANGE_DIRECTIONS):
            return "ambassadors_exchanged"
        if self.exchanges_in_force:
            return "limited_relations"
        return "none"

    def sources(self) -> list[Source]:
        cited = {}
        records = ([self.recognition] if self.recognition else []) + self.exchanges_in_force
        for record in records:
            for source in record.sources:
                cited[source.id] = source
        return [cited[key] for key in sorted(cited)]


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def relation_row(relation: CountryRelation) -> dict[str, Any]:
    recognition = relation.recognition
    return {
        "country": relation.country,
        "country_name": country_name(relation.country),
        "category": relation.category,
        "recognition": recognition,
        "envoys": {direction: relation.envoy_rank(direction) for direction in EXCHANGE_DIRECTIONS},
        "exchanges": sorted(relation.exchanges_in_force, key=lambda e: (e.direction, e.id)),
        "sources": relation.sources(),
    }


def build_relations(government: Government, as_of: dt.date, only_country: Optional[str] = None) -> dict[str, Any]:
    """Every country with a record for ``government``, classified as of ``as_of``."""
    by_country: dict[str, CountryRelation] = {}
    started: list[tuple[dt.date, dt.date, str, Recognition]] = []

    def relation_for(country: str) -> CountryRelation:
        return by_country.setdefault(country, CountryRelation(country))

    for model in (Recognition, AmbassadorExchange):
        statement = select(
            model, in_force_on(model, as_of).label("in_force"), known_from(model).label("known_from")
        ).where(model.government_id == government.id)
        if only_country:
            statement = statement.where(model.country == only_country)
        for record, in_force, known in db.session.execute(statement.order_by(model.id)):
            relation = relation_for(record.country)
            if model is Recognition and known is not None and known <= as_of:
                started.append((known, record.start_earliest or known, record.country, record))
            if in_force:
                target = relation.recognitions_in_force if model is Recognition else relation.exchanges_in_force
                target.append(record)

    rows = [relation_row(by_country[code]) for code in sorted(by_country)]
    counts = dict.fromkeys(CATEGORIES, 0)
    for row in rows:
        counts[row["category"]] += 1
    first = None
    if started:
        known, _, country, recognition = min(started, key=lambda item: item[:3])
        first = {
            "country": country,
            "start": recognition.start if recognition.start else known.isoformat(),
            "recognition": recognition.id,
            "sources": list(recognition.sources),
        }
    return {
        "government": {"id": government.id, "name": government.name},
        "as_of": as_of,
        "counts": counts,
        "first_recognized_by": first,
        "items": rows,
    }


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    recognition = row["recognition"]
    return {
        "country": row["country"],
        "country_name": row["country_name"],
        "category": row["category"],
        "recognition_form": recognition.form if recognition else None,
        "recognition_start": recognition.start if recognition else None,
        "envoy_government_to_country": row["envoys"]["government_to_country"],
        "envoy_country_to_government": row["envoys"]["country_to_government"],
        "sources": [source.id for source in row["sources"]],
    }


@blp.route("/<string:government_id>/relations")
@blp.arguments(RelationsQuery, location="query")
@blp.response(200, RelationsSchema)
def get_relations(args, government_id: str):
    """Relations of a government with every country

    One row per country that has any recognition or accreditation record with the
    government, classified as of `as_of` (default today, UTC): `recognized`,
    `ambassadors_exchanged`, `limited_relations` or `none`, with the records in force
    and the sources behind them. `counts` tallies the categories;
    `first_recognized_by` is the earliest recognition begun by `as_of`.
    """
    government = get_government_or_404(government_id)
    csv = wants_csv(args.get("format"))
    answer = build_relations(government, args.get("as_of") or today())
    if csv:
        return csv_response(CSV_COLUMNS, (csv_row(row) for row in answer["items"]), f"relations-{government.id}")
    return answer, 200, {"Vary": "Accept"}


@blp.route("/<string:government_id>/relations/<string:country>")
@blp.arguments(RelationQuery, location="query")
@blp.response(200, SingleRelationSchema)
@json_only
def get_relation(args, government_id: str, country: str):
    """Relation of a government with one country

    The same row as in the full answer; a country without any record answers
    `category: none` (not 404). The country takes alpha-2 or alpha-3 in any case.
    """
    government = get_government_or_404(government_id)
    try:
        code = canonical_alpha2(country)
    except UnknownCountry as error:
        abort(404, message=str(error))
    as_of = args.get("as_of") or today()
    answer = build_relations(government, as_of, only_country=code)
    row = answer["items"][0] if answer["items"] else relation_row(CountryRelation(code))
    return {**row, "government": answer["government"], "as_of": as_of}


