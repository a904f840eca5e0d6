"""Ambassador exchanges: accreditations between a country and a government, one direction each."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import EXCHANGE_DIRECTIONS, EXCHANGE_RANKS
from .fields import (
    LONG_TEXT,
    SEED_GOVERNMENT,
    TEXT,
    RecordBody,
    RecordQuery,
    edtf_out,
    source_ids,
)
from .sources import cited_source_ids
from .wire import Wire


def direction(**kwargs) -> fields.String:
    return fields.String(
        validate=validate.OneOf(EXCHANGE_DIRECTIONS), metadata={"example": "government_to_country"}, **kwargs
    )


def rank(**kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(EXCHANGE_RANKS), metadata={"example": "ambassador"}, **kwargs)


class AmbassadorExchangeSchema(Schema):
    id = fields.String(required=True, metadata={"example": "amb_2aea7fa72a0ebd430aeb"})
    government = fields.String(attribute="government_id", required=True, metadata={"example": SEED_GOVERNMENT})
    country = fields.String(required=True, metadata={"example": "RU"})
    direction = direction(required=True)
    rank = rank(required=True)
    envoy = fields.String(required=True, allow_none=True, metadata={"example": "Gul Hassan Hassan"})
    start = edtf_out()
    end = edtf_out()
    note = fields.String(required=True, allow_none=True)
    sources = cited_source_ids()


class AmbassadorExchangeBody(RecordBody):
    direction = direction(required=True)
    rank = rank(required=True)
    envoy = fields.String(allow_none=True, validate=TEXT, metadata={"example": "Gul Hassan Hassan"})
    note = fields.String(allow_none=True, validate=LONG_TEXT)
    sources = source_ids()


class AmbassadorExchangeQuery(RecordQuery):
    direction = direction()
    rank = rank()


DESCRIPTION = "Accreditations between a country and a government, one direction each."
LIST_DESCRIPTION = (
    "Ordered by id. `as_of` keeps the accreditations in force on that day; with `force`, those possibly "
    "in force (or not in force) instead."
)
WIRE = Wire(AmbassadorExchangeSchema, AmbassadorExchangeBody, AmbassadorExchangeQuery, DESCRIPTION, LIST_DESCRIPTION)
