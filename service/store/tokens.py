"""API tokens: stored only as the SHA-256 of their secret, shown once when made.

Scopes: ``read`` and ``write`` (which implies ``read``). ``service.http.auth`` checks
the token a request presents; ``python -m service tokens`` manages them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from .database import db
from .models import ApiToken

TOKEN_PREFIX = "rs_"
SCOPES_GRANTED = {"read": {"read"}, "write": {"read", "write"}}


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
    token.revoked_at = dt.datetime.now(dt.UTC)
    db.session.commit()


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.name)))


def active_token(digest: str) -> ApiToken | None:
    """The active token whose hash is ``digest``, or None."""
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None)))
