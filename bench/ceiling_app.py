"""The ceiling: a bare WSGI app that sends, per request, the very bytes the service sent.

bench/run.py records the service's answers to the requests it measures (status line,
headers but ``Date`` and ``Server``, body: ``CEILING_ANSWERS``, a JSON file) and serves
them with this app under the same gunicorn settings, so a ratio to the ceiling is the
share of the server's limit the service reaches for the same bytes on the wire. A
request is matched by its path and query, and by whether it carries
``If-None-Match`` (the 304s); anything else gets the first answer. Without
``CEILING_ANSWERS``: ``CEILING_BODY_BYTES`` bytes of JSON.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path


def _answers() -> dict[tuple[str, bool], tuple[str, list[tuple[str, str]], list[bytes]]]:
    path = os.environ.get("CEILING_ANSWERS")
    if not path:
        body = b"x" * int(os.environ.get("CEILING_BODY_BYTES", "1000"))
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return {("", False): ("200 OK", headers, [body])}
    answers = {}
    for answer in json.loads(Path(path).read_text(encoding="utf-8")):
        body = base64.b64decode(answer["body"])
        headers = [(name, value) for name, value in answer["headers"]]
        answers[(answer["target"], answer["conditional"])] = (answer["status"], headers, [body] if body else [])
    return answers


ANSWERS = _answers()
FIRST = next(iter(ANSWERS.values()))


def app(environ, start_response):
    query = environ.get("QUERY_STRING", "")
    target = environ.get("PATH_INFO", "") + ("?" + query if query else "")
    status, headers, body = ANSWERS.get((target, "HTTP_IF_NONE_MATCH" in environ), FIRST)
    start_response(status, headers)
    return body
