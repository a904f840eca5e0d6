"""flask-smorest's ``Api`` and ``Blueprint``, adjusted: problem+json errors, strict query strings.

Every error the service answers is RFC 9457 ``application/problem+json``
(``service.http.problems``). flask-smorest serves no spec or docs routes of its own
(``OPENAPI_URL_PREFIX`` is unset): the service serves its committed contract itself
(``service.views.contract``).
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from ..schemas.problems import ProblemSchema
from .problems import http_exception_as_problem

DEFAULT_PROBLEM_RESPONSE = "DEFAULT_PROBLEM"


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


class ProblemApi(Api):
    """flask-smorest's Api with problem+json errors, in the handler and in the document."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = DEFAULT_PROBLEM_RESPONSE

    def handle_http_exception(self, error):
        return http_exception_as_problem(error)


def api_of(app: Flask) -> ProblemApi:
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
