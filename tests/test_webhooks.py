"""Webhook deliveries to a real receiver on loopback: signed, in order, retried, bounded, never to a refused address."""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import ssl
import subprocess
import threading
from contextlib import contextmanager
from unittest import mock

import pytest
from sqlalchemy import func, select

from service.delivery import client as client_module
from service.delivery.loop import Deliverer, Settings
from service.delivery.senders import build_senders
from service.store.database import db as _db
from service.store.models import OutboxAttempt, OutboxMessage, Subscription
from service.store.seed import seed
from tests.support.receiver import Receiver, wait_for

SUBSCRIPTIONS = "/v1/subscriptions"
SEED_TRANSITIONS = 8


@pytest.fixture
def development(app):
    saved = dict(app.config)
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_TIMEOUT_SECONDS=2.0)
    yield app.config
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def receivers():
    started: list[Receiver] = []

    def start(**behaviour) -> Receiver:
        receiver = Receiver(**behaviour).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def subscribe(client, editor, receiver: Receiver, url: str | None = None, **body) -> str:
    response = client.post(SUBSCRIPTIONS, json={"url": url or receiver.url, **body}, headers=editor)
    assert response.status_code == 201, response.json
    receiver.secret = response.json["secret"]
    return response.json["id"]


@contextmanager
def delivering(app, config=None, **settings):
    """A deliverer on a thread of its own (its own session), stopped and joined on exit."""
    deliverer = Deliverer(
        build_senders(config or app.config),
        Settings(**{"poll": 0.02, "retry_base": 0.05, "retry_max": 0.2, "send_timeout": 2.0, **settings}),
    )

    def run():
        with app.app_context():
            deliverer.run()
            _db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield deliverer
    finally:
        deliverer.stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive()


def attempts(db, subscription_id: str) -> list[OutboxAttempt]:
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxAttempt)
        .join(OutboxMessage, OutboxMessage.id == OutboxAttempt.message_id)
        .where(OutboxMessage.target == subscription_id)
        .order_by(OutboxAttempt.id)
    ).all()


def test_deliveries_are_signed_retried_and_in_order(app, client, db, editor, development, receivers):
    receiver = receivers(fail_first=2)
    subscription = subscribe(client, editor, receiver)
    seed()
    with delivering(app):
        assert wait_for(lambda: len(receiver.verified_seqs()) == SEED_TRANSITIONS)
    assert all(delivery.problem is None for delivery in receiver.deliveries), "every signature verifies"
    seqs = receiver.verified_seqs()
    assert seqs == sorted(seqs), "one subscription's deliveries come in order"
    first_three = receiver.deliveries[:3]
    assert [d.answered for d in first_three] == [503, 503, 204]
    assert len({d.webhook_id for d in first_three}) == 1, "a retry carries the same webhook-id"
    feed = client.get("/v1/status-changes").json["items"]
    assert [d.body for d in receiver.deliveries[2:]] == feed, "the body is the status change's wire form"
    shown = client.get(f"{SUBSCRIPTIONS}/{subscription}/deliveries", query_string={"limit": 5}, headers=editor).json
    assert len(shown["items"]) == 5 and shown["next_before"]
    older = client.get(
        f"{SUBSCRIPTIONS}/{subscription}/deliveries", query_string={"before": shown["next_before"]}, headers=editor
    ).json["items"]
    tries = list(reversed(shown["items"] + older))
    assert [(t["attempt"], t["status_code"]) for t in tries[:3]] == [(1, 503), (2, 503), (3, 204)]
    assert tries[0]["error"] == "HTTP 503" and tries[0]["webhook_id"] == first_three[0].webhook_id
    assert all(t["message_state"] == "delivered" for t in tries)


def test_a_slow_receiver_is_cut_at_the_timeout_and_never_stalls_the_others(
    app, client, db, editor, development, receivers
):
    development["WEBHOOK_TIMEOUT_SECONDS"] = 1.0
    slow, fast = receivers(delay=4.0), receivers()
    slow_id = subscribe(client, editor, slow)
    subscribe(client, editor, fast)
    seed()
    with delivering(app, send_timeout=1.0):
        assert wait_for(lambda: len(fast.verified_seqs()) == SEED_TRANSITIONS, seconds=20)
        assert wait_for(lambda: len(attempts(db, slow_id)) >= 1, seconds=10)
    cut = attempts(db, slow_id)[0]
    assert cut.status_code is None and cut.error == "no complete answer within 1 s"
    assert 900 <= cut.duration_ms < 3500


