"""Fields, validators and query schemas that the resources' schemas share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..domain.countries import UnknownCountry, canonical_alpha2
from ..domain.dates import InvalidDate, parse_bounds
from ..domain.in_force import IN_FORCE
from ..domain.vocabulary import FORCE_STATES

# The seed case's government: the examples of the contract name it.
SEED_GOVERNMENT = "af-islamic-emirate"
EXAMPLE_SOURCE = "src_c486c3f5034b49a73224"

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
COUNTRY_PATTERN = "^[A-Za-z]{2,3}$"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TEXT = validate.Length(min=1, max=300)
LONG_TEXT = validate.Length(max=10_000)


def converted(convert: Callable[[Any], Any], value: Any, refused: type[Exception], message: str = "") -> Any:
    """``convert(value)``; a validation error (its message, or the exception's) when it raises ``refused``."""
    try:
        return convert(value)
    except refused as error:
        raise ValidationError(message or str(error)) from None


class CountryCode(fields.String):
    """ISO 3166-1 alpha-2 or alpha-3 in any case in; canonical alpha-2 out.

    The contract shows the pattern; whether the code exists is checked with pycountry.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"pattern": COUNTRY_PATTERN, **kwargs["metadata"]}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return converted(canonical_alpha2, super()._deserialize(value, attr, data, **kwargs), UnknownCountry)


class EdtfDate(fields.String):
    """An EDTF date string (2025-07-03, 2024-01, 2021, 2024?, 2023~, …)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return converted(lambda edtf: parse_bounds(edtf).text, text, InvalidDate)


class UtcMoment(fields.AwareDateTime):
    """A timestamp with a UTC offset, returned in UTC; refuses moments UTC cannot hold."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        return converted(lambda m: m.astimezone(dt.UTC), moment, OverflowError, "outside the range of UTC timestamps")


class UtcDateTime(fields.DateTime):
    """SQLite hands back naive datetimes; the change log is always UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# --- fields of answers -------------------------------------------------------------


def choice_out(values: tuple[str, ...], description: str, example: str) -> fields.String:
    """A required answer field holding one of ``values``."""
    return fields.String(
        required=True, validate=validate.OneOf(values), metadata={"description": description, "example": example}
    )


def edtf_out(example=None) -> fields.String:
    """An EDTF date of an answer: null when not known."""
    return fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": example})


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """A page schema: ``items`` and the cursor of the next page (null on the last)."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as `cursor` for the next page; null on the last page."},
            ),
        },
        name=name,
    )


# --- fields of request bodies ------------------------------------------------------


class StrictSchema(Schema):
    """A request body: unknown fields are 422."""

    class Meta:
        unknown = RAISE


def edtf(description: str, example=None) -> EdtfDate:
    return EdtfDate(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": f"{description} EDTF; null when not known.", "example": example},
    )


class PeriodSchema(StrictSchema):
    """A body with a start and an end, the end not before the start."""

    start = edtf("When it began.")
    end = edtf("When it ended.")

    @validates_schema
    def end_not_before_start(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and parse_bounds(end).latest < parse_bounds(start).earliest:
            raise ValidationError("end is before start", field_name="end")


class RecordBody(PeriodSchema):
    """A dated record's body: its period, and the government and the country it is about."""

    government = fields.String(
        required=True, validate=validate.Length(min=1, max=64), metadata={"example": SEED_GOVERNMENT}
    )
    country = CountryCode(required=True, metadata={"example": "RU"})


def source_ids():
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        required=True,
        error_messages={"required": "Cite at least one source: a list of `src_…` ids, as GET /v1/sources lists them."},
        validate=[
            validate.Length(
                min=1, max=50, error="cite at least one source (at most {max}): `src_…` ids from GET /v1/sources"
            )
        ],
        metadata={"description": "Ids of the sources cited; at least one.", "example": [EXAMPLE_SOURCE]},
    )


# --- query strings -------------------------------------------------------------------


def country_param(description: str = "ISO 3166-1 alpha-2 or alpha-3 code, any case.") -> CountryCode:
    return CountryCode(metadata={"description": description, "example": "RU"})


class Day(fields.Date):
    """A calendar day as ``YYYY-MM-DD`` (years 1 to 9999); the error says the form."""

    default_error_messages = {
        "invalid": "Not a valid day: give it as YYYY-MM-DD, for example 2025-07-04 (years 0001 to 9999).",
    }

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def as_of_param(description: str) -> Day:
    return Day(metadata={"description": description, "example": "2025-07-04"})


def as_known_at_param() -> UtcMoment:
    return UtcMoment(
        format="iso",
        metadata={
            "description": "Answer as the service would have at this moment (ISO 8601 with a UTC offset), "
            "rebuilt from the change log. Default: now.",
            "example": "2025-07-05T12:00:00Z",
        },
    )


def lang_param() -> fields.String:
    return fields.String(
        validate=validate.Length(max=64),
        metadata={
            "description": "The language of country names (a BCP 47 tag such as `ar`, `fr`, `zh-Hant`); overrides "
            "`Accept-Language`. Names come from pycountry's ISO 3166 translations; a name a language lacks, and "
            "any unknown or malformed tag, gives English. `Content-Language` says which languages the answer holds.",
            "example": "ar",
        },
    )


def text_search(description: str, example: str) -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, max=200), metadata={"description": description, "example": example}
    )


class PageQuery(Schema):
    limit = fields.Integer(
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={
            "description": f"Rows per page, 1 to {MAX_LIMIT}; default {DEFAULT_LIMIT} for JSON. "
            "A CSV export without `limit` or `cursor` holds every matching row.",
        },
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The `next_cursor` of the previous page.", "pattern": "^[A-Za-z0-9_-]+$"},
    )
    format = fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "`csv` gives the same rows as CSV (like `Accept: text/csv`)."},
    )


class RecordQuery(PageQuery):
    """Filters of the dated records: whose, which country, in force on which day."""

    government = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Government id.", "example": SEED_GOVERNMENT},
    )
    country = country_param()
    as_of = as_of_param("Only records in force on this day (YYYY-MM-DD); `force` chooses another state.")
    force = fields.String(
        validate=validate.OneOf(FORCE_STATES),
        metadata={
            "description": "With `as_of`: keep the records in this state on that day instead of those in force "
            "(`possibly_in_force`: dates too vague to tell, or no start given and not yet reported; "
            "`not_in_force`). The rule is in the relations operation's description.",
            "example": "possibly_in_force",
        },
    )

    @validates_schema
    def force_needs_a_day(self, data: dict, **_kwargs) -> None:
        if "force" in data and "as_of" not in data:
            raise ValidationError(
                f"`force` needs `as_of`, the day it is about (YYYY-MM-DD); without `force`, `as_of` keeps the "
                f"records {IN_FORCE}.",
                "force",
            )
