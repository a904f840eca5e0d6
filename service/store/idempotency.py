"""Idempotency keys: the answers of POSTs, kept per token for 24 hours.

``remembered`` finds a live key; ``remember`` stores one in the caller's transaction
(the write's), pruning expired keys as it goes; ``hold`` makes sure one request at a
time works under a key, so a retry sent while the first is still running is told so
instead of waiting or writing twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import delete, select, text

from .database import db
from .models import IdempotencyKey, utcnow

KEPT_FOR = dt.timedelta(hours=24)
# The high half of PostgreSQL's advisory lock keys used here; the change log's lock is another.
LOCK_NAMESPACE = 0x1DE4


def remembered(token_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.token_id == token_id, IdempotencyKey.key == key, IdempotencyKey.expires_at > utcnow()
        )
    )


def remember(token_id: int, key: str, fingerprint: str, status: int, headers: dict[str, str], body: bytes) -> None:
    """Store the key and its answer in the current transaction; drop expired keys first."""
    now = utcnow()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    db.session.add(
        IdempotencyKey(
            token_id=token_id,
            key=key,
            fingerprint=fingerprint,
            status=status,
            headers=headers,
            body=body,
            created_at=now,
            expires_at=now + KEPT_FOR,
        )
    )


def _lock_name(owner: str, key: str) -> bytes:
    return hashlib.sha256(f"{db.engine.url}\0{owner}\0{key}".encode()).digest()


@contextlib.contextmanager
def hold(owner: str, key: str) -> Iterator[bool]:
    """Yield whether this request is the only one working under the key of ``owner``
    (the hash of the token presented, known before the database is asked anything).

    PostgreSQL: an advisory lock held by the transaction (released by its commit or
    rollback, or by the server when the connection dies, so a crashed request never
    leaves a key taken). SQLite, one host: an exclusive ``flock`` on a file named after
    the database and key (in ``.idempotency-locks`` beside the database), taken before
    the request's transaction (which waits for the write lock) and released by the
    process even if it dies.
    """
    if db.engine.dialect.name == "postgresql":
        taken = db.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:namespace, :key)"),
            {"namespace": LOCK_NAMESPACE, "key": int.from_bytes(_lock_name(owner, key)[:4], "big", signed=True)},
        )
        yield bool(taken)
        return
    path = _lock_folder() / _lock_name(owner, key).hex()
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError:
        # No place for the lock (a read-only folder): SQLite's write lock still
        # serialises the requests, so a retry waits for the first and replays it.
        yield True
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    finally:
        os.close(descriptor)


def _lock_folder() -> Path:
    """Beside the database file (SQLite writes its journal there, so it is writable and
    shared by every worker using that file); the temporary folder for an in-memory one."""
    database = db.engine.url.database
    base = Path(database).parent if database and database != ":memory:" else Path(tempfile.gettempdir())
    folder = base / ".idempotency-locks"
    with contextlib.suppress(OSError):
        folder.mkdir(exist_ok=True)
    return folder
