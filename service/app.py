"""The application factory: ``create_app`` is a list of small named steps."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from marshmallow import fields

from . import config
from .hotpath import with_hot_path
from .http.api import ProblemApi
from .http.auth import register_read_guard
from .http.caching import register_http_caching
from .http.input_guards import register_input_guards
from .http.problems import register_error_handlers
from .http.security import register_security_headers
from .openapi.plugin import ContractPlugin
from .openapi.texts import API_CONFIG, api_spec_options
from .store.database import register_database
from .views import register_views


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    register_config(app, overrides)
    register_logging(app)
    register_database(app)
    register_api(app)
    register_error_handlers(app)
    register_input_guards(app)
    register_read_guard(app)
    register_http_caching(app)
    # After register_http_caching, so its after_request runs first and hashes the
    # /docs page before a 304 empties the body.
    register_security_headers(app)
    # Last: a thin WSGI layer in front of all of the above replays repeated public reads.
    return with_hot_path(app)


def register_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    app.config.update(config.from_environment())
    app.config.update(API_CONFIG, API_SPEC_OPTIONS=api_spec_options(), JSON_SORT_KEYS=False)
    app.config.update(overrides or {})
    app.json.sort_keys = False


def register_logging(app: Flask) -> None:
    level = app.config["LOG_LEVEL"]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app.logger.setLevel(level)
    # Alembic announces each of its plugins at INFO whenever it is imported.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_api(app: Flask) -> None:
    """The resource blueprints, documented by flask-smorest, with ``ContractPlugin`` adding
    what every operation shares. The document is built by ``service.openapi.document``
    (``python -m service openapi``), committed as ``openapi.yaml`` and served as is by
    ``service.views.contract``; flask-smorest serves no spec or UI routes of its own."""
    api = ProblemApi(app, spec_kwargs={"extra_plugins": [ContractPlugin()]})
    # JSON Schema has no `url` format, so none is claimed (SourceBody.url documents its own).
    api.register_field(fields.Url, "string", None)
    register_views(app, api)
