"""Content negotiation, JSON pages and streamed CSV for every collection.

CSV is chosen by ``format=csv`` or an ``Accept`` header that prefers ``text/csv``.
It has the same filters and columns as the JSON items; without ``limit`` or
``cursor`` it streams every matching row (fetched in keyset batches, so memory stays
constant however large the export), with them it is the same page as the JSON answer.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

import orjson
from flask import Response, request, stream_with_context
from flask_smorest import abort
from sqlalchemy import ColumnElement, Select, select

from . import heartbeat
from .data_version import data_version
from .extensions import db
from .version import API_VERSION
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor

JSON = "application/json"
CSV = "text/csv"


def wants_csv(format_param: Optional[str], csv_allowed: bool = True) -> bool:
    """Decide between JSON and CSV; 406 when the caller accepts neither."""
    if format_param == "csv":
        return True
    if format_param == "json":
        return False
    offered = [JSON, "application/problem+json", CSV] if csv_allowed else [JSON, "application/problem+json"]
    if not request.headers.get("Accept"):
        return False
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        abort(406, message=f"This resource is available as {' or '.join(o for o in offered if o != 'application/problem+json')}.")
    return best == CSV


def json_only(view: Callable) -> Callable:
    """For views that answer JSON only: 406 when the caller accepts no JSON."""

    @functools.wraps(view)
    def negotiated(*args, **kwargs):
        wants_csv(None, csv_allowed=False)
        return view(*args, **kwargs)

    return negotiated


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(csv_cell(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_lines(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Sequence[str]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(columns)
    for row in rows:
        yield line([csv_cell(row.get(column)) for column in columns])


def versioned_etag(kind: str, *parts: str) -> str:
    """A strong validator known before the answer is built: the same request, data
    version and ``parts`` (whatever else the answer depends on, such as a default
    day) give the same bytes. Any write moves the data version, on every worker and
    replica, so a validator never outlives the data it describes."""
    key = "|".join((API_VERSION, kind, request.full_path, str(data_version()), *parts))
    return f'"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:40]}"'


def not_modified(etag: str) -> bool:
    return request.if_none_match.contains(etag.strip('"'))


def safe_filename(name: str) -> str:
    """Names can come from the URL: keep a header-safe subset of characters."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:100] or "export"


def csv_response(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], filename: str,
                 extra_headers: Optional[Mapping[str, str]] = None, etag: Optional[str] = None) -> Response:
    etag = etag or versioned_etag("csv")
    headers = {
        "ETag": etag,
        "Vary": "Accept",
        "Content-Disposition": f'attachment; filename="{safe_filename(filename)}.csv"',
        **(extra_headers or {}),
    }
    if not_modified(etag):
        return Response(status=304, headers=headers)
    return Response(
        stream_with_context(csv_lines(columns, rows)),
        mimetype=CSV,
        headers=headers,
    )


@dataclass(frozen=True)
class Linked:
    """A list field of an item: ``value`` of every row of a link table whose ``owner``
    is the item's row, in ``order`` (the order the item schema lists them)."""

    owner: Any
    value: Any
    order: Any


# Where an item's field is read from: a column of the table, or a list of linked values.
WireValue = Union[ColumnElement, Linked]


class WireReader:
    """Rows of a filtered statement as their wire dicts, read column by column.

    ``columns`` maps each field of the item schema, in its order, to the column it is
    read from (or the link table listing it): no ORM objects and no schema dumps, so a
    page or an export costs little per row. tests/test_exports.py checks both against
    the item schema's dumps, key order included.
    """

    def __init__(self, statement: Select, key_column, columns: Mapping[str, WireValue]):
        self.key_column = key_column
        self.names = tuple(columns)
        self.plain = {name: value for name, value in columns.items() if not isinstance(value, Linked)}
        self.linked = {name: value for name, value in columns.items() if isinstance(value, Linked)}
        self.statement = statement.with_only_columns(key_column, *self.plain.values())

    def read(self, after: Optional[Any], limit: int) -> tuple[list[dict[str, Any]], list[Any]]:
        """Up to ``limit`` rows after the key ``after`` (from the start when None), and their keys."""
        statement = self.statement if after is None else self.statement.where(self.key_column > after)
        rows = db.session.execute(statement.order_by(self.key_column).limit(limit)).all()
        keys = [row[0] for row in rows]
        lists = {name: linked_values(link, keys) for name, link in self.linked.items()}
        items = []
        for row in rows:
            values = dict(zip(self.plain, row[1:]))
            for name, by_owner in lists.items():
                values[name] = by_owner.get(row[0], [])
            items.append({name: values[name] for name in self.names})
        return items, keys


def batched_rows(reader: WireReader, batch_size: int = MAX_LIMIT) -> Iterator[dict[str, Any]]:
    """Every row in key order, one keyset batch at a time (memory stays flat)."""
    last_key = None
    while True:
        batch, keys = reader.read(last_key, batch_size)
        yield from batch
        # Once per batch: the export may run far longer than the worker timeout.
        heartbeat.beat()
        if len(batch) < batch_size:
            return
        last_key = keys[-1]


def wire_page(reader: WireReader, limit: int, cursor: Optional[str]) -> Page:
    """One keyset page; one row more than asked tells whether another page follows."""
    items, keys = reader.read(decode_cursor(cursor) if cursor else None, limit + 1)
    has_more = len(items) > limit
    return Page(items=items[:limit], next_cursor=encode_cursor(keys[limit - 1]) if has_more else None)


def linked_values(link: Linked, owners: Sequence[Any]) -> dict[Any, list[Any]]:
    if not owners:
        return {}
    found: dict[Any, list[Any]] = {}
    rows = db.session.execute(
        select(link.owner, link.value).where(link.owner.in_(owners)).order_by(link.owner, link.order)
    )
    for owner, value in rows:
        found.setdefault(owner, []).append(value)
    return found


def collection_response(statement: Select, key_column, args: Mapping[str, Any],
                        *, columns: Mapping[str, WireValue], name: str):
    """The JSON page, or the CSV export, of ``statement`` filtered by the view.

    ``columns`` names the item's fields, in order, each with where it is read from;
    the CSV has the same columns. The JSON page is encoded here (orjson) instead of
    by the response schema: the rows already are what the schema would dump.
    """
    limit = args.get("limit")
    cursor = args.get("cursor")
    reader = WireReader(statement, key_column, columns)
    if wants_csv(args.get("format")):
        if limit is None and cursor is None:
            return csv_response(reader.names, batched_rows(reader), name)
        page = wire_page(reader, limit or MAX_LIMIT, cursor)
        link = {"Link": page.link_header()} if page.next_cursor else {}
        return csv_response(reader.names, page.items, name, link)
    page = wire_page(reader, limit or DEFAULT_LIMIT, cursor)
    headers = {"Vary": "Accept"}
    if page.next_cursor:
        headers["Link"] = page.link_header()
    body = orjson.dumps({"items": page.items, "next_cursor": page.next_cursor})
    return Response(body, mimetype=JSON, headers=headers)
