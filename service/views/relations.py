"""/v1/governments/{id}/relations: who recognizes a government, who exchanged envoys.

The answer is derived per request from the records: loaded from the live tables or,
with ``as_known_at``, replayed from the change log (``service.store.relations``), and
classified by ``service.domain.relations``. Widgets poll the same questions, so each
answer's validator is known before anything is read (``versioned_etag``), and each
worker remembers the validators it issued and its last answers (``AnswerMemo``): a
known request gets its 304 or its body before its arguments are even parsed.
"""

from __future__ import annotations

import datetime as dt

import orjson
from flask import request
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.exceptions import HTTPException

from ..domain.countries import UnknownCountry, canonical_alpha2
from ..domain.relations import Records, classify, single_relation, today
from ..http.api import Blueprint
from ..http.caching import AnswerMemo, versioned_etag
from ..http.negotiation import CSV, JSON, attachment, csv_lines, json_only, wants_csv
from ..schemas.relations import (
    CSV_COLUMNS,
    RelationQuery,
    RelationsQuery,
    RelationsSchema,
    SingleRelationSchema,
    csv_row,
)
from ..store.relations import known_records, live_records
from .declare import NEGOTIATED_HEADERS, listing, may_not_find

blp = Blueprint(
    "relations",
    __name__,
    url_prefix="/v1/governments",
    description="The derived status: per country, recognized, ambassadors exchanged, limited relations or none.",
)

ANSWERS = AnswerMemo()


def load_records(government_id: str, args: dict, only_country: str | None = None) -> Records:
    """The government's records, live or as known at ``as_known_at``; 404 without the government."""
    moment: dt.datetime | None = args.get("as_known_at")
    if moment is not None:
        records = known_records(government_id, moment)
        if records is None:
            abort(404, message=f"No government had the id '{government_id}' at {moment.isoformat()}.")
    else:
        records = live_records(government_id, only_country)
        if records is None:
            abort(404, message=f"No government has the id '{government_id}'.")
    return records


def relations_etag(kind: str) -> str:
    """The validator of a relations request, computable before its arguments are parsed:
    the path and query are in it already; only the default day (no ``as_of``) is added."""
    return versioned_etag(kind, "" if request.args.get("as_of") else today().isoformat())


def csv_text(answer: dict) -> bytes:
    return "".join(csv_lines(CSV_COLUMNS, (csv_row(row, answer["as_of"]) for row in answer["items"]))).encode()


def relations_kind() -> str:
    return "relations-csv" if wants_csv(request.args.get("format")) else "relations"


def relation_kind() -> str:
    wants_csv(None, csv_allowed=False)
    return "relation"


RELATIONS_ENDPOINT, RELATION_ENDPOINT = "get_relations", "get_relation"
VALIDATOR_KINDS = {f"relations.{RELATIONS_ENDPOINT}": relations_kind, f"relations.{RELATION_ENDPOINT}": relation_kind}


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
    return ANSWERS.known_response(etag)


@blp.route("/<string:government_id>/relations", endpoint=RELATIONS_ENDPOINT)
class Relations(MethodView):
    @blp.doc(operationId="getRelations")
    @may_not_find(blp)
    @listing(blp, RelationsQuery, RelationsSchema, NEGOTIATED_HEADERS)
    def get(self, args: dict, government_id: str):
        """Relations of a government with every country

        One row per country that has any recognition or accreditation record with the
        government, as of `as_of` (default today, UTC). `as_known_at` answers as the
        service would have at that moment (record time), rebuilt from the change log;
        `as_of` stays the day the answer is about (world time).

        **The state of a record on day D.** A date is an EDTF value standing for a range
        of days: `2025-07` is 1 to 31 July; a `?` or `~` widens it by the edtf library's
        margins (`2024?` is 2023 to 2025, `2025-07-03?` 2 June 2024 to 4 August 2026).
        On D each record is:

        - `in_force`: its start's latest day is on or before D, and it has no end or its
          end's earliest day is after D;
        - `not_in_force`: its start's earliest day is after D, or its end's latest day is
          on or before D;
        - `possibly_in_force`: anything else, such as a start of `2025-07` on 2025-07-02.

        A record with no start began on an unknown day no later than its earliest
        source's publication: it is in force from that day and possibly in force before
        it, never "not in force" for lack of a date.

        **The category**, from the records in force alone, first match wins:
        `recognized` (a recognition), `ambassadors_exchanged` (ambassador rank in both
        directions), `limited_relations` (any other accreditation), `none`.

        **How sure it is.** `possible_category` is the category if every record possibly
        in force were in force. `certainty` is `established` when the two agree,
        `uncertain` when they differ, and `no_records` when nothing is on file for the
        pair (so `none` then means only that). `basis` lists the deciding records and
        those that could change the answer, each with its state; `known_since` is the
        first day from which the category has been established. `counts` tallies the
        categories and `uncertain` the rows that are not settled; `first_recognized_by`
        is the earliest recognition begun by `as_of`, with its own `certainty`.

        **The seed case worked through.** The report of 3 July 2025 gives Russia's
        recognition that day and the other records no start. On 2025-07-02 China is
        `none`, `uncertain`, `possible_category: ambassadors_exchanged` (its two
        ambassador records are possibly in force: their start is unknown and the report
        came a day later); the UAE likewise, and Qatar is possibly `limited_relations`.
        On 2025-07-04 Russia is `recognized` and `established`, known since 2025-07-03,
        and China is `ambassadors_exchanged`, `established`. The United States has no
        record: `GET .../relations/US` answers `none` with `certainty: no_records`.
        """
        csv = wants_csv(args.get("format"))
        as_of = args.get("as_of") or today()
        etag = relations_etag("relations-csv" if csv else "relations")

        def build() -> tuple[bytes, str]:
            answer = classify(load_records(government_id, args), as_of)
            if csv:
                return csv_text(answer), CSV
            return orjson.dumps(answer), JSON

        if csv:
            return ANSWERS.respond(etag, build, **attachment(f"relations-{government_id}-{as_of.isoformat()}"))
        return ANSWERS.respond(etag, build)


@blp.route("/<string:government_id>/relations/<string:country>", endpoint=RELATION_ENDPOINT)
class Relation(MethodView):
    @blp.doc(operationId="getRelation")
    @blp.arguments(RelationQuery, location="query")
    @may_not_find(blp)
    @blp.response(200, SingleRelationSchema)
    @json_only
    def get(self, args: dict, government_id: str, country: str):
        """Relation of a government with one country

        The same row as in the full answer, by the same rules (see the operation above).
        A country without any record answers `category: none` with
        `certainty: no_records` (not 404). The country takes alpha-2 or alpha-3 in any case.
        """
        try:
            code = canonical_alpha2(country)
        except UnknownCountry as error:
            abort(404, message=str(error))
        as_of = args.get("as_of") or today()
        etag = relations_etag("relation")

        def build() -> tuple[bytes, str]:
            body = single_relation(load_records(government_id, args, only_country=code), as_of, code)
            return orjson.dumps(body), JSON

        return ANSWERS.respond(etag, build)
