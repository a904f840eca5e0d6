"""A collection's answer: a JSON page, or a CSV export (a page, or every matching row).

Rows come as wire dicts (``service.store.pages``); the JSON page is encoded here with
orjson instead of by the response schema: the rows already are what it would dump.
Without ``limit`` or ``cursor`` a CSV export streams every matching row, in keyset
batches, so memory stays constant however large it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from flask import Response

from ..schemas.fields import DEFAULT_LIMIT, MAX_LIMIT
from ..store.pages import WireReader, batched_rows
from .negotiation import JSON, csv_response, wants_csv
from .pagination import Page, decode_cursor, encode_cursor


def wire_page(reader: WireReader, limit: int, cursor: str | None) -> Page:
    """One keyset page; one row more than asked tells whether another page follows."""
    items, keys = reader.read(decode_cursor(cursor) if cursor else None, limit + 1)
    has_more = len(items) > limit
    return Page(items=items[:limit], next_cursor=encode_cursor(keys[limit - 1]) if has_more else None)


def collection_response(reader: WireReader, args: Mapping[str, Any], name: str):
    """The JSON page, or the CSV export, of the reader's rows; the CSV has the same columns."""
    limit = args.get("limit")
    cursor = args.get("cursor")
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
