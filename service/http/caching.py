"""Validators and caching: strong ETags on every GET, 304s, validators known before the answer.

- ``register_http_caching``: every successful GET gets ``Cache-Control`` and a strong
  ``ETag`` (from the body, unless the view set one), and ``If-None-Match`` gives 304.
- ``versioned_etag``: a validator known before the answer is built, from the request
  and the data version (``service.store.data_version``), for answers costly to build.
- ``validated_answer``: a 304 or the answer, for a validator known before the answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Flask, Response, request

from ..store.data_version import ENVIRON_KEY, data_version
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
    version = request.environ.get(ENVIRON_KEY) or data_version()
    key = "|".join((API_VERSION, kind, request.full_path, str(version), *parts))
    return f'"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:40]}"'


def not_modified(etag: str) -> bool:
    return request.if_none_match.contains(etag.strip('"'))


def validated_answer(etag: str, build: Callable[[], tuple[bytes, str]], **headers: str) -> Response:
    """For an answer whose validator is known before it is built: 304 when the caller
    has this version (nothing is computed), else the answer ``build`` makes.

    Repeated requests never get here: the hot path (``service.hotpath``) answers them
    before the framework, from the answers it remembers per worker."""
    headers = {"ETag": etag, "Vary": "Accept", **headers}
    if not_modified(etag):
        return Response(status=304, headers=headers)
    body, mimetype = build()
    return Response(body, mimetype=mimetype, headers=headers)
