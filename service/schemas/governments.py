"""Governments: the governments or authorities that govern or claim a country."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .fields import (
    SEED_GOVERNMENT,
    SLUG,
    TEXT,
    CountryCode,
    PageQuery,
    PeriodSchema,
    country_param,
    edtf_out,
    text_search,
)
from .wire import Wire


class GovernmentSchema(Schema):
    id = fields.String(required=True, metadata={"example": SEED_GOVERNMENT})
    name = fields.String(required=True, metadata={"example": "Islamic Emirate of Afghanistan"})
    aliases = fields.List(
        fields.String(), attribute="alias_names", required=True, metadata={"example": ["Taliban", "IEA"]}
    )
    country = fields.String(required=True, metadata={"example": "AF"})
    start = edtf_out("2021")
    end = edtf_out()


class GovernmentBody(PeriodSchema):
    name = fields.String(required=True, validate=TEXT, metadata={"example": "Islamic Emirate of Afghanistan"})
    aliases = fields.List(
        fields.String(validate=TEXT),
        validate=validate.Length(max=50),
        metadata={"example": ["Taliban", "IEA"], "uniqueItems": True},
    )
    country = CountryCode(required=True, metadata={"description": "alpha-2 or alpha-3, any case", "example": "AF"})

    @validates_schema
    def aliases_unique(self, data, **kwargs):
        aliases = data.get("aliases") or []
        if len(set(aliases)) != len(aliases):
            raise ValidationError("aliases repeat", field_name="aliases")


class GovernmentCreateBody(GovernmentBody):
    id = fields.String(
        required=True,
        validate=[
            validate.Regexp(SLUG, error="lower-case letters, digits and single hyphens"),
            validate.Length(min=2, max=64),
        ],
        metadata={"description": "Readable slug, chosen by the editor.", "example": SEED_GOVERNMENT},
    )


class GovernmentQuery(PageQuery):
    q = text_search("Case-insensitive text matched in names and aliases.", "Taliban")
    country = country_param("Country governed or claimed (alpha-2 or alpha-3, any case).")


class GovernmentRefSchema(Schema):
    id = fields.String(required=True, metadata={"example": SEED_GOVERNMENT})
    name = fields.String(required=True, metadata={"example": "Islamic Emirate of Afghanistan"})


DESCRIPTION = "Governments and authorities that govern or claim a country, with their aliases."
LIST_DESCRIPTION = (
    "Ordered by id. `q` matches names and aliases, case-insensitive; `country` takes\nalpha-2 or alpha-3 in any case."
)
WIRE = Wire(
    GovernmentSchema,
    GovernmentBody,
    GovernmentQuery,
    DESCRIPTION,
    LIST_DESCRIPTION,
    search=("name", "aliases"),
    create_body=GovernmentCreateBody,
)
