"""/v1/countries: ISO 3166-1 reference data from pycountry."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from ..domain.countries import UnknownCountry, all_countries, canonical_alpha2
from ..http.api import Blueprint
from ..http.negotiation import csv_response, json_only, wants_csv
from ..http.pagination import Page, decode_cursor, encode_cursor
from ..schemas.countries import CountryPageSchema, CountryQuery, CountrySchema
from ..schemas.fields import DEFAULT_LIMIT
from .declare import PAGE_HEADERS, listing, may_not_find

blp = Blueprint(
    "countries",
    __name__,
    url_prefix="/v1/countries",
    description="ISO 3166-1 countries (from the pycountry library).",
)
CSV_COLUMNS = ("code", "alpha3", "numeric", "name", "official_name", "common_name")


def as_dict(country) -> dict:
    return {
        "code": country.alpha_2,
        "alpha3": country.alpha_3,
        "numeric": country.numeric,
        "name": country.name,
        "official_name": getattr(country, "official_name", None),
        "common_name": getattr(country, "common_name", None),
    }


def matches(country: dict, needle: str) -> bool:
    return any(needle in (country[key] or "").casefold() for key in ("name", "official_name", "common_name"))


@blp.route("")
class Countries(MethodView):
    @blp.doc(operationId="listCountries")
    @listing(blp, CountryQuery, CountryPageSchema, PAGE_HEADERS)
    def get(self, args: dict):
        """List countries

        Ordered by alpha-2 code. `q` matches the name, official name and common name,
        case-insensitive.
        """
        rows = [as_dict(country) for country in all_countries()]
        if "q" in args:
            needle = args["q"].casefold()
            rows = [row for row in rows if matches(row, needle)]
        if "cursor" in args:
            after = decode_cursor(args["cursor"])
            rows = [row for row in rows if row["code"] > after]
        csv = wants_csv(args.get("format"))
        limit = args.get("limit") or (None if csv else DEFAULT_LIMIT)
        if limit is not None and len(rows) > limit:
            page = Page(rows[:limit], encode_cursor(rows[limit - 1]["code"]))
        else:
            page = Page(rows, None)
        headers = {"Vary": "Accept"}
        if page.next_cursor:
            headers["Link"] = page.link_header()
        if csv:
            return csv_response(CSV_COLUMNS, page.items, "countries", headers)
        return {"items": page.items, "next_cursor": page.next_cursor}, 200, headers


@blp.route("/<string:code>")
class Country(MethodView):
    @blp.doc(operationId="getCountry")
    @may_not_find(blp)
    @blp.response(200, CountrySchema)
    @json_only
    def get(self, code: str):
        """Get one country

        Takes alpha-2 or alpha-3 in any case; answers with the canonical alpha-2.
        """
        try:
            alpha2 = canonical_alpha2(code)
        except UnknownCountry as error:
            abort(404, message=str(error))
        return next(as_dict(country) for country in all_countries() if country.alpha_2 == alpha2)
