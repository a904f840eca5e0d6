"""The outbox's core, whatever it sends: written with the write, claimed once, in order per stream, retried."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from service.delivery.loop import Deliverer, Settings, backoff
from service.delivery.senders import Cancel
from service.store import outbox
from service.store.database import db as _db
from service.store.models import OutboxAttempt, OutboxMessage, utcnow

LEASE = dt.timedelta(seconds=30)


@dataclass
class RecordingSender:
    """A sender of a made-up kind: it keeps what it was given and fails as told."""

    failures: int = 0
    give_up_after: dt.timedelta = dt.timedelta(hours=24)
    sent: list = field(default_factory=list)
    given_up: list = field(default_factory=list)

    def prepare(self, message):
        if message.payload.get("gone"):
            return Cancel("the recipient is gone")
        return (message.message_id, message.stream, message.payload["n"])

    def send(self, prepared):
        self.sent.append(prepared)
        if self.failures > 0:
            self.failures -= 1
            return outbox.Outcome(ok=False, status_code=503, error="HTTP 503", duration_ms=1)
        return outbox.Outcome(ok=True, status_code=204, duration_ms=1, response_excerpt="ok")

    def give_up(self, message, outcome):
        self.given_up.append(message.message_id)
        outbox.cancel(message, "given up", utcnow())


def queue(db, count: int, streams=("a", "b"), **payload) -> None:
    for n in range(count):
        outbox.enqueue("test", "somewhere", {"n": n, **payload}, stream=streams[n % len(streams)])
    db.session.commit()


def deliverer(sender, **settings) -> Deliverer:
    return Deliverer({"test": sender}, Settings(retry_base=0.0, retry_max=0.0, poll=0.01, **settings))


def test_a_rolled_back_write_leaves_nothing_to_send(db):
    outbox.enqueue("test", "somewhere", {"n": 1})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert outbox.claim("x", 10, LEASE) == []


def test_claims_take_the_oldest_message_of_each_stream_once(db):
    queue(db, 6)
    first = outbox.claim("one", 10, LEASE)
    assert [(m.stream, m.payload["n"]) for m in first] == [("a", 0), ("b", 1)]
    assert outbox.claim("two", 10, LEASE) == [], "claimed messages and the ones behind them wait"
    later = utcnow() + LEASE + dt.timedelta(seconds=1)
    again = outbox.claim("two", 10, LEASE, now=later)
    assert [m.payload["n"] for m in again] == [0, 1], "an expired lease frees the message for another deliverer"
    assert {m.claimed_by for m in again} == {"two"}


def test_a_message_without_stream_waits_for_nobody(db):
    queue(db, 3, streams=(None,))
    assert [m.payload["n"] for m in outbox.claim("one", 10, LEASE)] == [0, 1, 2]


def test_the_deliverer_sends_each_stream_in_order_and_logs_every_try(db):
    queue(db, 8)
    sender = RecordingSender()
    assert deliverer(sender, workers=4).run(once=True) == 8
    by_stream = {}
    for _message_id, stream, n in sender.sent:
        by_stream.setdefault(stream, []).append(n)
    assert by_stream == {"a": [0, 2, 4, 6], "b": [1, 3, 5, 7]}
    states = db.session.scalars(select(OutboxMessage.state)).all()
    assert states == ["delivered"] * 8
    assert db.session.scalar(select(func.count()).select_from(OutboxAttempt)) == 8


def test_failures_are_retried_under_the_same_id_and_hold_back_their_stream(db):
    queue(db, 2, streams=("a",))
    sender = RecordingSender(failures=2)
    deliverer(sender).run(once=True)
    ids = [message_id for message_id, _stream, _n in sender.sent]
    numbers = [n for _message_id, _stream, n in sender.sent]
    assert numbers == [0, 0, 0, 1], "the second message waits until the first got through"
    assert ids[0] == ids[1] == ids[2] != ids[3]
    attempts = db.session.scalars(select(OutboxAttempt).order_by(OutboxAttempt.id)).all()
    assert [(a.number, a.status_code) for a in attempts] == [(1, 503), (2, 503), (3, 204), (1, 204)]


def test_after_the_give_up_time_the_sender_decides(db):
    queue(db, 1, streams=("a",))
    sender = RecordingSender(failures=5, give_up_after=dt.timedelta(0))
    deliverer(sender).run(once=True)
    assert len(sender.sent) == 1 and len(sender.given_up) == 1
    assert db.session.scalar(select(OutboxMessage.state)) == "cancelled"


def test_a_cancelled_message_is_not_sent(db):
    queue(db, 1, gone=True)
    sender = RecordingSender()
    deliverer(sender).run(once=True)
    assert sender.sent == [] and db.session.scalar(select(OutboxMessage.state)) == "cancelled"


def test_backoff_doubles_with_jitter_up_to_the_cap():
    assert [backoff(n, 5, 3600, rng=lambda: 1.0) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(1, 5, 3600, rng=lambda: 0.0) == 2.5
    assert backoff(30, 5, 3600, rng=lambda: 1.0) == 3600


def test_only_one_holder_has_the_lease_until_it_expires(db):
    assert outbox.hold_lease("deliverer", "one", LEASE)
    assert not outbox.hold_lease("deliverer", "two", LEASE)
    assert outbox.hold_lease("deliverer", "one", LEASE), "the holder renews it"
    assert outbox.hold_lease("deliverer", "two", LEASE, now=utcnow() + LEASE + dt.timedelta(seconds=1))
    outbox.release_lease("deliverer", "two")
    assert outbox.hold_lease("deliverer", "three", LEASE)


def test_concurrent_claimers_never_take_one_message_twice(app, db):
    """Four threads, each with its own session and connection, claim until nothing is left:
    on PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED; every message is claimed once."""
    queue(db, 60, streams=tuple(f"s{i}" for i in range(60)))
    claimed: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    def claimer(name: str) -> None:
        try:
            with app.app_context():
                while batch := outbox.claim(name, 5, LEASE):
                    claimed.extend((name, message.id) for message in batch)
                _db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    if _db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs a single deliverer (its lease); claims there are serialized anyway")
    threads = [threading.Thread(target=claimer, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    ids = [message_id for _name, message_id in claimed]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 60
