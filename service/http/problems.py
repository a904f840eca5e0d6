"""Every error as RFC 9457 problem+json, with a request id and never a stack trace."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from ..store.database import db

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


def database_unavailable(error: Exception) -> Response:
    """The database cannot be reached (down, restarting, pool exhausted): 503, retry later.

    Not a bug in the request or the service, so no trace in the log: one warning line.
    The pool checks connections before use, so the next request after the database is
    back gets a fresh connection without a restart.
    """
    try:
        db.session.rollback()
    except Exception:  # the rollback itself needs the lost connection
        db.session.remove()
    log.warning(
        "database unavailable request_id=%s path=%s: %s",
        request_id(),
        request.path,
        type(getattr(error, "orig", error)).__name__,
    )
    return problem(503, "The database is unavailable; try again shortly.", headers={"Retry-After": "5"})


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_exception_as_problem)
    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(unavailable, database_unavailable)

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response
