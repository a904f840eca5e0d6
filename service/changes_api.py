"""/v1/changes (the append-only feed) and /v1/{collection}/{id}/history.

The feed is resumable by ``seq``, which is meaningful to consumers (every entry
carries it), so it pages with ``after=SEQ`` rather than an opaque cursor: a reader
stores the last seq it processed and asks for what came after. Seqs are handed out in
commit order (``records.lock_change_log``), so a reader never skips or repeats one.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional
from urllib.parse import urlencode

from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from .api import Blueprint
from .extensions import db
from .models import CHANGE_ACTIONS, CHANGE_RESOURCES, Change
from .pagination import DEFAULT_LIMIT, MAX_LIMIT
from .representations import csv_response, wants_csv

blp = Blueprint("changes", __name__, url_prefix="/v1", description="The change feed and per-record history.")


class UtcDateTime(fields.DateTime):
    """SQLite hands back naive datetimes; the log is always UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class ChangeSchema(Schema):
    seq = fields.Integer(required=True, metadata={"example": 1})
    at = UtcDateTime(required=True, metadata={"example": "2025-07-03T18:00:00+00:00"})
    actor = fields.String(required=True, metadata={"example": "seed"})
    action = fields.String(required=True, validate=validate.OneOf(CHANGE_ACTIONS), metadata={"example": "create"})
    resource = fields.String(required=True, validate=validate.OneOf(CHANGE_RESOURCES), metadata={"example": "recognitions"})
    id = fields.String(attribute="record_id", required=True, metadata={"example": "rcg_8c6475f1647032195d51"})
    before = fields.Dict(required=True, allow_none=True, metadata={"description": "The record before; null on create."})
    after = fields.Dict(required=True, allow_none=True, metadata={"description": "The record after; null on delete."})
    reason = fields.String(required=True, allow_none=True, metadata={"example": "seed case"})


class ChangePageSchema(Schema):
    items = fields.List(fields.Nested(ChangeSchema), required=True)
    next_after = fields.Integer(
        required=True, allow_none=True,
        metadata={"description": "Pass as `after` for the next page; null when this page reached the end."},
    )


class FeedQuery(Schema):
    after = fields.Integer(
        validate=validate.Range(min=0, max=2**62), metadata={"description": "Only entries with a larger seq.", "example": 0}
    )
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_LIMIT), metadata={"description": f"default {DEFAULT_LIMIT}"})
    format = fields.String(validate=validate.OneOf(["json", "csv"]))


class ChangesQuery(FeedQuery):
    resource = fields.String(validate=validate.OneOf(CHANGE_RESOURCES), metadata={"example": "recognitions"})


CSV_COLUMNS = ("seq", "at", "actor", "action", "resource", "id", "before", "after", "reason")


def next_link(next_after: int) -> str:
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "after"] + [("after", str(next_after))]
    return f'<{request.base_url}?{urlencode(params)}>; rel="next"'


def feed_response(statement, args: dict[str, Any], name: str):
    after: int = args.get("after", 0)
    limit: int = args.get("limit", DEFAULT_LIMIT)
    rows = db.session.scalars(statement.where(Change.seq > after).order_by(Change.seq).limit(limit + 1)).all()
    next_after: Optional[int] = rows[limit - 1].seq if len(rows) > limit else None
    rows = rows[:limit]
    headers = {"Vary": "Accept"}
    if next_after is not None:
        headers["Link"] = next_link(next_after)
    schema = ChangeSchema()
    if wants_csv(args.get("format")):
        def csv_item(change: Change) -> dict:
            item = schema.dump(change)
            item["before"] = json.dumps(item["before"], sort_keys=True) if item["before"] is not None else None
            item["after"] = json.dumps(item["after"], sort_keys=True) if item["after"] is not None else None
            return item

        return csv_response(CSV_COLUMNS, (csv_item(row) for row in rows), name, headers)
    return {"items": rows, "next_after": next_after}, 200, headers


@blp.route("/changes")
@blp.arguments(ChangesQuery, location="query")
@blp.response(200, ChangePageSchema)
def list_changes(args):
    """The change feed

    Every successful write, oldest first, one entry each: `seq`, `at` (UTC), `actor`
    (the token's name), `action`, `resource`, `id`, `before`, `after` and `reason`.
    Resume with `after` set to the last `seq` you processed.
    """
    statement = select(Change)
    if "resource" in args:
        statement = statement.where(Change.resource == args["resource"])
    return feed_response(statement, args, "changes")


def add_history_route(collection: str, singular: str, label: str, id_parameter: str) -> None:
    def history(args, **view_args):
        record_id = view_args[id_parameter]
        statement = select(Change).where(Change.resource == collection, Change.record_id == record_id)
        return feed_response(statement, args, f"{collection}-{record_id}-history")

    history.__name__ = f"get_{singular}_history"
    history.__doc__ = (
        f"History of a {label}\n\nThe changes of one {label}, oldest first; kept after it is deleted "
        "(an id that never existed answers an empty list)."
    )
    blp.route(f"/{collection}/<string:{id_parameter}>/history")(
        blp.arguments(FeedQuery, location="query")(blp.response(200, ChangePageSchema)(history))
    )


# The id parameter is named as on the record's own path, so links can carry it over.
for _collection, _singular, _label, _id_parameter in (
    ("governments", "government", "government", "government_id"),
    ("recognitions", "recognition", "recognition", "record_id"),
    ("ambassador-exchanges", "ambassador_exchange", "ambassador exchange", "record_id"),
    ("sources", "source", "source", "record_id"),
):
    add_history_route(_collection, _singular, _label, _id_parameter)
