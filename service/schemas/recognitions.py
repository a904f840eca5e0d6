"""Recognitions: a country formally recognizes a government."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import RECOGNITION_FORMS
from .fields import (
    LONG_TEXT,
    SEED_GOVERNMENT,
    CountryCode,
    PeriodSchema,
    RecordQuery,
    edtf_out,
    government_reference,
    page_of,
    source_ids,
)
from .sources import cited_source_ids


class RecognitionSchema(Schema):
    id = fields.String(required=True, metadata={"example": "rcg_8c6475f1647032195d51"})
    government = fields.String(attribute="government_id", required=True, metadata={"example": SEED_GOVERNMENT})
    country = fields.String(required=True, metadata={"example": "RU"})
    form = fields.String(required=True, validate=validate.OneOf(RECOGNITION_FORMS), metadata={"example": "de_jure"})
    start = edtf_out("2025-07-03")
    end = edtf_out()
    end_reason = fields.String(required=True, allow_none=True, metadata={"example": None})
    note = fields.String(required=True, allow_none=True)
    sources = cited_source_ids()


class RecognitionBody(PeriodSchema):
    government = government_reference()
    country = CountryCode(required=True, metadata={"example": "RU"})
    form = fields.String(required=True, validate=validate.OneOf(RECOGNITION_FORMS), metadata={"example": "de_jure"})
    end_reason = fields.String(allow_none=True, validate=LONG_TEXT)
    note = fields.String(allow_none=True, validate=LONG_TEXT)
    sources = source_ids()


class RecognitionBodyPatch(RecognitionBody):
    """The body of a PATCH: the same fields, loaded with ``partial=True``."""


class RecognitionQuery(RecordQuery):
    form = fields.String(validate=validate.OneOf(RECOGNITION_FORMS), metadata={"example": "de_jure"})


RecognitionPageSchema = page_of(RecognitionSchema, "RecognitionPage")
