"""/v1/governments/{id}/relations: who recognizes a government, who exchanged envoys.

The answer is derived per request from the records: from the live tables in a fixed
number of queries, or, with ``as_known_at``, from the change log as it stood at that
moment. Both feed the same classification below, which works on the records' wire
representation plus their day bounds.

Per country, first match wins:
1. ``recognized``: a recognition is in force;
2. ``ambassadors_exchanged``: ambassador rank in force in both directions;
3. ``limited_relations``: some accreditation in force;
4. ``none``: nothing in force.

"In force on day D" is the rule documented in ``service.in_force`` (which also holds
its SQL form for the collections' ``as_of`` filters; a test keeps the two in step).
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

import orjson
import pycountry
from flask import Response, request
from flask_smorest import abort
from sqlalchemy import ColumnElement, or_, select, union
from werkzeug.exceptions import HTTPException

from .api import Blueprint
from .countries import UnknownCountry, canonical_alpha2
from .dates import parse_bounds
from .extensions import db
from .governments import get_or_404 as get_government_or_404
from .history import state_at
from .in_force import SOURCE_LINKS
from .models import EXCHANGE_DIRECTIONS, EXCHANGE_RANKS, AmbassadorExchange, Change, Recognition, Source
from .records_api import EXCHANGE_COLUMNS, RECOGNITION_COLUMNS, SOURCE_COLUMNS
from .representations import Linked, csv_lines, json_only, not_modified, safe_filename, versioned_etag, wants_csv
from .schemas import (
    CATEGORIES,
    RelationQuery,
    RelationsQuery,
    RelationsSchema,
    SingleRelationSchema,
)

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
class Fact:
    """A recognition or an exchange: its wire form and the day bounds that decide force."""

    data: dict[str, Any]
    start_earliest: Optional[dt.date]
    start_latest: Optional[dt.date]
    end_earliest: Optional[dt.date]

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> "Fact":
        start = parse_bounds(data["start"]) if data.get("start") else None
        end = parse_bounds(data["end"]) if data.get("end") else None
        return cls(data, start and start.earliest, start and start.latest, end and end.earliest)

    def known_from(self, published: dict[str, Optional[dt.date]]) -> Optional[dt.date]:
        """The first day it is known to be in force; a null start counts from its earliest source."""
        if self.start_latest is not None:
            return self.start_latest
        days = [published[source] for source in self.data["sources"] if published.get(source)]
        return min(days, default=None)

    def in_force(self, day: dt.date, published: dict[str, Optional[dt.date]]) -> bool:
        known = self.known_from(published)
        return known is not None and known <= day and (self.end_earliest is None or self.end_earliest > day)


@dataclass
class Records:
    """What the answer is built from: one government's records and the sources they cite."""

    government: dict[str, Any]
    recognitions: list[Fact]
    exchanges: list[Fact]
    sources: dict[str, dict[str, Any]]
    published: dict[str, Optional[dt.date]]


@dataclass
class CountryRelation:
    country: str
    recognitions: list[Fact] = field(default_factory=list)
    exchanges: list[Fact] = field(default_factory=list)

    def recognition(self) -> Optional[Fact]:
        # De jure before de facto; then the most recently begun.
        return min(
            self.recognitions,
            key=lambda f: (FORM_ORDER[f.data["form"]], -(f.start_earliest or dt.date.min).toordinal(), f.data["id"]),
            default=None,
        )

    def envoy_rank(self, direction: str) -> Optional[str]:
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


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def classify(records: Records, as_of: dt.date, only_country: Optional[str] = None) -> dict[str, Any]:
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


# The wire form of each record, column by column, as the collections read it
# (records_api; tests keep those equal to the schemas' dumps). The relations answer
# reads these columns straight into dicts, and each record's source ids apart.
WIRE_COLUMNS = {
    model: {name: column for name, column in columns.items() if not isinstance(column, Linked)}
    for model, columns in ((Recognition, RECOGNITION_COLUMNS), (AmbassadorExchange, EXCHANGE_COLUMNS))
}


def of_government(statement, model, government_id: str, only_country: Optional[str]):
    statement = statement.where(model.government_id == government_id)
    return statement.where(model.country == only_country) if only_country else statement


