"""Liveness and readiness probes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..http.api import Blueprint
from ..http.negotiation import json_only
from ..schemas.health import HealthSchema, ReadinessSchema
from ..store.database import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

blp = Blueprint("health", __name__, description="Probes for orchestrators and load balancers.")


@lru_cache(maxsize=1)
def newest_migration() -> str:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


@blp.route("/healthz")
class Liveness(MethodView):
    @blp.doc(operationId="healthz")
    @blp.response(200, HealthSchema)
    @json_only
    def get(self):
        """Liveness

        The process answers HTTP; says nothing about the database.
        """
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    @blp.doc(operationId="readyz")
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, description="Database unreachable or not at the newest migration.")
    @json_only
    def get(self):
        """Readiness

        The database answers and is at the newest migration.
        """
        try:
            current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            db.session.rollback()
            abort(503, message="The database is unreachable or has not been migrated.")
        expected = newest_migration()
        if current != expected:
            abort(503, message=f"The database is at migration '{current}', the service needs '{expected}'.")
        return {"status": "ready", "migration": current}
