"""marshmallow schemas: the wire format of every resource and query string."""
from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate

from .countries import UnknownCountry, canonical_alpha2
from .models import EXCHANGE_DIRECTIONS, EXCHANGE_RANKS, RECOGNITION_FORMS, SOURCE_KINDS
from .pagination import DEFAULT_LIMIT, MAX_LIMIT

SEED_GOVERNMENT = "af-islamic-emirate"


COUNTRY_PATTERN = "^[A-Za-z]{2,3}$"


class CountryCode(fields.String):
    """ISO 3166-1 alpha-2 or alpha-3 in any case in; canonical alpha-2 out.

    The contract shows the pattern; whether the code exists is checked with pycountry.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"pattern": COUNTRY_PATTERN, **kwargs["metadata"]}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return canonical_alpha2(text)
        except UnknownCountry as error:
            raise ValidationError(str(error)) from None


def country_param(description: str = "ISO 3166-1 alpha-2 or alpha-3 code, any case.") -> CountryCode:
    return CountryCode(metadata={"description": description, "example": "RU"})


def as_of_param(description: str) -> fields.Date:
    return fields.Date(format="%Y-%m-%d", metadata={"description": description, "example": "2025-07-04"})


# --- query strings ---------------------------------------------------------------

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


class CountryQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Case-insensitive text matched in country names.", "example": "emirates"},
    )


class GovernmentQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Case-insensitive text matched in names and aliases.", "example": "Taliban"},
    )
    country = country_param("Country governed or claimed (alpha-2 or alpha-3, any case).")


class RecordQuery(PageQuery):
    government = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Government id.", "example": SEED_GOVERNMENT},
    )
    country = country_param()
    as_of = as_of_param("Only records in force on this day (YYYY-MM-DD).")


class RecognitionQuery(RecordQuery):
    form = fields.String(validate=validate.OneOf(RECOGNITION_FORMS), metadata={"example": "de_jure"})


class AmbassadorExchangeQuery(RecordQuery):
    direction = fields.String(validate=validate.OneOf(EXCHANGE_DIRECTIONS), metadata={"example": "government_to_country"})
    rank = fields.String(validate=validate.OneOf(EXCHANGE_RANKS), metadata={"example": "ambassador"})


class SourceQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Case-insensitive text matched in publisher and title.", "example": "CNN"},
    )
    kind = fields.String(validate=validate.OneOf(SOURCE_KINDS), metadata={"example": "news"})


class UtcMoment(fields.AwareDateTime):
    """A timestamp with a UTC offset, returned in UTC; refuses moments UTC cannot hold."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(dt.timezone.utc)
        except OverflowError:
            raise ValidationError("outside the range of UTC timestamps") from None


def as_known_at_param() -> UtcMoment:
    return UtcMoment(
        format="iso",
        metadata={
            "description": "Answer as the service would have at this moment (ISO 8601 with a UTC offset), "
            "rebuilt from the change log. Default: now.",
            "example": "2025-07-05T12:00:00Z",
        },
    )


class RelationsQuery(Schema):
    as_of = as_of_param("The day the answer is for (YYYY-MM-DD); default today (UTC).")
    as_known_at = as_known_at_param()
    format = fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "`csv` gives the rows as CSV (like `Accept: text/csv`)."},
    )


class RelationQuery(Schema):
    as_of = as_of_param("The day the answer is for (YYYY-MM-DD); default today (UTC).")
    as_known_at = as_known_at_param()


# --- resources ---------------------------------------------------------------------

class CountrySchema(Schema):
    code = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2", "example": "RU"})
    alpha3 = fields.String(required=True, metadata={"example": "RUS"})
    numeric = fields.String(required=True, metadata={"example": "643"})
    name = fields.String(required=True, metadata={"example": "Russian Federation"})
    official_name = fields.String(required=True, allow_none=True, metadata={"example": None})
    common_name = fields.String(required=True, allow_none=True, metadata={"example": None})


class GovernmentSchema(Schema):
    id = fields.String(required=True, metadata={"example": SEED_GOVERNMENT})
    name = fields.String(required=True, metadata={"example": "Islamic Emirate of Afghanistan"})
    aliases = fields.List(
        fields.String(), attribute="alias_names", required=True, metadata={"example": ["Taliban", "IEA"]}
    )
    country = fields.String(required=True, metadata={"example": "AF"})
    start = fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": "2021"})
    end = fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": None})


class SourceSchema(Schema):
    id = fields.String(required=True, metadata={"example": "src_c486c3f5034b49a73224"})
    url = fields.String(required=True, allow_none=True, metadata={"example": None})
    publisher = fields.String(required=True, metadata={"example": "CNN"})
    title = fields.String(
        required=True,
        metadata={"example": "News report on Russia becoming the first state to recognize the Taliban government"},
    )
    published = fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": "2025-07-03"})
    kind = fields.String(required=True, validate=validate.OneOf(SOURCE_KINDS), metadata={"example": "news"})
    note = fields.String(required=True, allow_none=True)


