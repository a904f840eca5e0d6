"""Countries: ISO 3166-1 reference data."""

from __future__ import annotations

from marshmallow import Schema, fields

from .fields import PageQuery, page_of, text_search


class CountrySchema(Schema):
    code = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2", "example": "RU"})
    alpha3 = fields.String(required=True, metadata={"example": "RUS"})
    numeric = fields.String(required=True, metadata={"example": "643"})
    name = fields.String(required=True, metadata={"example": "Russian Federation"})
    official_name = fields.String(required=True, allow_none=True, metadata={"example": None})
    common_name = fields.String(required=True, allow_none=True, metadata={"example": None})


class CountryQuery(PageQuery):
    q = text_search("Case-insensitive text matched in country names.", "emirates")


CountryPageSchema = page_of(CountrySchema, "CountryPage")
