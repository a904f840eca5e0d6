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
from marshmallow import RAISE, Schema, ValidationError
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy

from ..schemas.problems import ProblemSchema
from .problems import http_exception_as_problem

DEFAULT_PROBLEM_RESPONSE = "DEFAULT_PROBLEM"


def repeated_single_values(args, schema: Schema) -> list[str]:
    """The parameters given more than once that ``schema`` reads as one value.

    webargs would use the first and drop the rest silently (``?country=AF&country=RU``
    would answer for AF alone); which one the caller meant is unknowable.
    """
    proxy = MultiDictProxy(args, schema)
    by_name = {field.data_key or name: field for name, field in schema.fields.items()}
    return sorted(
        name
        for name in set(args.keys())
        if name in by_name and len(args.getlist(name)) > 1 and not proxy._is_multiple(by_name[name])  # noqa: SLF001
    )


class StrictParser(FlaskParser):
    """Reject unknown query parameters: a typo such as ``contry=RU`` must not widen a query.
    A single-valued parameter given twice is refused too (422, naming it)."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }

    def load_querystring(self, req, schema: Schema):
        repeated = repeated_single_values(req.args, schema)
        if repeated:
            raise ValidationError({name: ["given more than once; send it once"] for name in repeated})
        return super().load_querystring(req, schema)


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
