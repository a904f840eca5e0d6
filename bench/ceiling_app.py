"""The ceiling: a bare WSGI app that answers every request with one fixed body.

bench/run.py serves it under the same gunicorn settings as the service, with the
bytes of the relations answer it measures (``CEILING_BODY_FILE``) or, failing that,
``CEILING_BODY_BYTES`` bytes, so the difference is everything the service does
beyond sending those bytes.
"""

from __future__ import annotations

import os
from pathlib import Path


def _body() -> bytes:
    path = os.environ.get("CEILING_BODY_FILE")
    if path:
        return Path(path).read_bytes()
    return b"x" * int(os.environ.get("CEILING_BODY_BYTES", "1000"))


BODY = _body()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
