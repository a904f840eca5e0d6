"""The data version: the newest change in the log, asked on every conditional read.

Any write anywhere appends a change in its own transaction, so the newest ``seq``
moves on every worker and replica the moment a write commits: validators built on it
are never stale. It is asked once per cacheable read (by the hot path, and by the
validators of relations answers), usually before anything
else touches the database, so it has its own connection per worker thread, in
autocommit (each query sees the latest commit; nothing is held between requests),
instead of a session, a pool checkout and a rollback per request.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from .database import db

# Where the hot path leaves the version it read for the request it hands to Flask
# (``versioned_etag`` reads it), so such a request asks the database once.
ENVIRON_KEY = "service.data_version"
NEWEST_CHANGE = "SELECT seq, at FROM changes ORDER BY seq DESC LIMIT 1"

_kept = threading.local()


def _connection(engine: Engine) -> Connection:
    connection: Connection | None = getattr(_kept, "connection", None)
    if connection is not None and (connection.engine is not engine or connection.closed):
        _forget()
        connection = None
    if connection is None:
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        _kept.connection = connection
    return connection


def _forget() -> None:
    connection = getattr(_kept, "connection", None)
    _kept.connection = None
    if connection is not None:
        try:
            connection.close()
        except DBAPIError:
            pass  # already broken: the pool discards it


def data_version(engine: Engine | None = None) -> str:
    """``seq@at`` of the newest change (the time keeps it unique where seqs start again,
    in a database emptied and refilled as tests do); ``empty`` before any change.

    ``engine`` defaults to the app's (``db.engine``, which needs an app context); the
    hot path passes the engine it read once, as it runs before any context exists."""
    engine = engine or db.engine
    try:
        newest = _ask_driver(_connection(engine))
    except Exception:  # noqa: BLE001 - any driver error: ask again through SQLAlchemy
        _forget()
        newest = _ask_sqlalchemy(engine)
    return f"{newest[0]}@{newest[1]}" if newest else "empty"


def _ask_driver(connection: Connection):
    """Straight on the driver's cursor: a third of the cost of a SQLAlchemy execute."""
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(NEWEST_CHANGE)
        return cursor.fetchone()
    finally:
        cursor.close()


def _ask_sqlalchemy(engine: Engine):
    """SQLAlchemy notices a connection the server dropped (a restart, a failover) and
    raises its own errors, which the service answers with a 503; one retry on a fresh
    connection after a drop."""
    try:
        return _connection(engine).exec_driver_sql(NEWEST_CHANGE).first()
    except DBAPIError as error:
        _forget()
        if not error.connection_invalidated:
            raise
    return _connection(engine).exec_driver_sql(NEWEST_CHANGE).first()