def wire_facts(model, government_id: str, only_country: Optional[str]) -> list[Fact]:
    """The government's records of one kind with the ids of the sources they cite: two queries."""
    link, record_key = SOURCE_LINKS[model]
    cited: dict[str, list[str]] = defaultdict(list)
    links = of_government(select(record_key, link.source_id).join(model, model.id == record_key),
                          model, government_id, only_country)
    for record_id, source_id in db.session.execute(links.order_by(record_key, link.source_id)):
        cited[record_id].append(source_id)
    columns = WIRE_COLUMNS[model]
    names = tuple(columns)
    rows = of_government(select(*columns.values(), model.start_earliest, model.start_latest, model.end_earliest),
                         model, government_id, only_country)
    facts = []
    for row in db.session.execute(rows.order_by(model.id)):
        data = dict(zip(names, row))
        data["sources"] = cited.get(data["id"], [])
        facts.append(Fact(data, *row[len(names):]))
    return facts


def cited_sources(government_id: str, only_country: Optional[str]) -> tuple[dict, dict]:
    """The sources any of the government's records cite, as wire dicts, and their latest published days."""
    cited_ids = union(*(
        of_government(select(link.source_id).join(model, model.id == record_key), model, government_id, only_country)
        for model, (link, record_key) in SOURCE_LINKS.items()
    )).subquery()
    names = tuple(SOURCE_COLUMNS)
    statement = select(*SOURCE_COLUMNS.values(), Source.published_latest).where(
        Source.id.in_(select(cited_ids.c[0])))
    sources, published = {}, {}
    for row in db.session.execute(statement):
        sources[row[0]] = dict(zip(names, row))
        published[row[0]] = row[len(names)]
    return sources, published


def live_records(government_id: str, only_country: Optional[str]) -> Records:
    """The government's records from the tables: a fixed number of queries."""
    government = get_government_or_404(government_id)
    sources, published = cited_sources(government.id, only_country)
    return Records(
        government={"id": government.id, "name": government.name},
        recognitions=wire_facts(Recognition, government.id, only_country),
        exchanges=wire_facts(AmbassadorExchange, government.id, only_country),
        sources=sources,
        published=published,
    )


def names_government(government_id: str) -> ColumnElement[bool]:
    """The changes that put a record in, or take it out of, the government's answer.

    A record's state at a moment is the ``after`` of its newest change by then. If
    that names the government, the change passes; if it does not, any earlier change
    that did name it was followed by one taking the record away (``before`` names the
    government), which passes too. So the narrowed replay ends with a state naming
    the government exactly when the full replay does.
    """
    return or_(Change.after["government"].as_string() == government_id,
               Change.before["government"].as_string() == government_id)


def known_records(government_id: str, moment: dt.datetime) -> Records:
    """The government's records as the change log had them at ``moment``: the replay
    reads only the changes of the government, its records and the sources they cite."""
    government = state_at(moment, ("governments",), Change.record_id == government_id)["governments"].get(
        government_id)
    if government is None:
        abort(404, message=f"No government had the id '{government_id}' at {moment.isoformat()}.")
    state = state_at(moment, ("recognitions", "ambassador-exchanges"), names_government(government_id))

    def facts_of(records: Iterable[dict]) -> list[Fact]:
        return [Fact.from_wire(r) for r in sorted(records, key=lambda r: r["id"]) if r["government"] == government_id]

    recognitions = facts_of(state["recognitions"].values())
    exchanges = facts_of(state["ambassador-exchanges"].values())
    cited = sorted({source for fact in recognitions + exchanges for source in fact.data["sources"]})
    sources = state_at(moment, ("sources",), Change.record_id.in_(cited))["sources"] if cited else {}
    return Records(
        government=government,
        recognitions=recognitions,
        exchanges=exchanges,
        sources=sources,
        published={key: parse_bounds(s["published"]).latest if s.get("published") else None for key, s in sources.items()},
    )


def load_records(government_id: str, args: dict, only_country: Optional[str] = None) -> Records:
    if args.get("as_known_at") is not None:
        return known_records(government_id, args["as_known_at"])
    return live_records(government_id, only_country)


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    recognition = row["recognition"] or {}
    return {
        "country": row["country"],
        "country_name": row["country_name"],
        "category": row["category"],
        "recognition_form": recognition.get("form"),
        "recognition_start": recognition.get("start"),
        "envoy_government_to_country": row["envoys"]["government_to_country"],
        "envoy_country_to_government": row["envoys"]["country_to_government"],
        "sources": [source["id"] for source in row["sources"]],
    }


