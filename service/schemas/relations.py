"""The relations answer: per country, the status a government's records add up to.

Its JSON is built by ``service.domain.relations`` (and encoded as is); these schemas
document it. ``CSV_COLUMNS`` and ``csv_row`` are its CSV form.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import CATEGORIES, CERTAINTIES, EXCHANGE_DIRECTIONS, EXCHANGE_RANKS, FORCE_STATES
from .ambassador_exchanges import AmbassadorExchangeSchema
from .fields import as_known_at_param, as_of_param, choice_out, lang_param
from .governments import GovernmentRefSchema
from .recognitions import RecognitionSchema
from .sources import SourceSchema

AS_OF = "The day the answer is for (YYYY-MM-DD); default today (UTC)."


class RelationQuery(Schema):
    as_of = as_of_param(AS_OF)
    as_known_at = as_known_at_param()
    lang = lang_param()


class RelationsQuery(RelationQuery):
    format = fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "`csv` gives the rows as CSV (like `Accept: text/csv`)."},
    )


PICTURE_WIDTHS = (640, 1280)


class PictureQuery(RelationQuery):
    width = fields.Integer(
        load_default=1280,
        validate=validate.OneOf(PICTURE_WIDTHS),
        metadata={
            "description": "The picture's width in pixels: 640 (an article column) or 1280 (wide, or sharp on "
            "high-density screens). Text keeps its size in pixels; the height follows.",
            "example": 640,
        },
    )


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


class BasisSchema(Schema):
    id = fields.String(
        required=True, metadata={"description": "The record's id.", "example": "amb_282baa660b1a189c62de"}
    )
    resource = choice_out(
        ("recognitions", "ambassador-exchanges"), "Its collection: `/v1/{resource}/{id}`.", "ambassador-exchanges"
    )
    state = choice_out(
        FORCE_STATES,
        "Its state on `as_of`: `in_force` (it decides the category), `possibly_in_force` (it could change the "
        "category), `not_in_force` (it is why an established category is `none`).",
        "possibly_in_force",
    )


class RelationSchema(Schema):
    country = fields.String(required=True, metadata={"example": "RU"})
    country_name = fields.String(required=True, metadata={"example": "Russian Federation"})
    category = choice_out(
        CATEGORIES, "Decided by the records in force on `as_of` alone; see `certainty`.", "recognized"
    )
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
        metadata={"description": "Every source cited by the records in force and by the records in `basis`."},
    )
    certainty = choice_out(
        CERTAINTIES,
        "`established`: the records settle the category on `as_of`. `uncertain`: records possibly in force that "
        "day (vague dates, or no start and not yet reported) could make it `possible_category`. `no_records`: "
        "nothing is on file for the pair, so `none` means only that.",
        "established",
    )
    possible_category = choice_out(
        CATEGORIES,
        "The category if every record possibly in force were in force; equal to `category` unless `certainty` is "
        "`uncertain`.",
        "recognized",
    )
    basis = fields.List(
        fields.Nested(BasisSchema),
        required=True,
        metadata={
            "description": "The records that decide the category and those that could change it, each with its "
            "state on `as_of`; for an established `none`, the records known not to be in force.",
            # The seed's Russia on 2025-07-04, as the row's other examples describe it.
            "example": [{"id": "rcg_8c6475f1647032195d51", "resource": "recognitions", "state": "in_force"}],
        },
    )
    known_since = fields.Date(
        required=True,
        allow_none=True,
        metadata={
            "description": "The first day from which the category has been established without a break up to "
            "`as_of`; null when it is not established, or when the records give no such day.",
            "example": "2025-07-03",
        },
    )


class FirstRecognitionSchema(Schema):
    country = fields.String(required=True, metadata={"example": "RU"})
    start = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The recognition's start (EDTF); null when no source gives it.",
            "example": "2025-07-03",
        },
    )
    recognition = fields.String(required=True, metadata={"example": "rcg_8c6475f1647032195d51"})
    sources = fields.List(fields.Nested(SourceSchema), required=True)
    certainty = choice_out(
        CERTAINTIES[:2],
        "`established` when it had surely begun by `as_of` and no other country's recognition can have begun "
        "before it; else `uncertain`.",
        "established",
    )
    known_since = fields.Date(
        required=True,
        allow_none=True,
        metadata={
            "description": "The day by which it had surely begun (its start's latest day or, for an unknown start, "
            "its earliest source's); null when that is after `as_of`.",
            "example": "2025-07-03",
        },
    )


class CountsSchema(Schema):
    recognized = fields.Integer(required=True, metadata={"example": 1})
    ambassadors_exchanged = fields.Integer(required=True, metadata={"example": 2})
    limited_relations = fields.Integer(required=True, metadata={"example": 1})
    none = fields.Integer(required=True, metadata={"example": 0})


class RelationsSchema(Schema):
    government = fields.Nested(GovernmentRefSchema, required=True)
    as_of = fields.Date(required=True, metadata={"example": "2025-07-04"})
    counts = fields.Nested(CountsSchema, required=True)
    uncertain = fields.Integer(
        required=True, metadata={"description": "How many rows have `certainty: uncertain`.", "example": 0}
    )
    first_recognized_by = fields.Nested(
        FirstRecognitionSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "The earliest recognition that had begun by `as_of`, ended or not, with its `certainty`; "
            "when none had surely begun, the one that may have begun first (`uncertain`); null when no "
            "recognition can have begun by `as_of`."
        },
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
    # Added in 1.1, after the others so that readers by position keep working.
    "as_of",
    "certainty",
    "possible_category",
    "known_since",
    "envoy_name_government_to_country",
    "envoy_name_country_to_government",
    "source_titles",
    "source_urls",
)
CSV_LIST_SEPARATOR = " | "  # titles may hold the ";" that joins plain lists


def csv_row(row: dict[str, Any], as_of: str) -> dict[str, Any]:
    """One row of the answer as a CSV row: the recognition's form and start, the envoys' ranks and
    names, how sure the row is, and the sources' ids, titles and URLs (in the same order)."""
    recognition = row["recognition"] or {}
    envoy_names = {
        direction: [e["envoy"] for e in row["exchanges"] if e["direction"] == direction and e["envoy"]]
        for direction in EXCHANGE_DIRECTIONS
    }
    return {
        "country": row["country"],
        "country_name": row["country_name"],
        "category": row["category"],
        "recognition_form": recognition.get("form"),
        "recognition_start": recognition.get("start"),
        "envoy_government_to_country": row["envoys"]["government_to_country"],
        "envoy_country_to_government": row["envoys"]["country_to_government"],
        "sources": [source["id"] for source in row["sources"]],
        "as_of": as_of,
        "certainty": row["certainty"],
        "possible_category": row["possible_category"],
        "known_since": row["known_since"],
        "envoy_name_government_to_country": envoy_names["government_to_country"],
        "envoy_name_country_to_government": envoy_names["country_to_government"],
        "source_titles": CSV_LIST_SEPARATOR.join(source["title"] for source in row["sources"]),
        "source_urls": CSV_LIST_SEPARATOR.join(source["url"] or "" for source in row["sources"]),
    }
