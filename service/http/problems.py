"""Every error as RFC 9457 problem+json, with a request id and never a stack trace."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from ..store.database import commit_in_doubt, db, end_session_safely

PROBLEM_MIMETYPE = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

log = logging.getLogger("service.errors")  # the name operators filter on


def request_id() -> str:
    """The caller's X-Request-ID when it is safe to echo, else a fresh one."""
    if "request_id" not in g:
        g.request_id = safe_request_id(request.headers.get(REQUEST_ID_HEADER, ""))
    return g.request_id


def safe_request_id(given: str) -> str:
    """``given`` when it is safe to echo (and to log), else a fresh id; also used by the
    hot path, which answers before Flask's request context exists."""
    return given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex


def flatten_field_errors(messages: Any) -> dict[str, Any]:
    """webargs nests errors by location ({'query': {'contry': [...]}}); callers want fields."""
    if not isinstance(messages, Mapping):
        return {"_request": messages}
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, Mapping):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description,
        "instance": request.path,
        "request_id": request_id(),
    }
    if errors:
        body["errors"] = dict(errors)
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_exception_as_problem(error: HTTPException) -> Response:
    """Turn any werkzeug HTTPException (abort, routing, parser errors) into problem+json."""
    if isinstance(error, InternalServerError):
        log.error(
            "unhandled error request_id=%s path=%s",
            request_id(),
            request.path,
            exc_info=getattr(error, "original_exception", None) or error,
        )
        return problem(500, "The service failed to answer; quote the request_id when reporting it.")
    data = getattr(error, "data", None) or {}
    detail = data.get("message") or error.description
    errors = data.get("errors")
    if errors is None and "messages" in data:
        errors = flatten_field_errors(data["messages"])
    headers = {
        name: value for name, value in error.get_headers() if name.lower() not in {"content-type", "content-length"}
    }
    headers.update(data.get("headers") or {})
    if error.code == 422 and not detail:
        detail = "The request has invalid fields; see errors."
    return problem(error.code or 500, detail, errors=errors, headers=headers)


# SQLite's primary result codes (the low byte of ``sqlite_errorcode``).
SQLITE_READONLY, SQLITE_FULL = 8, 13
# PostgreSQL's SQLSTATEs: disk_full, read_only_sql_transaction.
PG_DISK_FULL, PG_READ_ONLY = "53100", "25006"

COMMIT_IN_DOUBT = (
    "The connection to the database was lost while your write was being committed, so it may have "
    "been applied. To find out, send the same request again with the same Idempotency-Key header "
    "(an applied write answers as it did the first time; otherwise it is applied now), or look for "
    "it in the change feed: GET /v1/changes?after=<the last seq you had>."
)


def is_disk_full(original: BaseException) -> bool:
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == SQLITE_FULL
    return getattr(original, "sqlstate", None) == PG_DISK_FULL or "No space left on device" in str(original)


def is_read_only(original: BaseException) -> bool:
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == SQLITE_READONLY
    return getattr(original, "sqlstate", None) == PG_READ_ONLY


def database_unavailable(error: Exception) -> Response:
    """The database failed the request: say truthfully what that means for the caller.

    - the disk is full: 507, no ``Retry-After`` (it lasts until an operator frees
      space), ``disk full`` logged at ERROR; nothing was written (the transaction
      rolled back);
    - the database refuses writes (a read-only file, a read-only server): 503, the log
      names it;
    - the connection dropped after COMMIT was sent: the write may have been applied;
      503 says so and how to find out (``COMMIT_IN_DOUBT``);
    - otherwise it cannot be reached (down, restarting, pool exhausted): 503, retry later.

    Not a bug in the request or the service, so no trace in the log: one line. The pool
    checks connections before use, so the next request after the database is back gets
    a fresh connection without a restart.
    """
    original = getattr(error, "orig", None) or error
    in_doubt = commit_in_doubt() and bool(getattr(error, "connection_invalidated", False))
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the rollback itself needs the lost connection
        end_session_safely()
    where = f"request_id={request_id()} method={request.method} path={request.path}"
    kind = type(original).__name__
    if is_disk_full(original):
        log.error("database write failed: disk full %s: %s", where, kind)
        return problem(
            507,
            "The database's disk is full, so nothing was written. This lasts until an operator frees space.",
        )
    if is_read_only(original):
        log.error("database write failed: the database is read-only %s: %s", where, kind)
        return problem(503, "The database is read-only at the moment, so nothing was written; reads still work.")
    if in_doubt:
        log.error("commit outcome unknown: connection lost during COMMIT %s: %s", where, kind)
        return problem(503, COMMIT_IN_DOUBT, title="Write May Have Been Applied", headers={"Retry-After": "1"})
    log.warning("database unavailable %s: %s", where, kind)
    return problem(503, "The database is unavailable; try again shortly.", headers={"Retry-After": "5"})


def database_error(error: DBAPIError) -> Response:
    """Any other database error: a lost connection, a read-only database or a full disk
    (PostgreSQL reports a read-only transaction as an internal error, SQLite a closed
    connection as a programming error) as above; anything else is a bug: 500."""
    original = error.orig or error
    if error.connection_invalidated or is_read_only(original) or is_disk_full(original):
        return database_unavailable(error)
    return http_exception_as_problem(InternalServerError(original_exception=error))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_exception_as_problem)
    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(unavailable, database_unavailable)
    app.register_error_handler(DBAPIError, database_error)

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response
