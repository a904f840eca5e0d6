"""Bearer tokens: kept only as SHA-256 hashes, checked in constant time.

Scopes: ``read`` and ``write`` (which implies ``read``). Reads are public unless
``READ_REQUIRES_TOKEN`` is true; every write needs a ``write`` token. The token's name
is the ``actor`` of every change it makes. No token is ever logged.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from typing import Callable, Optional

from flask import current_app, g, request
from flask_smorest import abort
from sqlalchemy import select

from .extensions import db
from .models import ApiToken

TOKEN_PREFIX = "rs_"
SCOPES_GRANTED = {"read": {"read"}, "write": {"read", "write"}}
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="recognition-status"'}


class TokenError(ValueError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(name: str, scope: str) -> str:
    """Store a new token's hash and return the token itself (shown once, never stored)."""
    if scope not in SCOPES_GRANTED:
        raise TokenError(f"scope must be one of {', '.join(SCOPES_GRANTED)}")
    if not name or len(name) > 100:
        raise TokenError("name must be 1 to 100 characters")
    if db.session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenError(f"a token named '{name}' exists already")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(name=name, scope=scope, token_hash=hash_token(token)))
    db.session.commit()
    return token


def revoke_token(name: str) -> None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)))
    if token is None:
        raise TokenError(f"no active token named '{name}'")
    token.revoked_at = dt.datetime.now(dt.timezone.utc)
    db.session.commit()


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.name)))


def presented_token() -> Optional[str]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> Optional[ApiToken]:
    """The active token the request presents, or None. Aborts 401 for an unknown one."""
    token = presented_token()
    if token is None:
        if request.headers.get("Authorization"):
            abort(401, message="Use 'Authorization: Bearer <token>'.", headers=CHALLENGE)
        return None
    digest = hash_token(token)
    stored = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
    )
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


def requires(scope: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            require(scope)
            return view(*args, **kwargs)

        return guarded

    return decorator


def register_read_guard(app) -> None:
    @app.before_request
    def reads_may_need_a_token():
        """With READ_REQUIRES_TOKEN, every /v1 read needs a token with the read scope."""
        if (
            current_app.config["READ_REQUIRES_TOKEN"]
            and request.method in ("GET", "HEAD")
            and request.path.startswith("/v1/")
            and not request.path.startswith("/v1/openapi.")
        ):
            require("read")
