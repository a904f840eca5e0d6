"""Answers a CDN can hold, and purges of exactly what each committed write changed.

- ``Cache-Control`` per answer: public reads for shared caches, token-gated reads
  private, errors and writes ``no-store``; ``Vary`` on every negotiated answer.
- ``Surrogate-Key``/``Cache-Tag`` name what an answer shows (``service.store.purges``).
- A committed write enqueues one ``purge`` message with the keys it affects; a write
  that rolls back, none; without ``PURGE_ADAPTER``, none.
- The deliverer sends it through the adapter (Varnish, Fastly, Cloudflare), here to a
  loopback fake of each API, and retries it.
"""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from sqlalchemy import select

from service.delivery.loop import Deliverer, Settings
from service.delivery.purges import PurgeSender
from service.store import outbox
from service.store.database import db as _db
from service.store.models import OutboxMessage
from service.store.purges import MAX_KEYS, PURGE, answer_keys, safe
from service.store.registry import RECOGNITIONS, SOURCES
from service.store.writes import create_record
from tests.support.purge_receiver import PurgeReceiver

GOV = "af-islamic-emirate"
RECOGNITION = "rcg_8c6475f1647032195d51"
CITED_SOURCE = "src_c53a87cd60d5702cb419"
PUBLIC = "public, max-age=0, s-maxage=60, stale-while-revalidate=30, stale-if-error=86400"


def purge_messages() -> list[OutboxMessage]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == PURGE)))


def purged_keys() -> list[set[str]]:
    return [set(message.payload["keys"]) for message in purge_messages()]


@pytest.fixture
def purging(app, monkeypatch):
    monkeypatch.setitem(app.config, "PURGE_ADAPTER", "varnish")


# --- headers ------------------------------------------------------------------------------


def test_a_public_read_is_held_by_shared_caches_and_named_by_its_keys(client, seeded):
    response = client.get(f"/v1/governments/{GOV}/relations")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PUBLIC
    assert response.headers["Surrogate-Key"] == f"gov:{GOV} rel:{GOV} all"
    assert response.headers["Cache-Tag"] == f"gov:{GOV},rel:{GOV},all"
    assert "Accept" in response.headers["Vary"]
    again = client.get(f"/v1/governments/{GOV}/relations", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == PUBLIC and again.headers["Surrogate-Key"] == f"gov:{GOV} rel:{GOV} all"


def test_the_lifetimes_come_from_the_environment(monkeypatch, tmp_path):
    from service import create_app

    for name, value in (("CACHE_S_MAXAGE", "5"), ("CACHE_STALE_WHILE_REVALIDATE", "7"), ("CACHE_STALE_IF_ERROR", "9")):
        monkeypatch.setenv(name, value)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lifetimes.sqlite3'}", "TESTING": True})
    response = app.test_client().get("/v1/countries")
    assert response.headers["Cache-Control"] == (
        "public, max-age=0, s-maxage=5, stale-while-revalidate=7, stale-if-error=9"
    )


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("/v1/recognitions", ["recognitions", "all"]),
        ("/v1/ambassador-exchanges", ["ambassador-exchanges", "all"]),
        (f"/v1/recognitions/{RECOGNITION}", [f"rec:{RECOGNITION}", "all"]),
        (f"/v1/sources/{CITED_SOURCE}/history", [f"src:{CITED_SOURCE}", "all"]),
        (f"/v1/governments/{GOV}", [f"gov:{GOV}", "all"]),
        (f"/v1/governments/{GOV}/timeline.svg", [f"gov:{GOV}", f"rel:{GOV}", "all"]),
        (f"/v1/governments/{GOV}/status-changes", [f"gov:{GOV}", f"rel:{GOV}", "changes", "all"]),
        ("/v1/changes", ["changes", "all"]),
        ("/v1/status-changes.atom", ["changes", "all"]),
        (f"/governments/{GOV}/RU", [f"gov:{GOV}", f"rel:{GOV}", "all"]),
        ("/", ["governments", "all"]),
        ("/v1/countries/RU", ["countries", "all"]),
    ],
)
def test_each_answer_names_what_it_shows(path, keys):
    assert answer_keys(path) == keys