class RecognitionSchema(Schema):
    id = fields.String(required=True, metadata={"example": "rcg_8c6475f1647032195d51"})
    government = fields.String(attribute="government_id", required=True, metadata={"example": SEED_GOVERNMENT})
    country = fields.String(required=True, metadata={"example": "RU"})
    form = fields.String(required=True, validate=validate.OneOf(RECOGNITION_FORMS), metadata={"example": "de_jure"})
    start = fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": "2025-07-03"})
    end = fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": None})
    end_reason = fields.String(required=True, allow_none=True, metadata={"example": None})
    note = fields.String(required=True, allow_none=True)
    sources = fields.Pluck(
        SourceSchema, "id", many=True, required=True,
        metadata={"description": "Ids of the sources cited.", "example": ["src_c486c3f5034b49a73224"]},
    )


class AmbassadorExchangeSchema(Schema):
    id = fields.String(required=True, metadata={"example": "amb_2aea7fa72a0ebd430aeb"})
    government = fields.String(attribute="government_id", required=True, metadata={"example": SEED_GOVERNMENT})
    country = fields.String(required=True, metadata={"example": "RU"})
    direction = fields.String(
        required=True, validate=validate.OneOf(EXCHANGE_DIRECTIONS), metadata={"example": "government_to_country"}
    )
    rank = fields.String(required=True, validate=validate.OneOf(EXCHANGE_RANKS), metadata={"example": "ambassador"})
    envoy = fields.String(required=True, allow_none=True, metadata={"example": "Gul Hassan Hassan"})
    start = fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": None})
    end = fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": None})
    note = fields.String(required=True, allow_none=True)
    sources = fields.Pluck(
        SourceSchema, "id", many=True, required=True,
        metadata={"description": "Ids of the sources cited.", "example": ["src_c486c3f5034b49a73224"]},
    )


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """A page schema: ``items`` and the cursor of the next page (null on the last)."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(
                required=True, allow_none=True,
                metadata={"description": "Pass as `cursor` for the next page; null on the last page."},
            ),
        },
        name=name,
    )


CountryPageSchema = page_of(CountrySchema, "CountryPage")
GovernmentPageSchema = page_of(GovernmentSchema, "GovernmentPage")
SourcePageSchema = page_of(SourceSchema, "SourcePage")
RecognitionPageSchema = page_of(RecognitionSchema, "RecognitionPage")
AmbassadorExchangePageSchema = page_of(AmbassadorExchangeSchema, "AmbassadorExchangePage")


# --- relations -----------------------------------------------------------------------

CATEGORIES = ("recognized", "ambassadors_exchanged", "limited_relations", "none")


class EnvoysSchema(Schema):
    government_to_country = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(EXCHANGE_RANKS),
        metadata={"description": "Rank in force of the government's envoy accepted by the country.", "example": "ambassador"},
    )
    country_to_government = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(EXCHANGE_RANKS),
        metadata={"description": "Rank in force of the country's envoy posted to the government.", "example": "ambassador"},
    )


class RelationSchema(Schema):
    country = fields.String(required=True, metadata={"example": "RU"})
    country_name = fields.String(required=True, metadata={"example": "Russian Federation"})
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES), metadata={"example": "recognized"})
    recognition = fields.Nested(
        RecognitionSchema, required=True, allow_none=True,
        metadata={"description": "The recognition in force, or null."},
    )
    envoys = fields.Nested(EnvoysSchema, required=True)
    exchanges = fields.List(
        fields.Nested(AmbassadorExchangeSchema), required=True,
        metadata={"description": "The accreditations in force."},
    )
    sources = fields.List(
        fields.Nested(SourceSchema), required=True,
        metadata={"description": "Every source cited by the records in force."},
    )


class GovernmentRefSchema(Schema):
    id = fields.String(required=True, metadata={"example": SEED_GOVERNMENT})
    name = fields.String(required=True, metadata={"example": "Islamic Emirate of Afghanistan"})


class FirstRecognitionSchema(Schema):
    country = fields.String(required=True, metadata={"example": "RU"})
    start = fields.String(required=True, allow_none=True, metadata={"example": "2025-07-03"})
    recognition = fields.String(required=True, metadata={"example": "rcg_8c6475f1647032195d51"})
    sources = fields.List(fields.Nested(SourceSchema), required=True)


class CountsSchema(Schema):
    recognized = fields.Integer(required=True, metadata={"example": 1})
    ambassadors_exchanged = fields.Integer(required=True, metadata={"example": 2})
    limited_relations = fields.Integer(required=True, metadata={"example": 1})
    none = fields.Integer(required=True, metadata={"example": 0})


class RelationsSchema(Schema):
    government = fields.Nested(GovernmentRefSchema, required=True)
    as_of = fields.Date(required=True, metadata={"example": "2025-07-04"})
    counts = fields.Nested(CountsSchema, required=True)
    first_recognized_by = fields.Nested(
        FirstRecognitionSchema, required=True, allow_none=True,
        metadata={"description": "The earliest recognition that had begun by `as_of`, ended or not; null if none."},
    )
    items = fields.List(fields.Nested(RelationSchema), required=True)


class SingleRelationSchema(RelationSchema):
    government = fields.Nested(GovernmentRefSchema, required=True)
    as_of = fields.Date(required=True, metadata={"example": "2025-07-04"})
