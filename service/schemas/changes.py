"""The change feed and per-record history: one entry per successful write."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import CHANGE_ACTIONS, CHANGE_RESOURCES
from .fields import DEFAULT_LIMIT, MAX_LIMIT, UtcDateTime


class ChangeSchema(Schema):
    seq = fields.Integer(required=True, metadata={"example": 1})
    at = UtcDateTime(required=True, metadata={"example": "2025-07-03T18:00:00+00:00"})
    actor = fields.String(required=True, metadata={"example": "seed"})
    action = fields.String(required=True, validate=validate.OneOf(CHANGE_ACTIONS), metadata={"example": "create"})
    resource = fields.String(
        required=True, validate=validate.OneOf(CHANGE_RESOURCES), metadata={"example": "recognitions"}
    )
    id = fields.String(attribute="record_id", required=True, metadata={"example": "rcg_8c6475f1647032195d51"})
    before = fields.Dict(required=True, allow_none=True, metadata={"description": "The record before; null on create."})
    after = fields.Dict(required=True, allow_none=True, metadata={"description": "The record after; null on delete."})
    reason = fields.String(required=True, allow_none=True, metadata={"example": "seed case"})


def next_after_field() -> fields.Integer:
    """The seq a feed page resumes after: every feed paged with ``after=SEQ`` has it."""
    return fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `after` for the next page; null when this page reached the end."},
    )


class ChangePageSchema(Schema):
    items = fields.List(fields.Nested(ChangeSchema), required=True)
    next_after = next_after_field()


class FeedQuery(Schema):
    after = fields.Integer(
        validate=validate.Range(min=0, max=2**62),
        metadata={"description": "Only entries with a larger seq.", "example": 0},
    )
    limit = fields.Integer(
        validate=validate.Range(min=1, max=MAX_LIMIT), metadata={"description": f"default {DEFAULT_LIMIT}"}
    )
    format = fields.String(validate=validate.OneOf(["json", "csv"]))


class ChangesQuery(FeedQuery):
    resource = fields.String(validate=validate.OneOf(CHANGE_RESOURCES), metadata={"example": "recognitions"})


# Columns of the CSV form; ``before`` and ``after`` are JSON text there.
CSV_COLUMNS = ("seq", "at", "actor", "action", "resource", "id", "before", "after", "reason")
