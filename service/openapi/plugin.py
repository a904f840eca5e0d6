"""An apispec plugin for what every operation shares (given to flask-smorest as an extra plugin).

The views declare what is theirs: success answers with their headers and media types,
404, 409, 412 and 428, the headers they read, their operation ids. This plugin adds
what the app does for every request, from what each operation declares (never from
its path's text):

- every operation: ``X-Request-ID`` (parameter, and header of its success answer);
  400 (a query string that is not UTF-8, a forged cursor, malformed JSON, an
  ``If-Match`` that is not its syntax, a header that is not UTF-8), 431 (a header line over 8 KiB) and 500;
- a GET: ``If-None-Match``, 304, and ``ETag`` and ``Cache-Control`` on its 200
  (``service.http.caching``); 406 (every view negotiates its representation);
- a request body: 413 (the app's body limit) and 415 (bodies are JSON);
- security (``service.http.auth``): writes need a ``write`` token; reads of the API
  take an optional one (``READ_REQUIRES_TOKEN`` makes it necessary); with a token
  come 401 and 403; the probes take none;
- a write: ``X-Change-Reason``, and 422 when the service cannot keep it; 503 when
  the database fails it (on any request), 507 when its disk is full;
- a POST: ``Idempotency-Key``, with 409 (still running) and 422 (used for another
  request);
- an error response declared by description only gets the problem+json body.

It also declares the components those refer to: the problem schemas and responses,
headers, parameters and the bearer scheme (``service.openapi.texts``).
"""

from __future__ import annotations

import http
from typing import Any

from apispec import APISpec, BasePlugin

from ..http.auth import read_needs_token
from ..http.idempotency import HEADER as IDEMPOTENCY_HEADER
from ..http.preconditions import REASON_HEADER
from ..http.problems import PROBLEM_MIMETYPE, REQUEST_ID_HEADER
from ..schemas.problems import ProblemSchema, ValidationProblemSchema
from . import texts

PROBLEM = "Problem"
VALIDATION_PROBLEM = "ValidationProblem"
WRITE_METHODS = ("post", "put", "patch", "delete")
SUCCESS_WITH_HEADERS = {"get": "200", "post": "201", "patch": "200"}


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """The response object of a problem+json answer with ``status``."""
    schema = VALIDATION_PROBLEM if status == 422 else PROBLEM
    return {
        "description": description or http.HTTPStatus(status).phrase,
        "headers": {REQUEST_ID_HEADER: REQUEST_ID_HEADER},
        "content": {PROBLEM_MIMETYPE: {"schema": schema}},
    }


def status_name(code: str) -> str:
    return texts.NOT_MODIFIED if code == "304" else http.HTTPStatus(int(code)).name


class ContractPlugin(BasePlugin):
    def init_spec(self, spec: APISpec) -> None:
        self.spec = spec
        self.status_responses_registered = False
        components = spec.components
        components.schema(PROBLEM, schema=ProblemSchema)
        components.schema(VALIDATION_PROBLEM, schema=ValidationProblemSchema)
        for name, header in texts.HEADERS.items():
            components.header(name, dict(header), lazy=True)
        for name, parameter in texts.PARAMETERS.items():
            components.parameter(name, parameter["in"], dict(parameter), lazy=True)
        for name, scheme in texts.SECURITY_SCHEMES.items():
            components.security_scheme(name, dict(scheme))
        default = problem_response(500, texts.DEFAULT_PROBLEM_DESCRIPTION)
        components.response(texts.DEFAULT_PROBLEM, default, lazy=True)

    def register_status_responses(self) -> None:
        """The responses named after a status: 304, and a problem+json one per error status.

        flask-smorest registers a placeholder of its own under each status's name
        after the plugins' ``init_spec``, and refers to some (422 with arguments); a
        later lazy registration replaces an earlier one, so this runs once, when the
        first operation comes, before anything has referred to them.
        """
        self.spec.components.response(texts.NOT_MODIFIED, dict(texts.NOT_MODIFIED_RESPONSE), lazy=True)
        for status in http.HTTPStatus:
            if status >= 400:
                response = problem_response(status, texts.PROBLEM_DESCRIPTIONS.get(status))
                if status == 401:
                    response["headers"] = {"WWW-Authenticate": "WWW-Authenticate", **response["headers"]}
                self.spec.components.response(status.name, response, lazy=True)
        self.status_responses_registered = True

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        if not self.status_responses_registered:
            self.register_status_responses()
        for method, operation in (operations or {}).items():
            self.complete(path or "", method, operation)

    def complete(self, path: str, method: str, operation: dict[str, Any]) -> None:
        responses = {str(code): response for code, response in operation.get("responses", {}).items()}
        guarded_read = method == "get" and read_needs_token(path)
        codes = [400, 431, 500]
        if method == "get":
            codes += [304, 406]
        if method in WRITE_METHODS or guarded_read:
            codes += [401, 403]
        if "requestBody" in operation:
            codes += [413, 415]
        if method in WRITE_METHODS:
            codes.append(422)  # an X-Change-Reason the service cannot keep
        if method == "post":
            codes += [409, 422]  # Idempotency-Key: still running; used for another request
        if method in WRITE_METHODS or method == "get":
            codes.append(503)  # the database is unavailable (or a commit's outcome unknown)
        if method in WRITE_METHODS:
            codes.append(507)  # the database's disk is full
        for code in map(str, codes):
            responses.setdefault(code, status_name(code))
        for code, response in responses.items():
            if code[:1] in "45" and isinstance(response, dict) and "content" not in response:
                documented = problem_response(int(code), response.get("description"))
                response.setdefault("headers", documented["headers"])
                response["content"] = documented["content"]
        success = responses.get(SUCCESS_WITH_HEADERS.get(method, ""))
        if isinstance(success, dict):
            cached = ["ETag", "Cache-Control", "Surrogate-Key", "Cache-Tag"] if method == "get" else []
            declared = {name: header for name, header in success.get("headers", {}).items() if name not in cached}
            success["headers"] = {
                **{name: name for name in cached},
                **declared,
                REQUEST_ID_HEADER: REQUEST_ID_HEADER,
            }
        operation["responses"] = responses

        if method in WRITE_METHODS:
            operation.setdefault("security", [{"bearerAuth": ["write"]}])
        elif guarded_read:
            # Anonymous by default (no padlock); a token where READ_REQUIRES_TOKEN is set.
            operation.setdefault("security", [{}, {"bearerAuth": []}])
        else:
            operation.setdefault("security", [])  # the probes: never a token
        parameters = operation.setdefault("parameters", [])
        if method == "get":
            parameters.append("If-None-Match")
        if method in WRITE_METHODS:
            parameters.append(REASON_HEADER)
        if method == "post":
            parameters.append(IDEMPOTENCY_HEADER)
        parameters.append(REQUEST_ID_HEADER)