def test_an_id_unfit_for_a_header_is_named_by_its_digest():
    assert safe("plain-id_1") == "plain-id_1"
    odd = safe("a b|c(")
    assert odd.startswith("h-") and odd == safe("a b|c(") and " " not in odd
    assert answer_keys("/v1/governments/a b|c(") == [f"gov:{odd}", "all"]


def test_errors_and_writes_are_not_stored(client, seeded, editor):
    missing = client.get("/v1/governments/nobody-at-all")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    invalid = client.get("/v1/recognitions?limit=0")
    assert invalid.status_code == 422 and invalid.headers["Cache-Control"] == "no-store"
    created = client.post(
        "/v1/sources",
        json={"publisher": "Wire", "title": "T", "published": "2025-01-01", "kind": "news", "url": None, "note": None},
        headers=editor,
    )
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


def test_token_gated_reads_are_private_pages_included(app, client, seeded, read_token, monkeypatch):
    bearer = {"Authorization": f"Bearer {read_token}"}
    assert client.get("/v1/sources", headers=bearer).headers["Cache-Control"] == "private, no-cache"
    monkeypatch.setitem(app.config, "READ_REQUIRES_TOKEN", True)
    for path in (f"/v1/governments/{GOV}/relations", "/v1/recognitions"):
        assert client.get(path, headers=bearer).headers["Cache-Control"] == "private, no-cache", path
    for path in ("/", f"/governments/{GOV}"):
        page = client.get(path, headers=bearer)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-cache", path