class AnswerMemo:
    """Per worker: the validators it issued and the bodies of its last few answers.

    Widgets poll the same question. A validator names the request (path and query),
    the data version and the default day, so a remembered answer is never stale; and
    a validator this worker issued belongs to a request that already passed argument
    parsing, so the next such request can be answered before parsing again.
    """

    def __init__(self, bodies: int = 16, validators: int = 1024):
        self.bodies, self.validators = bodies, validators
        self.issued: "OrderedDict[str, dict[str, str]]" = OrderedDict()  # etag -> response headers
        self.answers: "OrderedDict[str, tuple[bytes, str]]" = OrderedDict()  # etag -> body, mimetype
        self.lock = threading.Lock()  # threaded workers share it

    def known(self, etag: str) -> tuple[Optional[dict[str, str]], Optional[tuple[bytes, str]]]:
        with self.lock:
            headers = self.issued.get(etag)
            answer = self.answers.get(etag)
            if answer is not None:
                self.answers.move_to_end(etag)
            return headers, answer

    def remember(self, etag: str, headers: dict[str, str], answer: Optional[tuple[bytes, str]] = None) -> None:
        with self.lock:
            self.issued[etag] = headers
            self.issued.move_to_end(etag)
            while len(self.issued) > self.validators:
                self.issued.popitem(last=False)
            if answer is not None:
                self.answers[etag] = answer
                while len(self.answers) > self.bodies:
                    self.answers.popitem(last=False)


ANSWERS = AnswerMemo()


def relations_etag(kind: str) -> str:
    """The validator of a relations request, computable before its arguments are parsed:
    the path and query are in it already; only the default day (no ``as_of``) is added."""
    return versioned_etag(kind, "" if request.args.get("as_of") else today().isoformat())


def answer_response(etag: str, build: Callable[[], tuple[bytes, str]], **headers: str) -> Response:
    """304 when the caller has this version (nothing is computed); else the answer."""
    headers = {"ETag": etag, "Vary": "Accept", **headers}
    if not_modified(etag):
        ANSWERS.remember(etag, headers)
        return Response(status=304, headers=headers)
    answer = ANSWERS.known(etag)[1] or build()
    ANSWERS.remember(etag, headers, answer)
    return Response(answer[0], mimetype=answer[1], headers=headers)


def relations_kind() -> str:
    return "relations-csv" if wants_csv(request.args.get("format")) else "relations"


def relation_kind() -> str:
    wants_csv(None, csv_allowed=False)
    return "relation"


VALIDATOR_KINDS = {"relations.get_relations": relations_kind, "relations.get_relation": relation_kind}


@blp.before_request
def answer_a_known_request():
    """Before flask-smorest parses the query: a 304, or the remembered body, for a
    validator this worker issued. Anything else goes on to the view."""
    kind_of = VALIDATOR_KINDS.get(request.endpoint or "")
    if kind_of is None or request.method not in ("GET", "HEAD"):
        return None
    try:
        etag = relations_etag(kind_of())
    except HTTPException:
        return None  # the view gives the full answer (406 beside a 422, say)
    headers, answer = ANSWERS.known(etag)
    if headers is None:
        return None
    if not_modified(etag):
        return Response(status=304, headers=headers)
    if answer is None:
        return None
    return Response(answer[0], mimetype=answer[1], headers=headers)


def csv_text(rows: list[dict[str, Any]]) -> bytes:
    return "".join(csv_lines(CSV_COLUMNS, (csv_row(row) for row in rows))).encode()


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
    `as_known_at` answers as the service would have at that moment (record time),
    rebuilt from the change log; `as_of` stays the day the answer is about (world time).
    """
    csv = wants_csv(args.get("format"))
    as_of = args.get("as_of") or today()
    etag = relations_etag("relations-csv" if csv else "relations")

    def build() -> tuple[bytes, str]:
        answer = classify(load_records(government_id, args), as_of)
        if csv:
            return csv_text(answer["items"]), "text/csv"
        return orjson.dumps(answer), "application/json"

    if csv:
        filename = safe_filename(f"relations-{government_id}")
        return answer_response(etag, build, **{"Content-Disposition": f'attachment; filename="{filename}.csv"'})
    return answer_response(etag, build)


@blp.route("/<string:government_id>/relations/<string:country>")
@blp.arguments(RelationQuery, location="query")
@blp.response(200, SingleRelationSchema)
@json_only
def get_relation(args, government_id: str, country: str):
    """Relation of a government with one country

    The same row as in the full answer; a country without any record answers
    `category: none` (not 404). The country takes alpha-2 or alpha-3 in any case.
    """
    try:
        code = canonical_alpha2(country)
    except UnknownCountry as error:
        abort(404, message=str(error))
    as_of = args.get("as_of") or today()
    etag = relations_etag("relation")

    def build() -> tuple[bytes, str]:
        answer = classify(load_records(government_id, args, only_country=code), as_of, only_country=code)
        row = answer["items"][0] if answer["items"] else CountryRelation(code).row({})
        body = {**row, "government": answer["government"], "as_of": answer["as_of"]}
        return orjson.dumps(body), "application/json"

    return answer_response(etag, build)
