"""Content negotiation: the representation, the reader's languages, and CSV as a second
representation.

CSV is chosen by ``format=csv`` or an ``Accept`` header that prefers ``text/csv``; a
caller accepting neither JSON nor what else the resource has gets 406. Some resources
also offer SVG (a picture of the answer) or HTML (a browser is sent to the page).

Languages: ``?lang=`` (one BCP 47 tag) overrides ``Accept-Language``; either is matched
to the country-name catalogues by ``service.domain.countries.negotiate``. Whatever is
asked, the chain ends with English, so an unknown or malformed tag gives English, and
``Content-Language`` says which languages the answer holds.
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
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from ..domain.countries import content_languages, negotiate
from .caching import not_modified, versioned_etag
from .problems import PROBLEM_MIMETYPE

JSON = "application/json"
CSV = "text/csv"
SVG = "image/svg+xml"
HTML = "text/html"
MAX_WANTED_LANGUAGES = 10  # an Accept-Language listing more says nothing more


def representation(format_param: str | None, offered: Sequence[str] = (JSON, CSV)) -> str:
    """The media type to answer with, of ``offered`` (the first is the default): ``format``
    decides between JSON and CSV, else ``Accept``; 406 when the caller accepts none."""
    if format_param in ("csv", "json"):
        return CSV if format_param == "csv" else JSON
    if not request.headers.get("Accept"):
        return offered[0]
    # problem+json stands for JSON: a client that reads our errors reads our answers.
    best = request.accept_mimetypes.best_match([offered[0], PROBLEM_MIMETYPE, *offered[1:]])
    if best is None:
        abort(406, message=f"This resource is available as {' or '.join(offered)}.")
    return offered[0] if best == PROBLEM_MIMETYPE else best


def wants_csv(format_param: str | None, csv_allowed: bool = True) -> bool:
    """Decide between JSON and CSV; 406 when the caller accepts neither."""
    return representation(format_param, (JSON, CSV) if csv_allowed else (JSON,)) == CSV


def reader_languages() -> tuple[str, ...]:
    """The languages to answer in, best first, ending with English: ``?lang=`` when given,
    else ``Accept-Language`` (quality order; ``q=0`` and ``*`` name nothing)."""
    given = request.args.get("lang")
    header = request.headers.get("Accept-Language", "")
    if given is None and len(header) > 200:  # unusual: not worth a place in the cache
        return languages_for(None, header)
    return cached_languages_for(given, header)


def languages_for(given: str | None, header: str) -> tuple[str, ...]:
    if given is not None:
        wanted: tuple[str, ...] = (given.strip()[:64],)
    else:
        accepted = parse_accept_header(header, LanguageAccept)
        wanted = tuple(value for value, quality in accepted if quality > 0 and value != "*")
    return negotiate(wanted[:MAX_WANTED_LANGUAGES])


# Readers send a handful of distinct headers: each is parsed and matched once per process.
cached_languages_for = functools.lru_cache(maxsize=1024)(languages_for)


@functools.lru_cache(maxsize=1024)
def language_headers_of(languages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return (("Content-Language", ", ".join(content_languages(languages))), ("Vary", "Accept, Accept-Language"))


def language_headers(languages: tuple[str, ...]) -> dict[str, str]:
    """``Content-Language`` of an answer with country names in ``languages``, and its ``Vary``."""
    return dict(language_headers_of(languages))


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
