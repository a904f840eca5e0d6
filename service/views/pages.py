"""Pages for people: what the service is and a search (``/``), a government's status on a
day (``/governments/{id}``), and one pair with its records, history and sources
(``/governments/{id}/{country}``).

Rendered on the server from the same answers as the API (``service.domain.relations``)
with Jinja2 (``templates/``); no JavaScript, nothing from another host (``PAGE_CSP``),
printable. The query string is validated like the API's (unknown parameters too); a
page whose query is invalid is shown with its errors beside the form, status 422.
Country names follow ``lang`` or ``Accept-Language``; the words of the pages are
English (marked ``lang="en"`` on a right-to-left page), as no translation of them
exists yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, render_template, request, send_from_directory, url_for
from flask.views import MethodView
from markupsafe import Markup
from marshmallow import RAISE, Schema, ValidationError
from werkzeug.datastructures import ImmutableMultiDict

from ..domain.countries import ENGLISH, UnknownCountry, canonical_alpha2, content_languages, is_rtl, localized_name
from ..domain.relations import Records, classify, single_relation, today
from ..domain.vocabulary import CATEGORIES, CATEGORY_WORDS, CERTAINTY_WORDS, FORCE_STATE_WORDS
from ..http.api import repeated_single_values
from ..http.auth import require
from ..http.input_guards import NUL, printable_name
from ..http.negotiation import reader_languages
from ..pictures.statusmap import SHAPES_ATTRIBUTION
from ..schemas.fields import as_known_at_param, as_of_param, lang_param, text_search
from ..schemas.relations import AS_OF
from ..store.pages import WireReader, filtered
from ..store.registry import AMBASSADOR_EXCHANGES, GOVERNMENTS, RECOGNITIONS
from ..store.relations import record_changes
from .relations import find_records, timeline_svg

blp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")

LICENCES = files("service.pictures") / "licences"
SEARCH_LIMIT = 50
STATE_WORDS = FORCE_STATE_WORDS


# What a page shows without reading records: its assets, and the licence texts.
OPEN_ENDPOINTS = frozenset({"pages.static", "pages.favicon", "pages.licence"})


@blp.before_request
def reads_may_need_a_token():
    """The pages show what the API's reads show: closed alike by READ_REQUIRES_TOKEN."""
    if current_app.config["READ_REQUIRES_TOKEN"] and request.endpoint not in OPEN_ENDPOINTS:
        require("read")


class SearchArgs(Schema):
    class Meta:
        unknown = RAISE

    q = text_search("Text in a government's name or aliases.", "Taliban")
    lang = lang_param()


class StatusArgs(Schema):
    class Meta:
        unknown = RAISE

    as_of = as_of_param(AS_OF)
    as_known_at = as_known_at_param()
    lang = lang_param()


