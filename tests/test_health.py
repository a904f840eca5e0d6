"""Liveness and readiness."""

from __future__ import annotations

from sqlalchemy import text

from service import create_app


def test_healthz_answers_without_touching_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_the_newest_migration(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ready"
    assert response.json["migration"] == "0004"


def test_readyz_is_503_when_the_database_is_behind(client, db):
    db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert "older" in response.json["detail"]
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        db.session.commit()


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    # A SQLite path inside a missing, read-only location cannot be opened.
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "Traceback" not in response.get_data(as_text=True)
