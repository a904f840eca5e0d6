"""The database handle and its engine setup: naming convention, pool options, SQLite pragmas.

``db`` is created unbound and attached by the app factory (``register_database``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session

# Named constraints let alembic alter them, and SQLite batch mode needs names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_LOCK_TAKEN = "service.sqlite_write_lock_taken"  # per request (g lives as long as the app context)
COMMIT_SENT = "service.commit_sent"  # per request: a COMMIT went to the database, no answer yet
# Each SQLite connection keeps a page cache of its own, and a gunicorn worker holds
# dozens of connections (two per thread): at SQLite's default of 2 MiB each, the caches
# warmed by exports and scans made a large part of a worker's peak RSS. The operating
# system's page cache keeps the file's hot pages once for every connection anyway.
SQLITE_CACHE_KIB = 512

# A worker's threads share one GIL, and Python's sqlite3 lets go of it around every row
# it steps: two big reads at once in one worker hand the GIL to each other row by row
# (8 relations builds at once: +30 % CPU each, bench/PROFILE.md). They could not run
# Python side by side anyway, so on SQLite they take turns. PostgreSQL's driver waits
# on the network once per query, time another thread can use: no turns there.
_BIG_READS = threading.Lock()


def big_reads_in_turn() -> AbstractContextManager:
    """Hold around a read of many rows and the Python work on them (within a request)."""
    return _BIG_READS if db.engine.dialect.name == "sqlite" else nullcontext()


def engine_options(database_url: str) -> dict[str, Any]:
    """Pool settings: check a pooled connection before use, so the service recovers by
    itself after the database restarts; on PostgreSQL, give up connecting after a few
    seconds so requests answer 503 instead of hanging while it is down."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    # Each of a gunicorn worker's THREADS threads may hold two connections at once (its
    # kept data-version connection and its session's): with fewer, a thread waits for a
    # connection another thread keeps for good, and requests time out (503) under load.
    # Connections past pool_size are opened only when that many requests run at once.
    options["max_overflow"] = max(10, 2 * int(os.environ.get("THREADS", "32")))
    if make_url(database_url).get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))}
    return options


def ensure_sqlite_folder(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked, per connection; WAL lets readers run
    beside a writer; a small page cache per connection (``SQLITE_CACHE_KIB``)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")  # negative: KiB, not pages
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_write_lock_first(connection) -> None:
    """A write request takes SQLite's write lock as its first transaction begins.

    Left to the driver, SQLite runs a request's reads (the token, the record's
    version, whether anything still cites it) outside any transaction and begins one
    only at the first write, so another worker's commit can land between a check and
    the write it justifies. BEGIN IMMEDIATE makes the checks and the writes one
    serialised transaction; concurrent writers queue for it within the busy timeout.
    Reads keep the driver's handling (in WAL mode they never wait for a writer), and
    so does what a write request reads after its commit (the record it answers with):
    holding the lock through the response would only make the other writers wait.
    """
    if connection.dialect.name != "sqlite" or not has_request_context() or request.method not in WRITE_METHODS:
        return
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    if request.environ.get(WRITE_LOCK_TAKEN):
        return
    request.environ[WRITE_LOCK_TAKEN] = True
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Engine, "commit")
def _commit_sent(_connection) -> None:
    """Remember that this request's COMMIT is on its way: if the connection drops now,
    nobody knows whether it was applied (``commit_in_doubt``)."""
    if has_request_context():
        request.environ[COMMIT_SENT] = True


@event.listens_for(Session, "after_commit")
def _commit_answered(_session) -> None:
    if has_request_context():
        request.environ.pop(COMMIT_SENT, None)


def commit_in_doubt() -> bool:
    """Whether this request sent a COMMIT that the database never answered."""
    return has_request_context() and bool(request.environ.get(COMMIT_SENT))


def end_session_safely() -> None:
    """End the request's session; if its rollback fails (the connection is gone), drop
    the connection instead of letting the error escape after the answer was made."""
    registry = db.session.registry
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001 - nothing to roll back on a dead connection
        if registry.has():
            try:
                registry().invalidate()  # closes the connection: the server ends its transaction
            except Exception:  # noqa: BLE001, S110 - the connection is already unusable
                pass
        registry.clear()


def register_database(app: Flask) -> None:
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)

    @app.teardown_request
    def release_sqlite_write_lock(_error: BaseException | None) -> None:
        """A request that took SQLite's write lock gives it back as it ends, even where
        its session outlives it (an app context shared across requests, as in tests)."""
        if request.environ.get(WRITE_LOCK_TAKEN):
            try:
                db.session.rollback()  # after a commit: only ends the reads that followed
            except Exception:  # noqa: BLE001 - the connection is gone: nothing to release
                end_session_safely()

    # Registered after flask-sqlalchemy's, so it runs first: flask-sqlalchemy's own
    # session.remove() would let a failing rollback escape as a bare 500.
    @app.teardown_appcontext
    def end_the_session(_error: BaseException | None) -> None:
        end_session_safely()
