"""Recognitions: a country formally recognizes a government."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import RECOGNITION_FORMS
from .fields import (
    LONG_TEXT,
    SEED_GOVERNMENT,
    RecordBody,
    RecordQuery,
    edtf_out,
    source_ids,
)
from .sources import cited_source_ids
from .wire import Wire


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


class RecognitionBody(RecordBody):
    form = fields.String(required=True, validate=validate.OneOf(RECOGNITION_FORMS), metadata={"example": "de_jure"})
    end_reason = fields.String(allow_none=True, validate=LONG_TEXT)
    note = fields.String(allow_none=True, validate=LONG_TEXT)
    sources = source_ids()


class RecognitionQuery(RecordQuery):
    form = fields.String(validate=validate.OneOf(RECOGNITION_FORMS), metadata={"example": "de_jure"})


DESCRIPTION = "Formal recognitions of a government by a country."
LIST_DESCRIPTION = (
    "Ordered by id. `as_of` keeps the records in force on that day; with `force`, those possibly in force "
    "(or not in force) instead."
)
WIRE = Wire(RecognitionSchema, RecognitionBody, RecognitionQuery, DESCRIPTION, LIST_DESCRIPTION)