def test_redirects_are_not_followed_and_huge_answers_are_cut(app, client, db, editor, development, receivers):
    elsewhere = receivers()
    redirecting = receivers(redirect_to=elsewhere.url)
    huge = receivers(body_bytes=1024 * 1024, status=200)
    redirecting_id = subscribe(client, editor, redirecting)
    huge_id = subscribe(client, editor, huge)
    seed()
    with delivering(app):
        assert wait_for(lambda: len(huge.verified_seqs()) == SEED_TRANSITIONS)
        assert wait_for(lambda: len(attempts(db, redirecting_id)) >= 2)
    assert elsewhere.requests == 0, "the Location was never visited"
    redirected = attempts(db, redirecting_id)[0]
    assert redirected.status_code == 302 and "redirects are not followed" in redirected.error
    assert {a.response_bytes for a in attempts(db, huge_id)} == {64 * 1024}


def test_a_410_pauses_the_subscription_and_resuming_sends_what_was_held(
    app, client, db, editor, development, receivers
):
    receiver = receivers(status=410)
    subscription = subscribe(client, editor, receiver)
    seed()
    with delivering(app):
        assert wait_for(lambda: db.session.get(Subscription, subscription).state == "paused" or expire(db))
    shown = client.get(f"{SUBSCRIPTIONS}/{subscription}", headers=editor)
    assert shown.json["state"] == "paused" and "410" in shown.json["paused_reason"]
    assert receiver.requests == 1, "nothing more is sent while it is paused"
    receiver.status = 204
    resumed = client.patch(
        f"{SUBSCRIPTIONS}/{subscription}",
        json={"state": "active"},
        headers={**editor, "If-Match": shown.headers["ETag"]},
    )
    assert resumed.status_code == 200
    with delivering(app):
        assert wait_for(lambda: len(receiver.verified_seqs()) == SEED_TRANSITIONS)
    assert receiver.verified_seqs() == sorted(receiver.verified_seqs())


def expire(db) -> bool:
    db.session.expire_all()
    return False


def test_failing_past_the_give_up_time_pauses_the_subscription(app, client, db, editor, development, receivers):
    development["DELIVERY_GIVE_UP_SECONDS"] = 0.0
    receiver = receivers(status=500)
    subscription = subscribe(client, editor, receiver)
    seed()
    with delivering(app):
        assert wait_for(lambda: db.session.get(Subscription, subscription).state == "paused" or expire(db))
    paused = db.session.get(Subscription, subscription)
    assert "deliveries failed for" in paused.paused_reason and "HTTP 500" in paused.paused_reason
    states = db.session.scalars(select(OutboxMessage.state).where(OutboxMessage.target == subscription)).all()
    assert set(states) == {"held"} and len(states) == SEED_TRANSITIONS, "held, not lost"


def test_24_hours_of_failures_on_an_injected_clock_pause_the_subscription(
    app, client, db, editor, development, receivers
):
    """The default give-up time (24 h) and backoff (5 s doubling to 1 h), on a clock the test
    moves an hour at a time: still retried after 23 h, paused at 24 h, its messages held."""
    assert development["DELIVERY_GIVE_UP_SECONDS"] == 24 * 3600
    receiver = receivers(status=500)
    subscription = subscribe(client, editor, receiver)
    make_government_and_one_change()
    now = [dt.datetime(2030, 1, 1, tzinfo=dt.UTC)]
    deliverer = Deliverer(
        build_senders(development),
        Settings(poll=0.01, retry_base=5.0, retry_max=3600.0, send_timeout=2.0),
        clock=lambda: now[0],
    )
    for hour in range(25):
        deliverer.run(once=True)
        db.session.expire_all()
        state = db.session.get(Subscription, subscription).state
        assert state == ("paused" if hour == 24 else "active"), f"after {hour} h"
        now[0] += dt.timedelta(hours=1)
    tries = attempts(db, subscription)
    assert len(tries) == 25 and {t.status_code for t in tries} == {500}
    assert len({(t.message_id) for t in tries}) == 1, "one message, retried under one webhook-id"
    assert db.session.get(Subscription, subscription).paused_reason.startswith("deliveries failed for 24 h")
    assert db.session.scalar(select(OutboxMessage.state).where(OutboxMessage.target == subscription)) == "held"
    assert receiver.requests == 25


def make_government_and_one_change() -> None:
    from tests.support import factories as make

    make.government("xx-none")
    make.recognition("FR", "2020-01-01", government_id="xx-none")
    _db.session.commit()


