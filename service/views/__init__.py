"""HTTP views: one flask-smorest blueprint per resource, MethodView classes, HTTP only.

Views parse and answer; the rules live in ``service.domain``, the reads and writes in
``service.store``, the shared HTTP mechanics in ``service.http``. ``register_views``
registers every blueprint, in the order the contract lists their tags.
"""

from __future__ import annotations

from flask import Flask

from ..http.api import ProblemApi
from ..store.registry import AMBASSADOR_EXCHANGES, GOVERNMENTS, RECOGNITIONS, SOURCES
from . import changes, contract, countries, health, pages, relations, status_changes, subscriptions
from .records import record_blueprint


def register_views(app: Flask, api: ProblemApi) -> None:
    for blueprint in (
        health.blp,
        countries.blp,
        record_blueprint(GOVERNMENTS),
        relations.blp,
        record_blueprint(RECOGNITIONS),
        record_blueprint(AMBASSADOR_EXCHANGES),
        record_blueprint(SOURCES),
        changes.blp,
        status_changes.blp,
        subscriptions.blp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(contract.blp)
    app.register_blueprint(pages.blp)
