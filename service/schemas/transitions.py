"""Status changes: the wire form of a transition, its page, its queries and its CSV form.

The JSON is written once, when the transition is recorded (``service.store.transitions``),
and served as stored; these schemas document it. A webhook delivery's body is the same
object.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import CATEGORIES, CERTAINTIES
from .changes import FeedQuery, next_after_field
from .fields import DEFAULT_LIMIT, MAX_LIMIT, SEED_GOVERNMENT, UtcDateTime, choice_out, country_param
from .governments import GovernmentRefSchema
from .relations import BasisSchema
from .sources import SourceSchema


class StatusSchema(Schema):
    category = choice_out(CATEGORIES, "The category, from the records in force alone.", "recognized")
    certainty = choice_out(
        CERTAINTIES,
        "`established`, `uncertain` (records possibly in force could make it `possible_category`) or `no_records`.",
        "established",
    )
    possible_category = choice_out(
        CATEGORIES, "The category if every record possibly in force were in force.", "recognized"
    )


class DatedBySchema(Schema):
    resource = choice_out(
        ("recognitions", "ambassador-exchanges", "sources"), "Whose date it is: `/v1/{resource}/{id}`.", "recognitions"
    )
    id = fields.String(required=True, metadata={"example": "rcg_8c6475f1647032195d51"})
    field = choice_out(
        ("start", "end", "published"),
        "Which date: a record's `start` or `end`, or, for a record without a start, the `published` day of the "
        "source that reported it.",
        "start",
    )


class EffectiveSchema(Schema):
    day = fields.Date(
        required=True,
        metadata={"description": "The first day on which the new status holds.", "example": "2025-07-03"},
    )
    edtf = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The date, as given (EDTF), that the day comes from, with its precision: `2025-07` "
            "for a start in July 2025 (whose `day` is then 31 July, when it had surely begun, or 1 July, "
            "when it may have); null when no single date gives the day.",
            "example": "2025-07-03",
        },
    )
    dated_by = fields.Nested(DatedBySchema, required=True, allow_none=True)


class CorrectedSchema(Schema):
    from_ = fields.Nested(
        StatusSchema,
        data_key="from",
        required=True,
        metadata={"description": "The status `effective.day` had before the write."},
    )
    to = fields.Nested(StatusSchema, required=True, metadata={"description": "Its status since the write."})


class StatusChangeSchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "Resume a feed after it.", "example": 1})
    government = fields.Nested(GovernmentRefSchema, required=True)
    country = fields.String(required=True, metadata={"example": "RU"})
    country_name = fields.String(required=True, metadata={"example": "Russian Federation"})
    title = fields.String(
        required=True,
        metadata={
            "description": "The change in plain words; an uncertain status says so.",
            "example": "Russian Federation: no records → recognized, from 3 July 2025",
        },
    )
    from_ = fields.Nested(
        StatusSchema,
        data_key="from",
        required=True,
        metadata={
            "description": "The status the pair was answered with (today) just before the write. A pair's "
            "changes chain: each one's `from` is the previous one's `to`."
        },
    )
    to = fields.Nested(
        StatusSchema,
        required=True,
        metadata={
            "description": "The status the pair is answered with (today) since the write; equal to `from` when "
            "`corrects_another_day` (the correction is in `corrected`)."
        },
    )
    effective = fields.Nested(
        EffectiveSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "From which day `to` holds; null when the records give no first day: it holds from an "
            "unknown day (say, a record without a start, reported on some day)."
        },
    )
    corrects_another_day = fields.Boolean(
        required=True,
        metadata={
            "description": "true when the status today is unchanged and the write corrected another day's (an "
            "edited start date, say): `effective` is then the first day whose status changed, and `corrected` "
            "says how.",
            "example": False,
        },
    )
    corrected = fields.Nested(
        CorrectedSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "For a correction (`corrects_another_day`): the status on `effective.day` before and "
            "after the write; null otherwise."
        },
    )
    at = UtcDateTime(required=True, metadata={"example": "2025-07-03T18:00:00+00:00"})
    change = fields.Integer(
        required=True, metadata={"description": "The `seq` of the write in `/v1/changes`.", "example": 5}
    )
    actor = fields.String(required=True, metadata={"example": "seed"})
    reason = fields.String(required=True, allow_none=True, metadata={"example": "seed case"})
    basis = fields.List(
        fields.Nested(BasisSchema),
        required=True,
        metadata={
            "description": "The records that decide `to` (and those that could change it), with their state on "
            "the day `to` is shown for: today, or `effective.day` when `corrects_another_day`."
        },
    )
    sources = fields.List(
        fields.Nested(SourceSchema), required=True, metadata={"description": "The sources of the records shown."}
    )


class StatusChangePageSchema(Schema):
    items = fields.List(fields.Nested(StatusChangeSchema), required=True)
    next_after = next_after_field()


def category_param() -> fields.String:
    return fields.String(
        validate=validate.OneOf(CATEGORIES),
        metadata={
            "description": "Only changes whose new status (`to.category`) is this category. An uncertain "
            "`to` counts by its `category`, not its `possible_category`.",
            "example": "recognized",
        },
    )


class StatusChangesQuery(FeedQuery):
    country = country_param("Only changes of this country (ISO 3166-1 alpha-2 or alpha-3, any case).")
    category = category_param()


class AllStatusChangesQuery(StatusChangesQuery):
    government = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Only changes of this government.", "example": SEED_GOVERNMENT},
    )


class AtomQuery(Schema):
    country = country_param("Only changes of this country.")
    category = category_param()
    limit = fields.Integer(
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Entries, newest first; default {DEFAULT_LIMIT}."},
    )


CSV_COLUMNS = (
    "seq",
    "at",
    "government",
    "country",
    "country_name",
    "from_category",
    "from_certainty",
    "from_possible_category",
    "to_category",
    "to_certainty",
    "to_possible_category",
    "effective_day",
    "effective_edtf",
    "corrects_another_day",
    "title",
    "change",
    "actor",
    "reason",
    "sources",
    "source_titles",
    "source_urls",
    # Added after the first columns, so readers that index columns keep working.
    "effective_dated_by",
    "effective_dated_by_id",
    "corrected_from_category",
    "corrected_from_certainty",
    "corrected_to_category",
    "corrected_to_certainty",
)
CSV_LIST_SEPARATOR = " | "
# How the effective day is dated: a record's own date, or (no start given) its first report's day.
DATED_BY_WORDS = {"start": "record start", "end": "record end", "published": "first report"}


def csv_row(item: dict[str, Any]) -> dict[str, Any]:
    """A transition as a CSV row: its statuses and effective day spread over columns."""
    effective = item["effective"] or {}
    dated = effective.get("dated_by")
    corrected = item.get("corrected")
    row = {name: item.get(name) for name in ("seq", "at", "country", "country_name", "title", "change", "actor")}
    for side in ("from", "to"):
        for part in ("category", "certainty", "possible_category"):
            row[f"{side}_{part}"] = item[side][part]
    return {
        **row,
        "government": item["government"]["id"],
        "effective_day": effective.get("day"),
        "effective_edtf": effective.get("edtf"),
        "corrects_another_day": item["corrects_another_day"],
        "reason": item["reason"],
        "sources": [source["id"] for source in item["sources"]],
        "source_titles": CSV_LIST_SEPARATOR.join(source["title"] for source in item["sources"]),
        "source_urls": CSV_LIST_SEPARATOR.join(source["url"] or "" for source in item["sources"]),
        "effective_dated_by": DATED_BY_WORDS[dated["field"]] if dated else None,
        "effective_dated_by_id": dated["id"] if dated else None,
        **{
            f"corrected_{side}_{part}": corrected[side][part] if corrected else None
            for side in ("from", "to")
            for part in ("category", "certainty")
        },
    }