def test_a_rolled_back_write_sends_nothing(app, client, db, editor, development, receivers):
    """A write that would have been announced is rolled back; the next one commits. The
    receiver hears of the committed one only."""
    from tests.support import factories as make

    receiver = receivers()
    subscribe(client, editor, receiver)
    make.government("xx-none")
    _db.session.commit()
    make.recognition("FR", "2020-01-01", government_id="xx-none")
    _db.session.rollback()
    make.recognition("DE", "2020-01-01", government_id="xx-none")
    _db.session.commit()
    with delivering(app):
        assert wait_for(lambda: len(receiver.verified_seqs()) == 1)
    assert [d.body["country"] for d in receiver.deliveries] == ["DE"]
    assert _db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_address_is_checked_again_when_sending(app, client, db, editor, development, receivers):
    """Registered in development mode, sent from a deliverer that is not: refused, nothing reaches the receiver."""
    receiver = receivers()
    subscription = subscribe(client, editor, receiver)
    seed()
    production = {**app.config, "WEBHOOK_ALLOW_PRIVATE": False}
    with delivering(app, production):
        assert wait_for(lambda: db.session.get(Subscription, subscription).state == "paused" or expire(db))
    assert receiver.requests == 0
    (refused,) = attempts(db, subscription)
    assert refused.status_code is None and "not sent" in refused.error and "https" in refused.error


@pytest.mark.parametrize("rebound", ["10.0.0.7", "169.254.169.254", "192.0.0.8", "fd00::7", "::ffff:127.0.0.1"])
def test_a_name_that_resolves_to_a_refused_address_at_delivery_is_not_sent_to(app, client, db, editor, rebound):
    """DNS rebinding: hooks.test was public when registered (not in development mode) and
    resolves to an internal address when the deliverer sends. The resolver is injected and no
    socket may be opened at all: a failure of the check would show as a recorded connection,
    never as a packet off loopback."""
    answers = {"hooks.test": ["93.184.215.14"]}
    app.config["WEBHOOK_RESOLVER"] = lambda host, _port: answers[host]
    try:
        response = client.post(SUBSCRIPTIONS, json={"url": "https://hooks.test/hook"}, headers=editor)
        assert response.status_code == 201, response.json
        subscription = response.json["id"]
        seed()
        answers["hooks.test"] = [rebound]
        connections: list = []

        def no_connection(address, *args, **kwargs):
            connections.append(address)
            raise OSError("the test allows no connection")

        with mock.patch.object(client_module.socket, "create_connection", no_connection), delivering(app):
            assert wait_for(lambda: len(attempts(db, subscription)) >= 1)
    finally:
        app.config.pop("WEBHOOK_RESOLVER")
    assert connections == []
    refused = attempts(db, subscription)[0]
    assert refused.status_code is None and "not sent" in refused.error
    assert str(ipaddress.ip_address(rebound)) in refused.error


def test_the_connection_goes_to_the_address_the_name_resolved_to(app, client, db, editor, development, receivers):
    receiver = receivers()
    port = receiver.server.server_address[1]
    lookups: list[str] = []

    def resolve(host: str, _port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"] if host == "hooks.test" else []

    development["WEBHOOK_RESOLVER"] = resolve
    subscribe(client, editor, receiver, url=f"http://hooks.test:{port}/hook")
    seed()
    with delivering(app):
        assert wait_for(lambda: len(receiver.verified_seqs()) == SEED_TRANSITIONS)
    assert {d.host for d in receiver.deliveries} == {f"hooks.test:{port}"}
    assert lookups.count("hooks.test") == 1 + SEED_TRANSITIONS, "once at registration, once per delivery"


def test_a_deleted_subscription_gets_nothing_more(app, client, db, editor, development, receivers):
    receiver = receivers()
    subscription = subscribe(client, editor, receiver)
    seed()
    etag = client.get(f"{SUBSCRIPTIONS}/{subscription}", headers=editor).headers["ETag"]
    assert client.delete(f"{SUBSCRIPTIONS}/{subscription}", headers={**editor, "If-Match": etag}).status_code == 204
    with delivering(app):
        pass
    assert receiver.requests == 0
    states = db.session.scalars(select(OutboxMessage.state)).all()
    assert set(states) == {"cancelled"}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_https_goes_to_the_pinned_address_and_checks_the_certificate_for_the_name(
    app, client, db, editor, development, receivers, tmp_path
):
    """The certificate names hooks.test; the deliverer connects to the address it resolved and
    verifies the name (SNI), and refuses a certificate made for another name."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=hooks.test",
            "-addext",
            "subjectAltName=DNS:hooks.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    receiver = receivers(tls=served, name="hooks.test")
    impostor = receivers(tls=served, name="other.test")
    trusted = ssl.create_default_context(cafile=str(cert))
    development.update(
        WEBHOOK_TLS_CONTEXT=trusted,
        WEBHOOK_RESOLVER=lambda host, port: ["127.0.0.1"] if host in ("hooks.test", "other.test") else [],
    )
    subscribe(client, editor, receiver)
    other = subscribe(client, editor, impostor)
    seed()
    with delivering(app):
        assert wait_for(lambda: len(receiver.verified_seqs()) == SEED_TRANSITIONS)
        assert wait_for(lambda: len(attempts(db, other)) >= 1)
    assert impostor.deliveries == []
    refused = attempts(db, other)[0]
    assert refused.status_code is None and "CERTIFICATE_VERIFY_FAILED" in refused.error
