"""Request bodies for writes: strict (unknown fields are 422) and validated as a whole.

No field has a load default: a PATCH body is loaded with ``partial=True`` (so only
the fields sent are present), merged into the record's current representation, and
the merged result is loaded again with the full schema. A partial update can never
leave a record that a full one would have refused. Optional fields left out of a
POST are null (aliases: empty).
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .dates import InvalidDate, parse_bounds
from .models import EXCHANGE_DIRECTIONS, EXCHANGE_RANKS, RECOGNITION_FORMS, SOURCE_KINDS
from .schemas import CountryCode

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TEXT = validate.Length(min=1, max=300)
LONG_TEXT = validate.Length(max=10_000)


class EdtfDate(fields.String):
    """An EDTF date string (2025-07-03, 2024-01, 2021, 2024?, 2023~, …)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_bounds(text).text
        except InvalidDate as error:
            raise ValidationError(str(error)) from None


def edtf(description: str, example=None) -> EdtfDate:
    return EdtfDate(
        allow_none=True, validate=validate.Length(max=64),
        metadata={"description": f"{description} EDTF; null when not known.", "example": example},
    )


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class PeriodSchema(StrictSchema):
    start = edtf("When it began.")
    end = edtf("When it ended.")

    @validates_schema
    def end_not_before_start(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and parse_bounds(end).latest < parse_bounds(start).earliest:
            raise ValidationError("end is before start", field_name="end")


def source_ids():
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        required=True,
        validate=[validate.Length(min=1, max=50, error="cite at least one source (at most {max})")],
        metadata={"description": "Ids of the sources cited; at least one.", "example": ["src_c486c3f5034b49a73224"]},
    )


class GovernmentBody(PeriodSchema):
    name = fields.String(required=True, validate=TEXT, metadata={"example": "Islamic Emirate of Afghanistan"})
    aliases = fields.List(
        fields.String(validate=TEXT), validate=validate.Length(max=50),
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
        required=True, validate=[validate.Regexp(SLUG, error="lower-case letters, digits and single hyphens"),
                                 validate.Length(min=2, max=64)],
        metadata={"description": "Readable slug, chosen by the editor.", "example": "af-islamic-emirate"},
    )


class RecognitionBody(PeriodSchema):
    government = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"example": "af-islamic-emirate"})
    country = CountryCode(required=True, metadata={"example": "RU"})
    form = fields.String(required=True, validate=validate.OneOf(RECOGNITION_FORMS), metadata={"example": "de_jure"})
    end_reason = fields.String(allow_none=True, validate=LONG_TEXT)
    note = fields.String(allow_none=True, validate=LONG_TEXT)
    sources = source_ids()


class AmbassadorExchangeBody(PeriodSchema):
    government = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"example": "af-islamic-emirate"})
    country = CountryCode(required=True, metadata={"example": "RU"})
    direction = fields.String(required=True, validate=validate.OneOf(EXCHANGE_DIRECTIONS), metadata={"example": "government_to_country"})
    rank = fields.String(required=True, validate=validate.OneOf(EXCHANGE_RANKS), metadata={"example": "ambassador"})
    envoy = fields.String(allow_none=True, validate=TEXT, metadata={"example": "Gul Hassan Hassan"})
    note = fields.String(allow_none=True, validate=LONG_TEXT)
    sources = source_ids()


class SourceBody(StrictSchema):
    url = fields.Url(
        allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2048),
        metadata={"example": "https://example.org/report"},
    )
    publisher = fields.String(required=True, validate=TEXT, metadata={"example": "CNN"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=1000), metadata={"example": "Report title"})
    published = edtf("When it was published.", "2025-07-03")
    kind = fields.String(required=True, validate=validate.OneOf(SOURCE_KINDS), metadata={"example": "news"})
    note = fields.String(allow_none=True, validate=LONG_TEXT)
