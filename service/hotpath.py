"""The hot path: a thin WSGI layer in front of Flask for repeated public reads.

Widgets and live pages ask the same few URLs over and over; each answer through Flask
pays its whole dispatch (routing, hooks, argument parsing) even when nothing changed.
Per worker, this layer remembers the answers the framework gave to public GETs and,
while the data version (``service.store.data_version``: the newest change, moved by
every committed write on every worker and replica) stays the same, answers a repeated
request itself:

- a conditional request whose ``If-None-Match`` holds the remembered ``ETag``: 304,
  with the headers the framework sends on its 304 (the 200's, without the entity
  headers, as Werkzeug sends every 304);
- any other repeated request: the remembered status line, headers and body.

A request is "the same" when its path, query string (byte for byte), ``Host``, scheme,
``Accept``, ``Accept-Language``, ``Origin`` and the UTC day all are: every header an
answer varies on is among these (an answer whose ``Vary`` names another header is not
remembered). The query is not reordered: answers echo it in that order (the ``next``
links of pages, the Atom feeds' ``self``, the validators), so two orders are two
answers. What is remembered: a GET's 200 with an ``ETag``, a ``Content-Length`` and a
``Cache-Control`` that is neither ``private`` nor ``no-store`` (so never a token's
answer), no ``Set-Cookie``, read while the data version did not move. Only the
``X-Request-ID`` is made again per request (the caller's when safe, else fresh), as
the framework does; access logs are gunicorn's, and see every request alike.

Everything else goes to Flask untouched: other methods, a request with a token
(``Authorization``) or a body, ``Range`` and the other preconditions, a header line
near the input guards' limit or with a value that is not ASCII (the guards check it),
paths outside the public API and the pages (health,
the contract, static files, subscriptions), and every request while the data version
cannot be read (the framework answers 503).

Memory is bounded per worker: least recently used answers go first once their bytes
pass ``HOT_PATH_BYTES``; one answer larger than a quarter of it is never kept; ``0``
turns the hot path off. A new data version forgets every answer at once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from flask import Flask
from sqlalchemy import Engine
from werkzeug.http import http_date, parse_etags, remove_entity_headers

from .http.auth import read_needs_token
from .http.input_guards import MAX_HEADER_BYTES
from .http.problems import REQUEST_ID_HEADER, safe_request_id
from .store.data_version import ENVIRON_KEY, data_version
from .store.database import db

KEY_HEADERS = ("HTTP_HOST", "HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_ORIGIN")
VARY_KNOWN = frozenset({"accept", "accept-language", "origin"})
BYPASS_HEADERS = (
    "HTTP_AUTHORIZATION",
    "HTTP_TRANSFER_ENCODING",
    "HTTP_RANGE",
    "HTTP_IF_RANGE",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# Longer header values go to the framework, whose input guard refuses lines over
# MAX_HEADER_BYTES (name, ": " and value); the margin covers the longest name.
LONGEST_VALUE = MAX_HEADER_BYTES - 256
PAGE_PREFIXES = ("/governments/",)
UNREMEMBERED_PREFIXES = ("/v1/subscriptions", "/v1/openapi.")
NOT_MODIFIED = "304 NOT MODIFIED"


def is_public_read(path: str) -> bool:
    """The public API's reads and the pages; never subscriptions (read with a token,
    changed by deliveries without a change entry) nor the contract (a static file)."""
    if path.startswith("/v1/"):
        return not path.startswith(UNREMEMBERED_PREFIXES)
    return path == "/" or path.startswith(PAGE_PREFIXES)


class Answer:
    """One remembered answer: status line, headers (without ``X-Request-ID``), body."""

    __slots__ = ("status", "headers", "body", "etag", "not_modified_headers", "size")

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, etag: str):
        self.status, self.headers, self.body, self.etag = status, headers, body, etag
        # Werkzeug drops the entity headers (RFC 2616 10.3.5) from every 304 it sends.
        self.not_modified_headers = list(headers)
        remove_entity_headers(self.not_modified_headers)
        self.size = len(body) + sum(len(name) + len(value) for name, value in headers) + 256


class Answers:
    """Least recently used answers, bounded by their bytes; all of one data version."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.max_one = max_bytes, max_bytes // 4
        self.entries: OrderedDict[tuple, Answer] = OrderedDict()
        self.bytes = 0
        self.version: str | None = None
        self.lock = threading.Lock()  # threaded workers share one memo

    def _at(self, version: str) -> None:
        """Forget everything when the data version moved: no older answer is asked again."""
        if version != self.version:
            self.entries.clear()
            self.bytes = 0
            self.version = version

    def get(self, key: tuple, version: str) -> Answer | None:
        with self.lock:
            self._at(version)
            answer = self.entries.get(key)
            if answer is not None:
                self.entries.move_to_end(key)
            return answer

    def put(self, key: tuple, version: str, answer: Answer) -> None:
        if answer.size > self.max_one:
            return
        with self.lock:
            self._at(version)
            previous = self.entries.pop(key, None)
            if previous is not None:
                self.bytes -= previous.size
            self.entries[key] = answer
            self.bytes += answer.size
            while self.bytes > self.max_bytes:
                self.bytes -= self.entries.popitem(last=False)[1].size


