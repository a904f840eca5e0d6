"""Validators and caching: strong ETags on every GET, 304s, and a per-worker answer memo.

- ``register_http_caching``: every successful GET gets ``Cache-Control`` and a strong
  ``ETag`` (from the body, unless the view set one), and ``If-None-Match`` gives 304.
- ``versioned_etag``: a validator known before the answer is built, from the request
  and the data version (``service.store.data_version``), for answers costly to build.
- ``AnswerMemo``: the validators a worker issued and its last few answers' bodies.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, request

from ..store.data_version import data_version
from ..version import API_VERSION


def register_http_caching(app: Flask) -> None:
    @app.after_request
    def conditional_get(response: Response) -> Response:
        """Strong ETag from the body on every successful GET; If-None-Match gives 304.

        Caches must revalidate every time (the ETag makes that cheap); answers that
        needed a token are private, so a shared cache never hands them to others.
        """
        if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
            return response
        private = app.config["READ_REQUIRES_TOKEN"] and request.path.startswith("/v1/")
        response.headers["Cache-Control"] = "private, no-cache" if private else "no-cache"
        if response.status_code == 200 and not response.is_streamed:
            if "ETag" not in response.headers:
                response.add_etag()
            response.make_conditional(request)
        return response


def versioned_etag(kind: str, *parts: str) -> str:
    """A strong validator known before the answer is built: the same request, data
    version and ``parts`` (whatever else the answer depends on, such as a default
    day) give the same bytes. Any write moves the data version, on every worker and
    replica, so a validator never outlives the data it describes."""
    key = "|".join((API_VERSION, kind, request.full_path, str(data_version()), *parts))
    return f'"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:40]}"'


def not_modified(etag: str) -> bool:
    return request.if_none_match.contains(etag.strip('"'))


class AnswerMemo:
    """Per worker: the validators it issued and the bodies of its last few answers.

    Widgets poll the same question. A validator names the request (path and query),
    the data version and whatever else the answer depends on, so a remembered answer
    is never stale; and a validator this worker issued belongs to a request that
    already passed argument parsing, so the next such request can be answered before
    parsing again.
    """

    def __init__(self, bodies: int = 16, validators: int = 1024):
        self.bodies, self.validators = bodies, validators
        self.issued: OrderedDict[str, dict[str, str]] = OrderedDict()  # etag -> response headers
        self.answers: OrderedDict[str, tuple[bytes, str]] = OrderedDict()  # etag -> body, mimetype
        self.lock = threading.Lock()  # threaded workers share it

    def known(self, etag: str) -> tuple[dict[str, str] | None, tuple[bytes, str] | None]:
        with self.lock:
            headers = self.issued.get(etag)
            answer = self.answers.get(etag)
            if answer is not None:
                self.answers.move_to_end(etag)
            return headers, answer

    def remember(self, etag: str, headers: dict[str, str], answer: tuple[bytes, str] | None = None) -> None:
        with self.lock:
            self.issued[etag] = headers
            self.issued.move_to_end(etag)
            while len(self.issued) > self.validators:
                self.issued.popitem(last=False)
            if answer is not None:
                self.answers[etag] = answer
                while len(self.answers) > self.bodies:
                    self.answers.popitem(last=False)

    def respond(self, etag: str, build: Callable[[], tuple[bytes, str]], **headers: str) -> Response:
        """304 when the caller has this version (nothing is computed); else the answer,
        remembered or built."""
        headers = {"ETag": etag, "Vary": "Accept", **headers}
        if not_modified(etag):
            self.remember(etag, headers)
            return Response(status=304, headers=headers)
        answer = self.known(etag)[1] or build()
        self.remember(etag, headers, answer)
        return Response(answer[0], mimetype=answer[1], headers=headers)

    def known_response(self, etag: str) -> Response | None:
        """For a validator this worker issued: a 304, or the remembered body; else None."""
        headers, answer = self.known(etag)
        if headers is None:
            return None
        if not_modified(etag):
            return Response(status=304, headers=headers)
        if answer is None:
            return None
        return Response(answer[0], mimetype=answer[1], headers=headers)
