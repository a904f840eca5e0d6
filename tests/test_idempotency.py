"""Idempotency-Key on POST (issue 12, item 2): a retry gets the first answer and writes
nothing; another body under the key is 422; a retry while the first runs is 409; keys
are per token, kept 24 hours, stored with the write, and pruned when expired."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from service.store import writes
from service.store.models import Change, IdempotencyKey, Source, utcnow
from service.store.tokens import create_token
from tests.support.constants import PROBLEM

BODY = {"publisher": "AP", "title": "Envoy accepted", "kind": "news", "published": "2025-07-04"}


def stored_sources(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Source).where(Source.publisher == "AP"))


def changes(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Change))


def keyed(editor: dict, key: str) -> dict:
    return {**editor, "Idempotency-Key": key}


def test_a_retry_gets_the_first_answer_and_writes_nothing(client, seeded, editor, db):
    before = changes(db)
    first = client.post("/v1/sources", json=BODY, headers=keyed(editor, "k-1"))
    assert first.status_code == 201
    # The same body with its keys in another order is the same request.
    again = client.post("/v1/sources", json=dict(reversed(list(BODY.items()))), headers=keyed(editor, "k-1"))
    assert again.status_code == 201
    assert again.get_data() == first.get_data()
    for name in ("Location", "ETag", "Content-Type"):
        assert again.headers[name] == first.headers[name]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert stored_sources(db) == 1
    assert changes(db) == before + 1


def test_the_key_is_stored_in_the_writes_transaction(client, seeded, editor, db):
    client.post("/v1/sources", json=BODY, headers=keyed(editor, '"quoted-key"'))
    db.session.rollback()
    row = db.session.scalar(select(IdempotencyKey))
    assert row.key == "quoted-key" and row.status == 201
    assert dt.timedelta(hours=23, minutes=59) < row.expires_at - row.created_at <= dt.timedelta(hours=24)


def test_the_same_key_with_another_body_or_path_is_422_and_writes_nothing(client, seeded, editor, db):
    assert client.post("/v1/sources", json=BODY, headers=keyed(editor, "k-2")).status_code == 201
    before = changes(db)
    other_body = client.post("/v1/sources", json={**BODY, "title": "Other"}, headers=keyed(editor, "k-2"))
    assert other_body.status_code == 422
    assert other_body.mimetype == PROBLEM
    assert "Idempotency-Key" in other_body.json["errors"]
    other_path = client.post(
        "/v1/governments",
        json={"id": "xx-new", "name": "New", "country": "afg", "start": "2024"},
        headers=keyed(editor, "k-2"),
    )
    assert other_path.status_code == 422
    assert changes(db) == before
    assert stored_sources(db) == 1


def test_keys_belong_to_their_token(client, seeded, editor, db):
    other = {"Authorization": f"Bearer {create_token('other-desk', 'write')}"}
    assert client.post("/v1/sources", json=BODY, headers=keyed(editor, "shared")).status_code == 201
    second = client.post("/v1/sources", json=BODY, headers=keyed(other, "shared"))
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert stored_sources(db) == 2


def test_without_a_key_every_post_writes(client, seeded, editor, db):
    for _ in range(2):
        assert client.post("/v1/sources", json=BODY, headers=editor).status_code == 201
    assert stored_sources(db) == 2


@pytest.mark.parametrize("key", ["", "a b", "é", "x" * 256, '""'])
def test_a_malformed_key_is_400(client, seeded, editor, db, key):
    response = client.post("/v1/sources", json=BODY, headers=keyed(editor, key.encode().decode("latin-1")))
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    assert stored_sources(db) == 0


def test_a_refused_request_keeps_no_key(client, seeded, editor, db):
    bad = client.post("/v1/sources", json={**BODY, "kind": "rumour"}, headers=keyed(editor, "k-3"))
    assert bad.status_code == 422
    assert client.post("/v1/sources", json=BODY, headers=keyed(editor, "k-3")).status_code == 201
    assert stored_sources(db) == 1


def test_expired_keys_are_pruned_and_may_be_used_again(client, seeded, editor, db):
    assert client.post("/v1/sources", json=BODY, headers=keyed(editor, "old")).status_code == 201
    db.session.rollback()
    row = db.session.scalar(select(IdempotencyKey))
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    again = client.post("/v1/sources", json=BODY, headers=keyed(editor, "old"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1, "the expired key was pruned"
    assert stored_sources(db) == 2


def test_a_retry_while_the_first_is_running_is_409(app, client, seeded, editor, db, monkeypatch):
    """The first request is held inside its write; the retry, sent meanwhile, is 409 at
    once; once the first is answered, the retry gets its answer."""
    inside, release = threading.Event(), threading.Event()
    real_create = writes.create_record

    def slow_create(*args, **kwargs):
        inside.set()
        assert release.wait(20), "the test never released the first request"
        return real_create(*args, **kwargs)

    monkeypatch.setattr("service.views.records.create_record", slow_create)
    answers = {}

    def first():
        answers["first"] = app.test_client().post("/v1/sources", json=BODY, headers=keyed(editor, "busy"))

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(20), "the first request never reached its write"
        during = client.post("/v1/sources", json=BODY, headers=keyed(editor, "busy"))
    finally:
        release.set()
        thread.join(30)
    assert during.status_code == 409, during.get_data(as_text=True)
    assert during.mimetype == PROBLEM
    assert answers["first"].status_code == 201
    after = client.post("/v1/sources", json=BODY, headers=keyed(editor, "busy"))
    assert after.status_code == 201 and after.headers["Idempotent-Replayed"] == "true"
    assert after.headers["Location"] == answers["first"].headers["Location"]
    assert stored_sources(db) == 1


def test_a_subscription_post_honours_the_key_too(client, seeded, editor, db):
    body = {"url": "https://93.184.216.34/status"}
    first = client.post("/v1/subscriptions", json=body, headers=keyed(editor, "sub-1"))
    assert first.status_code == 201, first.get_data(as_text=True)
    again = client.post("/v1/subscriptions", json=body, headers=keyed(editor, "sub-1"))
    assert again.status_code == 201 and again.get_data() == first.get_data()
    assert len(client.get("/v1/subscriptions", headers=editor).json["items"]) == 1
