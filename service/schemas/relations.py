"""The relations answer: per country, the status a government's records add up to.

Its JSON is built by ``service.domain.relations`` (and encoded as is); these schemas
document it. ``CSV_COLUMNS`` and ``csv_row`` are its CSV form.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import CATEGORIES, EXCHANGE_RANKS
from .ambassador_exchanges import AmbassadorExchangeSchema
from .fields import as_known_at_param, as_of_param
from .governments import GovernmentRefSchema
from .recognitions import RecognitionSchema
from .sources import SourceSchema

AS_OF = "The day the answer is for (YYYY-MM-DD); default today (UTC)."


class RelationsQuery(Schema):
    as_of = as_of_param(AS_OF)
    as_known_at = as_known_at_param()
    format = fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "`csv` gives the rows as CSV (like `Accept: text/csv`)."},
    )


class RelationQuery(Schema):
    as_of = as_of_param(AS_OF)
    as_known_at = as_known_at_param()


def envoy_rank(description: str) -> fields.String:
    return fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(EXCHANGE_RANKS),
        metadata={"description": description, "example": "ambassador"},
    )


class EnvoysSchema(Schema):
    government_to_country = envoy_rank("Rank in force of the government's envoy accepted by the country.")
    country_to_government = envoy_rank("Rank in force of the country's envoy posted to the government.")


class RelationSchema(Schema):
    country = fields.String(required=True, metadata={"example": "RU"})
    country_name = fields.String(required=True, metadata={"example": "Russian Federation"})
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES), metadata={"example": "recognized"})
    recognition = fields.Nested(
        RecognitionSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The recognition in force, or null."},
    )
    envoys = fields.Nested(EnvoysSchema, required=True)
    exchanges = fields.List(
        fields.Nested(AmbassadorExchangeSchema),
        required=True,
        metadata={"description": "The accreditations in force."},
    )
    sources = fields.List(
        fields.Nested(SourceSchema),
        required=True,
        metadata={"description": "Every source cited by the records in force."},
    )


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
        FirstRecognitionSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The earliest recognition that had begun by `as_of`, ended or not; null if none."},
    )
    items = fields.List(fields.Nested(RelationSchema), required=True)


class SingleRelationSchema(RelationSchema):
    government = fields.Nested(GovernmentRefSchema, required=True)
    as_of = fields.Date(required=True, metadata={"example": "2025-07-04"})


CSV_COLUMNS = (
    "country",
    "country_name",
    "category",
    "recognition_form",
    "recognition_start",
    "envoy_government_to_country",
    "envoy_country_to_government",
    "sources",
)


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """One row of the answer as a CSV row: the recognition's form and start, the envoys' ranks, source ids."""
    recognition = row["recognition"] or {}
    return {
        "country": row["country"],
        "country_name": row["country_name"],
        "category": row["category"],
        "recognition_form": recognition.get("form"),
        "recognition_start": recognition.get("start"),
        "envoy_government_to_country": row["envoys"]["government_to_country"],
        "envoy_country_to_government": row["envoys"]["country_to_government"],
        "sources": [source["id"] for source in row["sources"]],
    }