@blp.url_value_preprocessor
def set_aside_unstorable_parameters(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A NUL in a page's query is an error shown on the page, like any invalid value.

    The app's input guard answers a NUL in any query with a problem+json 422, which is
    right for the API but not for a person at a form. This runs before that guard: it
    takes such parameters out of ``request.args`` (so nothing downstream ever sees a NUL)
    and keeps them in ``g`` for ``parsed`` to report and the form to show.
    """
    refused = {name: value for name, value in request.args.items(multi=True) if NUL in name or NUL in value}
    if refused:
        g.refused_parameters = refused
        kept = [(n, v) for n, v in request.args.items(multi=True) if n not in refused]
        request.args = ImmutableMultiDict(kept)


def refused_parameters() -> dict[str, str]:
    """Parameters set aside for holding a NUL, by printable name, as a form shows them."""
    refused = g.get("refused_parameters", {})
    # An HTML parser would read a NUL as U+FFFD anyway; say so in the value shown.
    return {printable_name(name): value.replace(NUL, "\ufffd") for name, value in refused.items()}


def form_values() -> dict[str, str]:
    """What the reader typed, as the form shows it again."""
    return {**request.args.to_dict(), **refused_parameters()}


def parsed(schema: Schema) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The page's query loaded by ``schema``, and its errors by parameter (empty when valid).
    A field left empty in a form is not given (an empty search lists every government)."""
    errors = {name: ["contains a NUL character; remove it"] for name in refused_parameters()}
    repeated = repeated_single_values(request.args, schema)
    errors.update({name: ["given more than once; send it once"] for name in repeated})
    given = {name: value for name, value in request.args.items() if value != "" or name not in schema.fields}
    try:
        loaded = schema.load(given)
    except ValidationError as error:
        messages = error.messages_dict
        errors.update({name: value if isinstance(value, list) else [str(value)] for name, value in messages.items()})
    return ({}, errors) if errors else (loaded, {})


class Reader:
    """What a page needs to know about its reader's language."""

    def __init__(self):
        self.languages = reader_languages()
        self.lang = request.args.get("lang") or None
        self.page_language = self.languages[0]
        self.rtl = is_rtl(self.page_language)

    def name(self, code: str) -> tuple[str, str]:
        return localized_name(code, self.languages)

    @property
    def en_attrs(self) -> Markup:
        """Attributes marking an element's English words on a page in another language."""
        return Markup("") if self.page_language == ENGLISH else Markup(' lang="en" dir="ltr"')

    def ui(self, text: str) -> Markup:
        """English words of the page, marked as such on a page in another language."""
        if self.page_language == ENGLISH:
            return Markup.escape(text)
        return Markup('<span lang="en" dir="ltr">{}</span>').format(text)

    def query(self, **values: Any) -> str:
        """A query string keeping the reader's ``lang``."""
        kept = {"lang": self.lang} if self.lang else {}
        kept.update({k: v for k, v in values.items() if v is not None})
        return f"?{urlencode(kept)}" if kept else ""


def render(template: str, status: int = 200, **context: Any) -> Response:
    reader = context.setdefault("reader", Reader())
    body = render_template(
        template,
        ui=reader.ui,
        category_words=CATEGORY_WORDS,
        certainty_words=CERTAINTY_WORDS,
        state_words=STATE_WORDS,
        shapes_attribution=SHAPES_ATTRIBUTION,
        **context,
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Language"] = ", ".join(content_languages(reader.languages))
    response.vary.update(("Accept-Language",))
    return response


def not_found(message: str, search: str | None = None) -> Response:
    return render("not_found.html", 404, message=message, search=search)


class Home(MethodView):
    def get(self):
        args, errors = parsed(SearchArgs())
        found = None
        if "q" in args:
            reader = WireReader.of(GOVERNMENTS, filtered(GOVERNMENTS, {"q": args["q"]}))
            found = reader.read(None, SEARCH_LIMIT)[0]
        elif not errors:
            found = WireReader.of(GOVERNMENTS, filtered(GOVERNMENTS, {})).read(None, SEARCH_LIMIT)[0]
        return render(
            "home.html",
            422 if errors else 200,
            errors=errors,
            q=form_values().get("q", ""),
            governments=found,
            searched="q" in args,
        )


def cited_sources(rows: list[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], dict[str, int]]:
    """The sources the rows cite, once each, numbered in order of first citation."""
    order: dict[str, int] = {}
    sources = []
    for row in rows:
        for source in row["sources"]:
            if source["id"] not in order:
                order[source["id"]] = len(order) + 1
                sources.append(source)
    return sources, order


def status_context(government_id: str, args: dict[str, Any]) -> dict[str, Any] | None:
    """The status answer and what the page shows of it; None without the government."""
    records = find_records(government_id, args)
    if records is None:
        return None
    reader = Reader()
    as_of = args.get("as_of") or today()
    answer = classify(records, as_of, languages=reader.languages)
    sources, numbers = cited_sources(answer["items"])
    moment = args.get("as_known_at")
    query = {"as_of": as_of.isoformat(), "as_known_at": moment.isoformat() if moment else None}
    api = url_for("relations.get_relations", government_id=government_id)
    return {
        "reader": reader,
        "records": records,
        "answer": answer,
        "as_of": as_of,
        "moment": moment,
        "sources": sources,
        "numbers": numbers,
        "query": query,
        "links": {
            "json": api + reader.query(**query),
            "csv": api + reader.query(**query, format="csv"),
            "map": url_for("relations.get_relations_map", government_id=government_id) + reader.query(**query),
            "timeline": url_for("relations.get_timeline", government_id=government_id) + reader.query(**query),
        },
        # Inline, so its marks link to the records: SVG serialized by ElementTree, which escapes every text.
        "timeline": Markup(inline_svg(timeline_svg(records, as_of, reader.languages, 1280))),  # nosec B704
        "categories": CATEGORIES,
    }


def inline_svg(document: str) -> str:
    """An SVG document without its XML declaration, to inline in HTML."""
    return document.split("?>", 1)[1]


class GovernmentPage(MethodView):
    def get(self, government_id: str):
        args, errors = parsed(StatusArgs())
        if errors:
            context = status_context(government_id, {})
            if context is None:
                return not_found(f"No government has the id '{government_id}'.", government_id)
            return render("government.html", 422, errors=errors, form=form_values(), **{**context, "answer": None})
        context = status_context(government_id, args)
        if context is None:
            return not_found(f"No government has the id '{government_id}'.", government_id)
        return render("government.html", errors={}, form=form_values(), **context)


def pair_history(records) -> list[Any]:
    ids = {
        RECOGNITIONS.name: [f.id for f in records.recognitions],
        AMBASSADOR_EXCHANGES.name: [f.id for f in records.exchanges],
    }
    return record_changes(ids)


class PairPage(MethodView):
    def get(self, government_id: str, country: str):
        try:
            code = canonical_alpha2(country)
        except UnknownCountry as error:
            return not_found(f"{error}.")
        args, errors = parsed(StatusArgs())
        records = find_records(government_id, {} if errors else args, only_country=code)
        if records is None:
            return not_found(f"No government has the id '{government_id}'.", government_id)
        # A replay from the change log holds every country's records: keep the pair's.
        records = Records(
            records.government,
            [f for f in records.recognitions if f.data["country"] == code],
            [f for f in records.exchanges if f.data["country"] == code],
            records.sources,
            records.published,
        )
        reader = Reader()
        as_of: dt.date = args.get("as_of") or today()
        row = None if errors else single_relation(records, as_of, code, reader.languages)
        sources = records.cited_sources()
        numbers = {source["id"]: number for number, source in enumerate(sources, 1)}
        return render(
            "pair.html",
            422 if errors else 200,
            reader=reader,
            errors=errors,
            form=form_values(),
            records=records,
            code=code,
            country_name=reader.name(code),
            row=row,
            as_of=as_of,
            moment=args.get("as_known_at"),
            sources=sources,
            numbers=numbers,
            history=pair_history(records),
        )


def favicon() -> Response:
    """Browsers ask for /favicon.ico: a tiny SVG mark, so no page load logs a 404."""
    response = send_from_directory(blp.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
    return response


def licence(name: str) -> Response:
    """The licence texts of the map's country shapes (LGPL-3.0 and the GPL-3.0 it builds on)."""
    texts = {"LGPL-3.0": "LGPL-3.0.txt", "GPL-3.0": "GPL-3.0.txt"}
    if name not in texts:
        return not_found(f"No licence text is named '{name}'.")
    return Response((LICENCES / texts[name]).read_bytes(), mimetype="text/plain")


blp.add_url_rule("/", view_func=Home.as_view("home"))
blp.add_url_rule("/governments/<string:government_id>", view_func=GovernmentPage.as_view("government"))
blp.add_url_rule("/governments/<string:government_id>/<string:country>", view_func=PairPage.as_view("pair"))
blp.add_url_rule("/favicon.ico", view_func=favicon)
blp.add_url_rule("/licences/<string:name>", view_func=licence)
