"""Every error is problem+json, with a request id, and never a stack trace."""

from __future__ import annotations

from service.store.database import db as _db
from tests.support.constants import PROBLEM


def test_unknown_route_is_a_404_problem(client):
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    body = response.json
    assert {"type", "title", "status", "detail", "request_id"} <= body.keys()
    assert body["status"] == 404


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert "GET" in response.headers["Allow"]


def test_unexpected_failure_is_500_without_a_trace(app, db, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # behave as in production
    monkeypatch.setattr(_db.session, "get", explode)
    response = app.test_client().get("/v1/governments/af-islamic-emirate")
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    request_id = response.json["request_id"]
    assert response.headers["X-Request-ID"] == request_id
    assert any(request_id in record.getMessage() for record in caplog.records)


def test_a_safe_caller_request_id_is_echoed(client):
    response = client.get("/nope", headers={"X-Request-ID": "desk-42"})
    assert response.json["request_id"] == "desk-42"
    unsafe = client.get("/nope", headers={"X-Request-ID": "bad id <script>"})
    assert unsafe.json["request_id"] != "bad id <script>"


def test_conditional_get_answers_304_with_the_same_etag(client):
    first = client.get("/healthz")
    etag = first.headers["ETag"]
    second = client.get("/healthz", headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.headers["ETag"] == etag
    assert second.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert second.get_data() == b""