def test_a_government_answers_by_accept_so_it_says_so(client, seeded):
    record = client.get(f"/v1/governments/{GOV}")
    assert record.status_code == 200 and "Accept" in record.headers["Vary"]
    browser = client.get(f"/v1/governments/{GOV}", headers={"Accept": "text/html"})
    assert browser.status_code == 303 and "Accept" in browser.headers["Vary"]


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/governments/{GOV}/relations",
        f"/v1/governments/{GOV}/relations/RU",
        f"/v1/governments/{GOV}",
        "/v1/recognitions",
        "/v1/changes",
        "/v1/status-changes",
        "/v1/countries",
    ],
)
def test_every_negotiated_answer_varies_on_accept(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Accept" in response.headers.get("Vary", ""), path


# --- what a write purges ----------------------------------------------------------------------


def edit(client, editor, path: str, fields: dict):
    etag = client.get(path).headers["ETag"]
    return client.patch(path, json=fields, headers={**editor, "If-Match": etag})


def test_a_committed_write_purges_exactly_what_it_changed(client, seeded, editor, purging):
    assert edit(client, editor, f"/v1/recognitions/{RECOGNITION}", {"note": "edited"}).status_code == 200
    assert purged_keys() == [{f"rec:{RECOGNITION}", "recognitions", f"rel:{GOV}", "changes"}]
    message = purge_messages()[0]
    assert message.target == "varnish" and message.stream is None and message.state == outbox.PENDING


def test_an_edited_source_purges_the_governments_that_cite_it(client, seeded, editor, purging):
    assert edit(client, editor, f"/v1/sources/{CITED_SOURCE}", {"note": "edited"}).status_code == 200
    assert purged_keys() == [{f"src:{CITED_SOURCE}", "sources", f"rel:{GOV}", "changes"}]


def test_a_government_edit_purges_its_record_and_what_derives_from_it(client, seeded, editor, purging):
    assert edit(client, editor, f"/v1/governments/{GOV}", {"name": "Renamed"}).status_code == 200
    assert purged_keys() == [{f"gov:{GOV}", "governments", f"rel:{GOV}", "changes"}]


def test_a_write_that_rolls_back_purges_nothing(client, seeded, editor, purging):
    create_record(
        SOURCES,
        {"publisher": "W", "title": "T", "published": "2025-01-01", "kind": "news", "url": None, "note": None},
        actor="test",
    )
    _db.session.flush()
    _db.session.rollback()
    stale = client.patch(f"/v1/recognitions/{RECOGNITION}", json={"note": "x"}, headers={**editor, "If-Match": '"v99"'})
    assert stale.status_code == 412
    refused = client.post(
        "/v1/recognitions",
        json={"government": GOV, "country": "FR", "form": "de_jure", "start": "2025-01-01", "sources": ["src_nope"]},
        headers=editor,
    )
    assert refused.status_code == 422
    assert purge_messages() == []
    # and the session forgot them: the next commit purges only its own write
    create_record(
        RECOGNITIONS,
        {"government": GOV, "country": "FR", "form": "de_jure", "start": "2025-01-01", "sources": [CITED_SOURCE]},
        actor="test",
    )
    _db.session.commit()
    assert [keys - {k for k in keys if k.startswith("rec:")} for keys in purged_keys()] == [
        {"recognitions", f"rel:{GOV}", "changes"}
    ]


def test_without_a_purge_endpoint_nothing_is_enqueued(client, seeded, editor):
    assert edit(client, editor, f"/v1/recognitions/{RECOGNITION}", {"note": "edited"}).status_code == 200
    assert purge_messages() == []


def test_a_bulk_load_purges_everything_at_once(app, db, purging):
    from tests.support.factories import source

    for _ in range(MAX_KEYS):
        source()
    _db.session.commit()
    assert purged_keys() == [{"all"}]


# --- sending -------------------------------------------------------------------------------


@pytest.fixture
def receiver():
    receiver = PurgeReceiver().start()
    yield receiver
    receiver.stop()


def deliver_until_done(app, seconds: float = 10.0) -> None:
    sender = PurgeSender(app.config)
    deliverer = Deliverer({PURGE: sender}, Settings(workers=2, poll=0.05, retry_base=0.01, retry_max=0.02))
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    while dt.datetime.now(dt.UTC) < deadline:
        deliverer.run(once=True)
        if all(m.state != outbox.PENDING for m in purge_messages()):
            return


@pytest.mark.parametrize(
    ("adapter", "method", "path"),
    [
        ("varnish", "BAN", "/"),
        ("fastly", "POST", "/service/svc123/purge"),
        ("cloudflare", "POST", "/zones/zone456/purge_cache"),
    ],
)
def test_the_purge_reaches_the_cdn_through_its_adapter_and_is_retried(
    app, client, seeded, editor, receiver, monkeypatch, adapter, method, path
):
    for name, value in (
        ("PURGE_ADAPTER", adapter),
        ("PURGE_URL", receiver.url),
        ("PURGE_TOKEN", "tok-secret"),
        ("PURGE_SERVICE", {"fastly": "svc123", "cloudflare": "zone456"}.get(adapter, "")),
    ):
        monkeypatch.setitem(app.config, name, value)
    receiver.failures = 1
    assert edit(client, editor, f"/v1/recognitions/{RECOGNITION}", {"note": "edited"}).status_code == 200
    deliver_until_done(app)
    [message] = purge_messages()
    assert message.state == outbox.DELIVERED and message.attempts == 2
    assert len(receiver.seen) == 2 and receiver.seen[0] == receiver.seen[1], "the retry sends the same purge"
    seen = receiver.seen[-1]
    assert (seen.method, seen.path) == (method, path)
    keys = {f"rec:{RECOGNITION}", "recognitions", f"rel:{GOV}", "changes"}
    if adapter == "cloudflare":
        assert seen.headers["Authorization"] == "Bearer tok-secret"
        assert set(orjson.loads(seen.body)["tags"]) == keys
    else:
        assert set(seen.headers["Surrogate-Key"].split(" ")) == keys
    if adapter == "fastly":
        assert seen.headers["Fastly-Key"] == "tok-secret"


def test_a_refused_purge_is_not_retried_forever(app, client, seeded, editor, monkeypatch):
    monkeypatch.setitem(app.config, "PURGE_ADAPTER", "varnish")
    assert edit(client, editor, f"/v1/recognitions/{RECOGNITION}", {"note": "edited"}).status_code == 200
    monkeypatch.setitem(app.config, "PURGE_ADAPTER", "")  # the deliverer has no endpoint: cancelled, not sent
    deliver_until_done(app)
    [message] = purge_messages()
    assert message.state == outbox.CANCELLED and "PURGE_ADAPTER" in message.last_error
