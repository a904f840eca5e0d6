"""Filtered collection pages read only their own rows: SQLite's plan for the exact SQL a
request sends uses the (country, id) index and never sorts (no temp b-tree), so a page
costs the same at 1k and at 1M records."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from service import create_app
from service.store.database import db
from service.store.synth import synth
from tests.support.databases import fresh_database, migrate

RECORDS = 6000


@pytest.fixture(scope="module", params=["no statistics", "analyzed"])
def app(request, tmp_path_factory):
    """A migrated SQLite database with synthetic records; planned with and without ANALYZE."""
    with fresh_database("sqlite", tmp_path_factory.mktemp("indexes")) as url:
        migrate(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            synth(RECORDS)
            if request.param == "analyzed":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            yield app
            db.session.remove()
            db.engine.dispose()


def record_queries(app, url: str, table: str) -> list[tuple[str, tuple]]:
    """The keyset queries on ``table`` (ordered by id) that GET ``url`` runs, as sent to the driver."""
    sent = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if f"FROM {table}" in statement and f"ORDER BY {table}.id" in statement:
            sent.append((statement, tuple(parameters)))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        response = app.test_client().get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        response.get_data()  # a CSV export runs its queries while it streams
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert sent, f"GET {url} ran no keyset query on {table}"
    return sent


def query_plan(statement: str, parameters: tuple) -> str:
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(row[-1] for row in rows)


def last_id(app, path: str) -> str:
    return app.test_client().get(path).get_json()["items"][-1]["id"]


CASES = [
    ("/v1/ambassador-exchanges", "ambassador_exchanges", "country=FR&rank=ambassador"),
    (
        "/v1/ambassador-exchanges",
        "ambassador_exchanges",
        "country=FRA&direction=government_to_country&as_of=2024-01-01",
    ),
    ("/v1/recognitions", "recognitions", "country=FR"),
    ("/v1/recognitions", "recognitions", "country=fr&form=de_jure&as_of=2024-01-01"),
]


@pytest.mark.parametrize("path, table, filters", CASES)
@pytest.mark.parametrize("page", ["first page", "next page", "csv export"])
def test_filtered_page_uses_the_country_id_index_and_no_sort(app, path, table, filters, page):
    with app.app_context():
        url = f"{path}?{filters}&limit=2"
        if page == "next page":
            cursor = app.test_client().get(url).get_json()["next_cursor"]
            assert cursor, "the synthetic data should give more than one page"
            url += f"&cursor={cursor}"
        elif page == "csv export":
            url = f"{path}?{filters}&format=csv"
        for statement, parameters in record_queries(app, url, table):
            plan = query_plan(statement, parameters)
            assert f"USING INDEX ix_{table}_country_id (country=?" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
            if page == "next page":
                assert "id>?" in plan, f"the cursor should be a range on the index:\n{plan}"


def test_the_old_country_only_indexes_are_gone(app):
    with app.app_context():
        names = set(db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
    assert {"ix_recognitions_country_id", "ix_ambassador_exchanges_country_id"} <= names
    assert not names & {"ix_recognitions_country", "ix_ambassador_exchanges_country"}
