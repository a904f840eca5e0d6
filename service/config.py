"""Configuration, read from environment variables only (see the README table)."""

from __future__ import annotations

import os
from pathlib import Path


def default_database_url() -> str:
    """A SQLite file in the working directory's ``instance/`` folder."""
    instance = Path.cwd() / "instance"
    return f"sqlite:///{instance / 'recognition.sqlite3'}"


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` spellings, use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment() -> dict:
    """The Flask config mapping built from the process environment."""
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(os.environ.get("DATABASE_URL") or default_database_url()),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_BODY_BYTES", str(1024 * 1024))),
        "READ_REQUIRES_TOKEN": env_flag("READ_REQUIRES_TOKEN"),
        # Per worker: the bytes of answers the hot path remembers (service/hotpath.py); 0 turns it off.
        "HOT_PATH_BYTES": int(os.environ.get("HOT_PATH_BYTES", str(16 * 1024 * 1024))),
        # Exact origins (scheme://host[:port]) allowed to call the API from a browser; none by default.
        "CORS_ORIGINS": tuple(o.strip() for o in os.environ.get("CORS_ORIGINS", "").split(",") if o.strip()),
        **cdn_settings(),
        **delivery_settings(),
    }


def cdn_settings() -> dict:
    """How long a CDN may hold public reads, and where purges go (README "Behind a CDN")."""
    return {
        "CACHE_S_MAXAGE": int(os.environ.get("CACHE_S_MAXAGE", "60")),
        "CACHE_STALE_WHILE_REVALIDATE": int(os.environ.get("CACHE_STALE_WHILE_REVALIDATE", "30")),
        "CACHE_STALE_IF_ERROR": int(os.environ.get("CACHE_STALE_IF_ERROR", "86400")),
        # varnish, fastly or cloudflare; empty: no CDN to purge, no purge enqueued.
        "PURGE_ADAPTER": os.environ.get("PURGE_ADAPTER", "").strip().lower(),
        "PURGE_URL": os.environ.get("PURGE_URL", "").strip(),
        "PURGE_TOKEN": os.environ.get("PURGE_TOKEN", ""),
        "PURGE_SERVICE": os.environ.get("PURGE_SERVICE", "").strip(),  # Fastly service id / Cloudflare zone id
    }


def delivery_settings() -> dict:
    """The deliverer's settings (``python -m service deliver``) and the webhooks' safety switch."""
    return {
        # Development mode for webhooks: plain http to loopback, any address. Never in production.
        "WEBHOOK_ALLOW_PRIVATE": env_flag("WEBHOOK_ALLOW_PRIVATE"),
        # 0: never look a webhook host name up (tests, sandboxes without DNS); IP literals still work.
        "WEBHOOK_RESOLVE_NAMES": env_flag("WEBHOOK_RESOLVE_NAMES", default=True),
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10")),
        "DELIVERY_WORKERS": int(os.environ.get("DELIVERY_WORKERS", "8")),
        "DELIVERY_POLL_SECONDS": float(os.environ.get("DELIVERY_POLL_SECONDS", "0.25")),
        "DELIVERY_LEASE_SECONDS": float(os.environ.get("DELIVERY_LEASE_SECONDS", "60")),
        "DELIVERY_RETRY_BASE_SECONDS": float(os.environ.get("DELIVERY_RETRY_BASE_SECONDS", "5")),
        "DELIVERY_RETRY_MAX_SECONDS": float(os.environ.get("DELIVERY_RETRY_MAX_SECONDS", "3600")),
        "DELIVERY_GIVE_UP_SECONDS": float(os.environ.get("DELIVERY_GIVE_UP_SECONDS", str(24 * 3600))),
    }
