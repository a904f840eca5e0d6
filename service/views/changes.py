"""/v1/changes (the append-only feed) and /v1/<name>/<id>/history (one record's changes).

The feed is resumable by ``seq``, which is meaningful to consumers (every entry
carries it), so it pages with ``after=SEQ`` rather than an opaque cursor: a reader
stores the last seq it processed and asks for what came after. Seqs are handed out in
commit order (``service.store.changes.lock_change_log``), so a reader never skips or
repeats one.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import urlencode

from flask import request
from flask.views import MethodView
from sqlalchemy import Select, select

from ..http.api import Blueprint
from ..http.negotiation import csv_response, wants_csv
from ..schemas.changes import CSV_COLUMNS, ChangePageSchema, ChangeSchema, ChangesQuery, FeedQuery
from ..schemas.fields import DEFAULT_LIMIT
from ..store.database import db
from ..store.models import Change
from ..store.registry import RESOURCES, Resource
from .declare import NEGOTIATED_HEADERS, declared, listing, may_not_find, templated_doc

blp = Blueprint("changes", __name__, url_prefix="/v1", description="The change feed and per-record history.")


def next_link(next_after: int) -> str:
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "after"] + [("after", str(next_after))]
    return f'<{request.base_url}?{urlencode(params)}>; rel="next"'


def csv_item(schema: ChangeSchema, change: Change) -> dict:
    """A change as a CSV row: ``before`` and ``after`` as JSON text."""
    item = schema.dump(change)
    for name in ("before", "after"):
        item[name] = json.dumps(item[name], sort_keys=True) if item[name] is not None else None
    return item


def feed_response(statement: Select, args: dict[str, Any], name: str):
    after: int = args.get("after", 0)
    limit: int = args.get("limit", DEFAULT_LIMIT)
    rows = db.session.scalars(statement.where(Change.seq > after).order_by(Change.seq).limit(limit + 1)).all()
    next_after: int | None = rows[limit - 1].seq if len(rows) > limit else None
    rows = rows[:limit]
    headers = {"Vary": "Accept"}
    if next_after is not None:
        headers["Link"] = next_link(next_after)
    if wants_csv(args.get("format")):
        schema = ChangeSchema()
        return csv_response(CSV_COLUMNS, (csv_item(schema, row) for row in rows), name, headers)
    return {"items": rows, "next_after": next_after}, 200, headers


@blp.route("/changes")
class Changes(MethodView):
    @blp.doc(operationId="listChanges")
    @listing(blp, ChangesQuery, ChangePageSchema, NEGOTIATED_HEADERS)
    def get(self, args: dict):
        """The change feed

        Every successful write, oldest first, one entry each: `seq`, `at` (UTC), `actor`
        (the token's name), `action`, `resource`, `id`, `before`, `after` and `reason`.
        Resume with `after` set to the last `seq` you processed.
        """
        statement = select(Change)
        if "resource" in args:
            statement = statement.where(Change.resource == args["resource"])
        return feed_response(statement, args, "changes")


class RecordHistory(MethodView):
    """The changes of one record of a stored resource, by id; bound per resource below."""

    resource: ClassVar[Resource]

    def get(self, args: dict, **view_args: str):
        """History of a {label}

        The changes of one {label}, oldest first; kept after it is deleted (an id that
        never existed answers an empty list).
        """
        collection, record_id = self.resource.name, view_args[self.resource.id_parameter]
        statement = select(Change).where(Change.resource == collection, Change.record_id == record_id)
        return feed_response(statement, args, f"{collection}-{record_id}-history")


def register_history(resource: Resource) -> None:
    """GET /v1/<name>/<id>/history for ``resource``; the id is named as on the record's
    own path, so contract links can carry it over."""
    get = declared(
        templated_doc(blp, RecordHistory.get, f"get{resource.title}History", {"label": resource.label}),
        may_not_find(blp),
        listing(blp, FeedQuery, ChangePageSchema, NEGOTIATED_HEADERS),
    )
    view = type(f"{resource.title}History", (RecordHistory,), {"resource": resource, "get": get})
    blp.route(f"/{resource.name}/<string:{resource.id_parameter}>/history", endpoint=f"{resource.key}_history")(view)


for stored in RESOURCES:
    register_history(stored)
