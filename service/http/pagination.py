"""Keyset (cursor) pagination over a unique, ordered key column.

The cursor is an opaque URL-safe token naming the last key of the previous page.
Rows are ordered by that key, so rows inserted while a client pages never make it
see a row twice or skip one that existed when it started.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_smorest import abort

from .input_guards import unstorable

CURSOR_VERSION = 1


def encode_cursor(last_key: str) -> str:
    raw = json.dumps({"v": CURSOR_VERSION, "after": last_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """Return the key the cursor points after; a 400 problem for anything forged or stale."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if payload.get("v") != CURSOR_VERSION or not isinstance(payload.get("after"), str):
            raise ValueError
        if unstorable(payload["after"]):  # a NUL or a lone surrogate: no key can hold it
            raise ValueError
        return payload["after"]
    except (ValueError, TypeError, AttributeError, binascii.Error, UnicodeError):
        abort(400, message="The cursor is not one this service issued; start again without it.")
        raise  # unreachable: abort raises


@dataclass
class Page:
    items: Sequence[Any]
    next_cursor: str | None

    def link_header(self) -> str | None:
        """RFC 8288 ``Link`` to the next page, keeping the caller's other query parameters."""
        if self.next_cursor is None:
            return None
        params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        params.append(("cursor", self.next_cursor))
        return f'<{request.base_url}?{urlencode(params)}>; rel="next"'
