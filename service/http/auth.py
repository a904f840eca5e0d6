"""Bearer tokens on requests: checked against stored hashes, in constant time.

Reads are public unless ``READ_REQUIRES_TOKEN`` is true; every write needs a ``write``
token (``requires("write")`` on each write view). The token's name is the ``actor``
of every change it makes. No token is ever logged. Tokens themselves are kept by
``service.store.tokens``.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable

from flask import Flask, current_app, g, request
from flask_smorest import abort

from ..store.models import ApiToken
from ..store.tokens import SCOPES_GRANTED, active_token, hash_token

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="recognition-status"'}
# Reads of the API (not of its contract) that READ_REQUIRES_TOKEN closes.
API_PREFIX = "/v1/"
CONTRACT_PREFIX = "/v1/openapi."


def read_needs_token(path: str) -> bool:
    """Whether a read of ``path`` needs a ``read`` token once READ_REQUIRES_TOKEN is set."""
    return path.startswith(API_PREFIX) and not path.startswith(CONTRACT_PREFIX)


def presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> ApiToken | None:
    """The active token the request presents, or None. Aborts 401 for an unknown one."""
    token = presented_token()
    if token is None:
        if request.headers.get("Authorization"):
            abort(401, message="Use 'Authorization: Bearer <token>'.", headers=CHALLENGE)
        return None
    digest = hash_token(token)
    stored = active_token(digest)
    # The lookup is by hash; the comparison below keeps the final check constant-time.
    if stored is None or not hmac.compare_digest(stored.token_hash, digest):
        abort(401, message="The token is unknown or revoked.", headers=CHALLENGE)
    return stored


def require(scope: str) -> None:
    """Abort 401 without a valid token, 403 when its scope does not grant ``scope``."""
    token = authenticate()
    if token is None:
        abort(401, message=f"This needs a bearer token with the '{scope}' scope.", headers=CHALLENGE)
    if scope not in SCOPES_GRANTED[token.scope]:
        abort(403, message=f"The token '{token.name}' has the '{token.scope}' scope; this needs '{scope}'.")
    g.actor = token.name
    g.token_id = token.id


def requires(scope: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            require(scope)
            return view(*args, **kwargs)

        return guarded

    return decorator


def register_read_guard(app: Flask) -> None:
    @app.before_request
    def reads_may_need_a_token():
        """With READ_REQUIRES_TOKEN, every /v1 read needs a token with the read scope."""
        if (
            current_app.config["READ_REQUIRES_TOKEN"]
            and request.method in ("GET", "HEAD")
            and read_needs_token(request.path)
        ):
            require("read")