class HotPath:
    """The WSGI app gunicorn calls: remembered answers, else the framework's."""

    def __init__(self, app: Flask, max_bytes: int):
        self.app = app
        self.framework: Callable = app.wsgi_app
        self.answers = Answers(max_bytes)
        self.reads_need_token = bool(app.config.get("READ_REQUIRES_TOKEN"))
        self.engine: Engine | None = None

    def key(self, environ: dict) -> tuple | None:
        """What identifies the answer to this request, or None when it is not ours."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        path = environ.get("PATH_INFO", "")
        if not is_public_read(path) or (self.reads_need_token and read_needs_token(path)):
            return None
        if environ.get("CONTENT_LENGTH", "") not in ("", "0"):
            return None
        for name in BYPASS_HEADERS:
            if name in environ:
                return None
        for name, value in environ.items():
            # Non-ASCII values go to the input guards, which refuse any that is not UTF-8.
            if name.startswith("HTTP_") and (len(value) > LONGEST_VALUE or not value.isascii()):
                return None
        return (
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("wsgi.url_scheme", "http"),
            *(environ.get(name) for name in KEY_HEADERS),
            dt.datetime.now(dt.UTC).date(),  # answers without a day (as_of) default to today
        )

    def data_version(self) -> str:
        if self.engine is None:
            with self.app.app_context():
                self.engine = db.engine
        return data_version(self.engine)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = self.key(environ)
        if key is None:
            return self.framework(environ, start_response)
        try:
            version = self.data_version()
        except Exception:  # noqa: BLE001 - the database is down: the framework answers 503
            return self.framework(environ, start_response)
        answer = self.answers.get(key, version)
        if answer is not None:
            return self.replay(answer, environ, start_response)
        environ[ENVIRON_KEY] = version
        return self.remember(key, version, environ, start_response)

    def replay(self, answer: Answer, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request_id = (REQUEST_ID_HEADER, safe_request_id(environ.get("HTTP_X_REQUEST_ID", "")))
        asked = environ.get("HTTP_IF_NONE_MATCH")
        if asked and parse_etags(asked).contains_weak(answer.etag):
            start_response(NOT_MODIFIED, [*dated(answer.not_modified_headers), request_id])
            return []
        start_response(answer.status, [*dated(answer.headers), request_id])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [answer.body]

    def remember(self, key: tuple, version: str, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """The framework's answer, kept when it may be replayed."""
        kept: dict = {}

        def keep_headers(status: str, headers: list[tuple[str, str]], exc_info=None):
            kept["status"], kept["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.framework(environ, keep_headers)
        if environ["REQUEST_METHOD"] != "GET" or not kept.get("status", "").startswith("200 "):
            return body
        etag = replayable(kept["headers"], self.answers.max_one)
        if etag is None:
            return body
        try:
            content = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        try:
            unchanged = self.data_version() == version
        except Exception:  # noqa: BLE001 - the answer stands; it is just not kept
            unchanged = False
        if unchanged:
            # Made again per request: the request id, and the Date the framework may send.
            headers = [(name, value) for name, value in kept["headers"] if name not in (REQUEST_ID_HEADER, "Date")]
            if len(headers) < len(kept["headers"]) - 1:
                headers.append(("Date", ""))
            self.answers.put(key, version, Answer(kept["status"], headers, content, etag))
        return [content]


def dated(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers with a current Date where the framework sent one (kept as a blank)."""
    if not headers or headers[-1] != ("Date", ""):
        return headers
    return [*headers[:-1], ("Date", http_date())]


def replayable(headers: list[tuple[str, str]], largest: int) -> str | None:
    """The unquoted ETag of an answer that may be replayed to anyone who asks the same, else None."""
    etag = length = cache_control = None
    for name, value in headers:
        lowered = name.lower()
        if lowered == "etag":
            etag = value
        elif lowered == "content-length":
            length = value
        elif lowered == "cache-control":
            cache_control = value.lower()
        elif lowered == "set-cookie":
            return None
        elif lowered == "vary" and not {part.strip().lower() for part in value.split(",")} <= VARY_KNOWN:
            return None
    if etag is None or length is None or cache_control is None or not length.isdigit() or int(length) > largest:
        return None
    if "private" in cache_control or "no-store" in cache_control:
        return None
    if etag.startswith("W/"):
        return None
    return etag.strip('"')


def with_hot_path(app: Flask) -> Flask:
    """Put the hot path in front of ``app``'s framework (``app.wsgi_app``), unless
    ``HOT_PATH_BYTES`` is 0."""
    max_bytes = int(app.config.get("HOT_PATH_BYTES", 0))
    if max_bytes > 0:
        app.wsgi_app = HotPath(app, max_bytes)  # type: ignore[method-assign]
    return app
