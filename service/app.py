"""The application factory: ``create_app`` is a list of small named steps."""
from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any, Mapping, Optional

from flask import Flask, Response, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from . import config
from .errors import register_error_handlers
from .extensions import db

from .version import API_VERSION


def create_app(overrides: Optional[Mapping[str, Any]] = None) -> Flask:
    app = Flask(__name__)
    register_config(app, overrides)
    register_logging(app)
    register_database(app)
    register_api(app)
    register_error_handlers(app)
    register_input_guards(app)
    register_auth(app)
    register_http_caching(app)
    register_security(app)
    register_cli(app)
    return app


def register_config(app: Flask, overrides: Optional[Mapping[str, Any]]) -> None:
    app.config.update(config.from_environment())
    app.config.update(
        API_TITLE="Recognition status",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.1.0",
        JSON_SORT_KEYS=False,
    )
    app.config.update(overrides or {})
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    app.json.sort_keys = False


def engine_options(database_url: str) -> dict[str, Any]:
    """Pool settings: check a pooled connection before use, so the service recovers by
    itself after the database restarts; on PostgreSQL, give up connecting after a few
    seconds so requests answer 503 instead of hanging while it is down."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if make_url(database_url).get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))}
    return options


def register_logging(app: Flask) -> None:
    level = app.config["LOG_LEVEL"]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app.logger.setLevel(level)
    # Alembic announces each of its plugins at INFO whenever it is imported.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite enforces foreign keys only when asked, per connection; WAL lets readers run beside a writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.close()


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_LOCK_TAKEN = "service.sqlite_write_lock_taken"  # per request (g lives as long as the app context)


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


def ensure_sqlite_folder(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def register_database(app: Flask) -> None:
    ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)

    @app.teardown_request
    def release_sqlite_write_lock(_error: Optional[BaseException]) -> None:
        """A request that took SQLite's write lock gives it back as it ends, even where
        its session outlives it (an app context shared across requests, as in tests)."""
        if request.environ.get(WRITE_LOCK_TAKEN):
            try:
                db.session.rollback()  # after a commit: only ends the reads that followed
            except Exception:  # noqa: BLE001 - the connection is gone: nothing to release
                db.session.remove()


def register_api(app: Flask) -> None:
    """The resource blueprints, documented by flask-smorest; and the contract they make up.

    The OpenAPI contract is generated from this Api (``python -m service openapi``),
    committed as ``openapi.yaml`` and served as is by ``service.openapi``, with the
    offline ``/docs`` page. flask-smorest serves no spec or UI routes of its own.
    """
    from . import changes_api, countries_api, governments, health, openapi, records_api, relations
    from .api import make_api

    api = make_api(app)
    for blueprint in (
        health.blp,
        countries_api.blp,
        governments.blp,
        relations.blp,
        records_api.recognitions,
        records_api.exchanges,
        records_api.sources,
        changes_api.blp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(openapi.contract)


def register_input_guards(app: Flask) -> None:
    from .input_guards import register_input_guards as register

    register(app)


def register_auth(app: Flask) -> None:
    from .auth import register_read_guard

    register_read_guard(app)


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


def register_security(app: Flask) -> None:
    """Security headers and CORS (service.security). After register_http_caching, so its
    after_request runs first and hashes the /docs page before a 304 empties the body."""
    from .security import register_security_headers

    register_security_headers(app)


def register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
