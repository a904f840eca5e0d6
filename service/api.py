"""The flask-smorest ``Api``, adjusted: problem+json errors and strict query strings.

Every error the service answers is RFC 9457 ``application/problem+json`` (see
``service.errors``); the ``Problem`` schema below documents that body, and replaces
flask-smorest's own ``Error`` schema and ``DEFAULT_ERROR`` response in the OpenAPI
document. flask-smorest serves no spec or docs routes of its own: the service serves
its committed contract itself (``service.openapi``).
"""
from __future__ import annotations

import http
from typing import Any

from flask_smorest import Api, Blueprint as SmorestBlueprint
from marshmallow import INCLUDE, RAISE, Schema, fields
from webargs.flaskparser import FlaskParser

from .errors import PROBLEM_MIMETYPE, REQUEST_ID_HEADER, http_exception_as_problem


class StrictParser(FlaskParser):
    """Reject unknown query parameters: a typo such as ``contry=RU`` must not widen a query."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }


class Blueprint(SmorestBlueprint):
    """Every resource blueprint parses arguments strictly."""

    ARGUMENTS_PARSER = StrictParser()


# --- the documented error body ---------------------------------------------------------

class ProblemSchema(Schema):
    """An RFC 9457 problem; documentation only (``service.errors.problem`` writes the body)."""

    class Meta:
        # RFC 9457 lets a problem carry extension members.
        unknown = INCLUDE

    type = fields.String(
        required=True,
        metadata={"description": "URI reference naming the problem type; `about:blank` when the status says it all.",
                  "example": "about:blank"},
    )
    title = fields.String(
        required=True, metadata={"description": "The HTTP status phrase.", "example": "Not Found"}
    )
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code.", "example": 404})
    detail = fields.String(
        required=True,
        metadata={"description": "What went wrong, for a person to read.",
                  "example": "No government has the id 'af-islamic-emirat'."},
    )
    instance = fields.String(
        required=True,
        metadata={"description": "The path of the request.", "example": "/v1/governments/af-islamic-emirat"},
    )
    request_id = fields.String(
        required=True,
        metadata={"description": "Also sent as the `X-Request-ID` header; quote it when reporting a problem.",
                  "example": "5f0c3a1e9b7d4c2a8e6f1b3d5c7a9e0f"},
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Per field (or request part), the list of messages; on 422 only.",
                  "example": {"contry": ["Unknown field."]}},
    )


class ValidationProblemSchema(ProblemSchema):
    """A 422 problem: ``errors`` names every invalid field."""

    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={"description": "Per field, the list of messages.", "example": {"contry": ["Unknown field."]}},
    )


PROBLEM_SCHEMA_NAME = "Problem"
VALIDATION_PROBLEM_SCHEMA_NAME = "ValidationProblem"
DEFAULT_PROBLEM_RESPONSE = "DEFAULT_PROBLEM"

REQUEST_ID_HEADER_DOC: dict[str, Any] = {
    "description": "The caller's `X-Request-ID` when it is safe to echo (1 to 64 of `A-Z a-z 0-9 . _ -`), "
                   "otherwise one the service made up; it is also in every problem body and in the log.",
    "required": True,
    "schema": {"type": "string", "maxLength": 64},
}


def component_ref(section: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


def problem_response_doc(status: int, description: str | None = None) -> dict[str, Any]:
    """The OpenAPI response object of a problem+json answer with ``status``."""
    schema = VALIDATION_PROBLEM_SCHEMA_NAME if status == 422 else PROBLEM_SCHEMA_NAME
    return {
        "description": description or http.HTTPStatus(status).phrase,
        "headers": {REQUEST_ID_HEADER: component_ref("headers", REQUEST_ID_HEADER)},
        "content": {PROBLEM_MIMETYPE: {"schema": component_ref("schemas", schema)}},
    }


def default_problem_response_doc() -> dict[str, Any]:
    return {
        "description": "Any other error (for example 405 Method Not Allowed), as problem+json.",
        "headers": {REQUEST_ID_HEADER: component_ref("headers", REQUEST_ID_HEADER)},
        "content": {PROBLEM_MIMETYPE: {"schema": component_ref("schemas", PROBLEM_SCHEMA_NAME)}},
    }


class ProblemApi(Api):
    """flask-smorest's Api with problem+json errors, in the handler and in the document."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = DEFAULT_PROBLEM_RESPONSE

    def handle_http_exception(self, error):
        return http_exception_as_problem(error)

    def _register_doc_blueprint(self):
        """No flask-smorest spec or UI routes: ``service.openapi`` serves the committed contract."""

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        # flask-smorest adds an ``openapi`` command printing the raw spec; the service's
        # own ``openapi`` command (service.cli) writes the contract.
        self._app.cli.commands.pop("openapi", None)

    def _register_responses(self):
        """Problem schemas, and a problem+json response for each error status (lazily)."""
        self.spec.components.schema(PROBLEM_SCHEMA_NAME, schema=ProblemSchema)
        self.spec.components.schema(VALIDATION_PROBLEM_SCHEMA_NAME, schema=ValidationProblemSchema)
        self.spec.components.header(REQUEST_ID_HEADER, dict(REQUEST_ID_HEADER_DOC))
        for status in http.HTTPStatus:
            if status >= 400:
                response = problem_response_doc(status)
            else:
                response = {"description": status.phrase}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(DEFAULT_PROBLEM_RESPONSE, default_problem_response_doc(), lazy=True)


def make_api(app) -> ProblemApi:
    """One Api per application, so building a second app never disturbs the first."""
    return ProblemApi(app)


def api_of(app) -> ProblemApi:
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
