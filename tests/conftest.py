"""Fixtures, chained: database URL → app → client → clean db → seeded data.

Every database test runs once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from service import create_app
from service.store.database import db as _db
from service.store.seed import seed as load_seed
from service.store.tokens import create_token
from tests.support.databases import ENGINES, fresh_database, migrate


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """One migrated database per engine for the whole session."""
    with fresh_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def app(database_url):
    # Webhook host names never reach a real resolver: tests that need one set their own.
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "WEBHOOK_RESOLVE_NAMES": False})
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database, emptied after the test so every test starts clean."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        empty_all_tables()
        _db.session.remove()


def empty_all_tables() -> None:
    tables = [table.name for table in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(text(f'DELETE FROM "{table}"'))
        _db.session.execute(text("DELETE FROM sqlite_sequence"))
    _db.session.commit()


class FreshReadsClient(FlaskClient):
    """Tests share one app context, so one session, across requests (production has one
    per request); expiring it around each request keeps answers from being served out
    of the test's identity map."""

    def open(self, *args, **kwargs):
        _db.session.expire_all()
        try:
            return super().open(*args, **kwargs)
        finally:
            _db.session.expire_all()


@pytest.fixture
def client(app, db):
    return FreshReadsClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def seeded(db):
    """The shipped seed case, loaded."""
    load_seed()
    return db


@pytest.fixture
def write_token(db) -> str:
    return create_token("desk-editor", "write")


@pytest.fixture
def read_token(db) -> str:
    return create_token("widget", "read")


@pytest.fixture
def editor(write_token) -> dict[str, str]:
    """Headers of an authenticated editor."""
    return {"Authorization": f"Bearer {write_token}"}
