"""Test databases on both engines: a SQLite file, and a throwaway PostgreSQL database.

``TEST_DATABASE_URL`` names a PostgreSQL server (any database on it); each test
session creates its own randomly named database there and drops it at the end.
Without a reachable server the PostgreSQL tests are skipped on a developer's
machine, but fail under CI (``CI=true``): CI must never pass by skipping them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from service.config import normalise_database_url
from tests.support.constants import PROJECT_ROOT

ENGINES = ("sqlite", "postgresql")


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def postgres_server_url() -> str | None:
    given = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(given) if given else None


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def fresh_database(engine_name: str, tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database on the named engine; remove it afterwards."""
    if engine_name == "sqlite":
        path = tmp_dir / f"test-{secrets.token_hex(4)}.sqlite3"
        yield f"sqlite:///{path}"
        return
    server_url = postgres_server_url()
    if server_url is None:
        unavailable("TEST_DATABASE_URL is not set")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"rs_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        unavailable(
            f"PostgreSQL at {make_url(server_url).render_as_string(hide_password=True)} is unreachable: {error.orig}"
        )
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
