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

from flask import Response, request, stream_with_context
from flask_smorest import abort
from sqlalchemy import ColumnElement, Select, select

from . import heartbeat
from .data_version import data_version
from .extensions import db
from .version import API_VERSION
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate

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
    """A list column of a CSV export: ``value`` of every row of a link table whose
    ``owner`` is the exported row, in ``order`` (the order the JSON item lists them)."""

    owner: Any
    value: Any
    order: Any


# What an export column holds: a column of the exported table, or a list of linked values.
CsvValue = Union[ColumnElement, Linked]


def batched_rows(statement: Select, key_column, values: Mapping[str, CsvValue],
                 batch_size: int = MAX_LIMIT) -> Iterator[dict[str, Any]]:
    """Every row of ``statement`` in key order as {column: value}, one keyset batch at a time.

    Plain column values, no ORM objects or schema dumps: an export of a million rows
    must be cheap per row. ``values`` must give what the item schema gives (the wire
    columns are all strings or lists of strings; tests/test_exports.py compares the two).
    """
    plain = {name: value for name, value in values.items() if not isinstance(value, Linked)}
    linked = {name: value for name, value in values.items() if isinstance(value, Linked)}
    rows_statement = statement.with_only_columns(key_column, *plain.values())
    last_key = None
    while True:
        batch_statement = rows_statement if last_key is None else rows_statement.where(key_column > last_key)
        batch = db.session.execute(batch_statement.order_by(key_column).limit(batch_size)).all()
        keys = [row[0] for row in batch]
        lists = {name: linked_values(link, keys) for name, link in linked.items()}
        for row in batch:
            item = dict(zip(plain, row[1:]))
            for name, by_owner in lists.items():
                item[name] = by_owner.get(row[0], [])
            yield item
        # Once per batch: the export may run far longer than the worker timeout.
        heartbeat.beat()
        if len(batch) < batch_size:
            return
        last_key = keys[-1]


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


def collection_response(statement: Select, key_column, item_schema, args: Mapping[str, Any],
                        *, csv_columns: Mapping[str, CsvValue], name: str):
    """The JSON page, or the CSV export, of ``statement`` filtered by the view.

    ``csv_columns`` names the CSV columns, in order, each with where an unpaged export
    reads it from (a page is dumped with ``item_schema``, like the JSON page).
    """
    limit = args.get("limit")
    cursor = args.get("cursor")
    if wants_csv(args.get("format")):
        if limit is None and cursor is None:
            return csv_response(tuple(csv_columns), batched_rows(statement, key_column, csv_columns), name)
        page = paginate(statement, key_column, limit or MAX_LIMIT, cursor)
        link = {"Link": page.link_header()} if page.next_cursor else {}
        return csv_response(tuple(csv_columns), (item_schema.dump(item) for item in page.items), name, link)
    page = paginate(statement, key_column, limit or DEFAULT_LIMIT, cursor)
    headers = {"Vary": "Accept"}
    if page.next_cursor:
        headers["Link"] = page.link_header()
    return {"items": page.items, "next_cursor": page.next_cursor}, 200, headers

