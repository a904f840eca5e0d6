"""marshmallow schemas: the wire format of every resource and query string."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from .countries import UnknownCountry, canonical_alpha2
from .pagination import DEFAULT_LIMIT, MAX_LIMIT


class CountryCode(fields.String):
    """ISO 3166-1 alpha-2 or alpha-3 in any case in; canonical alpha-2 out."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return canonical_alpha2(text)
        except UnknownCountry as error:
            raise ValidationError(str(error)) from None


class PageQuery(Schema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Rows per page, 1 to {MAX_LIMIT}."},
    )
    cursor = fields.String(
        metadata={"description": "The `next_cursor` of the previous page."},
    )


class GovernmentQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Case-insensitive text matched in names and aliases.", "example": "Taliban"},
    )
    country = CountryCode(metadata={"description": "ISO 3166-1 alpha-2 or alpha-3 code.", "example": "AF"})


class GovernmentSchema(Schema):
    id = fields.String(required=True, metadata={"example": "af-islamic-emirate"})
    name = fields.String(required=True, metadata={"example": "Islamic Emirate of Afghanistan"})
    aliases = fields.List(
        fields.String(), attribute="alias_names", required=True, metadata={"example": ["Taliban", "IEA"]}
    )
    country = fields.String(required=True, metadata={"example": "AF"})
    start = fields.String(required=True, allow_none=True, metadata={"example": "2021"})
    end = fields.String(required=True, allow_none=True, metadata={"example": None})


class GovernmentPageSchema(Schema):
    items = fields.List(fields.Nested(GovernmentSchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class SourceSchema(Schema):
    id = fields.String(required=True, metadata={"example": "src_c486c3f5034b49a73224"})
    url = fields.String(required=True, allow_none=True, metadata={"example": None})
    publisher = fields.String(required=True, metadata={"example": "CNN"})
    title = fields.String(required=True)
    published = fields.String(required=True, allow_none=True, metadata={"example": "2025-07-03"})
    kind = fields.String(required=True, metadata={"example": "news"})
    note = fields.String(required=True, allow_none=True)


class RecognitionSchema(Schema):
    id = fields.String(required=True, metadata={"example": "rcg_8c6475f1647032195d51"})
    government = fields.String(attribute="government_id", required=True, metadata={"example": "af-islamic-emirate"})
    country = fields.String(required=True, metadata={"example": "RU"})
    form = fields.String(required=True, metadata={"example": "de_jure"})
    start = fields.String(required=True, allow_none=True, metadata={"example": "2025-07-03"})
    end = fields.String(required=True, allow_none=True, metadata={"example": None})
    end_reason = fields.String(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    sources = fields.Pluck(SourceSchema, "id", many=True, required=True)


class AmbassadorExchangeSchema(Schema):
    id = fields.String(required=True, metadata={"example": "amb_2aea7fa72a0ebd430aeb"})
    government = fields.String(attribute="government_id", required=True, metadata={"example": "af-islamic-emirate"})
    country = fields.String(required=True, metadata={"example": "RU"})
    direction = fields.String(required=True, metadata={"example": "government_to_country"})
    rank = fields.String(required=True, metadata={"example": "ambassador"})
    envoy = fields.String(required=True, allow_none=True, metadata={"example": "Gul Hassan Hassan"})
    start = fields.String(required=True, allow_none=True, metadata={"example": None})
    end = fields.String(required=True, allow_none=True, metadata={"example": None})
    note = fields.String(required=True, allow_none=True)
    sources = fields.Pluck(SourceSchema, "id", many=True, required=True)
