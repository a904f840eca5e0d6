"""Content negotiation, and CSV as a second representation.

CSV is chosen by ``format=csv`` or an ``Accept`` header that prefers ``text/csv``; a
caller accepting neither JSON nor what else the resource has gets 406.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from flask import Response, request, stream_with_context
from flask_smorest import abort

from .caching import not_modified, versioned_etag
from .problems import PROBLEM_MIMETYPE

JSON = "application/json"
CSV = "text/csv"


def wants_csv(format_param: str | None, csv_allowed: bool = True) -> bool:
    """Decide between JSON and CSV; 406 when the caller accepts neither."""
    if format_param == "csv":
        return True
    if format_param == "json":
        return False
    offered = [JSON, PROBLEM_MIMETYPE, CSV] if csv_allowed else [JSON, PROBLEM_MIMETYPE]
    if not request.headers.get("Accept"):
        return False
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        abort(406, message=f"This resource is available as {' or '.join(o for o in offered if o != PROBLEM_MIMETYPE)}.")
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


def safe_filename(name: str) -> str:
    """Names can come from the URL: keep a header-safe subset of characters."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:100] or "export"


def attachment(name: str) -> dict[str, str]:
    """The ``Content-Disposition`` of a CSV download named after ``name``."""
    return {"Content-Disposition": f'attachment; filename="{safe_filename(name)}.csv"'}


def csv_response(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    filename: str,
    extra_headers: Mapping[str, str] | None = None,
    etag: str | None = None,
) -> Response:
    etag = etag or versioned_etag("csv")
    headers = {"ETag": etag, "Vary": "Accept", **attachment(filename), **(extra_headers or {})}
    if not_modified(etag):
        return Response(status=304, headers=headers)
    return Response(stream_with_context(csv_lines(columns, rows)), mimetype=CSV, headers=headers)
