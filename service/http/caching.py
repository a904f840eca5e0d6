"""Validators and caching: strong ETags on every GET, 304s, validators known before the answer.

- ``register_http_caching``: every successful GET gets a strong ``ETag`` (from the body,
  unless the view set one), and ``If-None-Match`` gives 304; every answer gets
  ``Cache-Control`` (public reads: held by a CDN, ``CACHE_*``; token-gated: private;
  errors and writes: ``no-store``) and its surrogate keys (``Surrogate-Key``,
  ``Cache-Tag``: ``service.store.purges``), which the writes purge.
- ``versioned_etag``: a validator known before the answer is built, from the request
  and the data version (``service.store.data_version``), for answers costly to build.
- ``validated_answer``: a 304 or the answer, for a validator known before the answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Flask, Response, current_app, request

from ..store.data_version import ENVIRON_KEY, data_version
from ..store.database import big_reads_in_turn
from ..store.purges import answer_keys
from ..version import API_VERSION

HEALTH_PATHS = ("/healthz", "/readyz")


def cdn_policy(config) -> str:
    """What a shared cache may do with a public read: hold it ``s-maxage`` seconds (purges
    end it sooner), serve it ``stale-while-revalidate`` seconds more while it refetches,
    and ``stale-if-error`` seconds more while the origin fails. Browsers revalidate
    every time (``max-age=0``): the ETag makes that cheap."""
    return (
        f"public, max-age=0, s-maxage={int(config['CACHE_S_MAXAGE'])}, "
        f"stale-while-revalidate={int(config['CACHE_STALE_WHILE_REVALIDATE'])}, "
        f"stale-if-error={int(config['CACHE_STALE_IF_ERROR'])}"
    )


def token_gated() -> bool:
    """An answer a shared cache must never hand to another caller: reads are closed
    (``READ_REQUIRES_TOKEN``, pages included, as they show the same records) or the
    request carried credentials."""
    if "Authorization" in request.headers:
        return True
    return bool(current_app.config["READ_REQUIRES_TOKEN"]) and not request.path.startswith("/v1/openapi")


def register_http_caching(app: Flask) -> None:
    policy = cdn_policy(app.config)

    @app.after_request
    def conditional_get(response: Response) -> Response:
        """Strong ETag from the body on every successful GET; If-None-Match gives 304;
        ``Cache-Control`` for a CDN, and the surrogate keys naming what the answer shows."""
        keys = answer_keys(request.path)
        response.headers["Surrogate-Key"] = " ".join(keys)  # Fastly, Varnish (this service's VCL)
        response.headers["Cache-Tag"] = ",".join(keys)  # Cloudflare
        if request.method not in ("GET", "HEAD") or response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"  # writes and errors: nothing to keep
            return response
        if response.status_code not in (200, 304):
            response.headers.setdefault("Cache-Control", "no-cache")
            return response
        if token_gated():
            response.headers["Cache-Control"] = "private, no-cache"
        elif request.path in HEALTH_PATHS:
            response.headers["Cache-Control"] = "no-store"  # a probe through a CDN must reach this origin
        elif not response.cache_control.immutable:  # versioned assets keep their year-long lifetime
            response.headers["Cache-Control"] = policy
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
    before the framework, from the answers it remembers per worker. On SQLite, one
    worker's builds take turns (``big_reads_in_turn``)."""
    headers = {"ETag": etag, "Vary": "Accept", **headers}
    if not_modified(etag):
        return Response(status=304, headers=headers)
    with big_reads_in_turn():
        body, mimetype = build()
    return Response(body, mimetype=mimetype, headers=headers)
