"""The flask-smorest ``Api``, adjusted: problem+json errors and strict query strings."""
from __future__ import annotations

from flask_smorest import Api, Blueprint as SmorestBlueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from .errors import http_exception_as_problem


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

    def handle_http_exception(self, error):
        return http_exception_as_problem(error)


api = ProblemApi()
