"""Liveness and readiness probes."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_smorest import abort
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .api import Blueprint
from .extensions import db
from .representations import json_only

PROJECT_ROOT = Path(__file__).resolve().parent.parent

blp = Blueprint("health", __name__, description="Probes for orchestrators and load balancers.")


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class ReadinessSchema(HealthSchema):
    migration = fields.String(required=True, metadata={"example": "0001"})


@lru_cache(maxsize=1)
def newest_migration() -> str:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


@blp.route("/healthz")
@blp.response(200, HealthSchema)
@json_only
def healthz():
    """Liveness

    The process answers HTTP; says nothing about the database.
    """
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, ReadinessSchema)
@blp.alt_response(503, description="Database unreachable or not at the newest migration.")
@json_only
def readyz():
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
