"""The deliverer: ``python -m service deliver``.

One main thread talks to the database; a pool of ``workers`` threads does the
sending. The main thread, over and over:

1. records the tries that finished (``record``): sent; to be retried after an
   exponential backoff with jitter (or the receiver's ``Retry-After``); or, after
   ``give_up_after`` of failures or a permanent refusal, given up as the sender says;
2. claims as many due messages as it has idle workers (``store.outbox.claim``: one per
   stream, so a stream's messages go in order), has each message's sender prepare
   it, and hands it to a worker;
3. waits at most ``poll`` seconds for a try to finish or a message to come due.

A slow receiver holds one worker for at most the send timeout and never the others.
On SQLite the deliverer first takes the ``deliverer`` lease (one deliverer at a time)
and renews it as it goes. ``stop`` (SIGTERM) ends claiming; the tries in flight are
finished and recorded, then the lease is given back.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import secrets
import socket
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from ..store import outbox
from ..store.database import db
from ..store.models import OutboxMessage, utcnow
from .senders import Cancel, Sender, SetAside

log = logging.getLogger("service.deliver")
SQLITE_LEASE = "deliverer"


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back without their zone; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def new_holder() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Settings:
    workers: int = 8
    poll: float = 0.25  # seconds, the longest wait between looks at the outbox
    lease: float = 60.0  # seconds a claim lasts: longer than any one try
    send_timeout: float = 10.0
    retry_base: float = 5.0  # seconds before the first retry; doubled each time
    retry_max: float = 3600.0  # the longest wait between two tries

    @classmethod
    def from_config(cls, config: Mapping) -> Settings:
        settings = cls(
            workers=int(config["DELIVERY_WORKERS"]),
            poll=float(config["DELIVERY_POLL_SECONDS"]),
            lease=float(config["DELIVERY_LEASE_SECONDS"]),
            send_timeout=float(config["WEBHOOK_TIMEOUT_SECONDS"]),
            retry_base=float(config["DELIVERY_RETRY_BASE_SECONDS"]),
            retry_max=float(config["DELIVERY_RETRY_MAX_SECONDS"]),
        )
        if settings.lease < settings.send_timeout + 5:
            raise ValueError("DELIVERY_LEASE_SECONDS must exceed WEBHOOK_TIMEOUT_SECONDS by 5 s or more")
        if settings.workers < 1 or settings.poll <= 0:
            raise ValueError("DELIVERY_WORKERS must be at least 1 and DELIVERY_POLL_SECONDS above 0")
        return settings


def backoff(attempts: int, base: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """Seconds before the next try after ``attempts`` failed ones: doubling from ``base``
    up to ``cap``, each drawn from the upper half at random (equal jitter), so receivers
    that fail together are not all retried together."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay / 2 + rng() * delay / 2


@dataclass
class InFlight:
    message_id: int
    kind: str
    future: Future


@dataclass
class Deliverer:
    senders: Mapping[str, Sender]
    settings: Settings = field(default_factory=Settings)
    holder: str = field(default_factory=new_holder)
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], dt.datetime] = utcnow  # the time claims, tries and the 24 h give-up are reckoned in

    def run(self, once: bool = False) -> int:
        """Deliver until ``stop`` is set (or, with ``once``, until nothing is due); the number of tries made."""
        tries = 0
        flights: list[InFlight] = []
        single = db.session.get_bind().dialect.name == "sqlite"
        lease = dt.timedelta(seconds=self.settings.lease)
        log.info("deliverer %s started (%d workers)", self.holder, self.settings.workers)
        with ThreadPoolExecutor(self.settings.workers, thread_name_prefix="deliver") as pool:
            while True:
                try:
                    if (
                        single
                        and not self.stop.is_set()
                        and not outbox.hold_lease(SQLITE_LEASE, self.holder, lease, self.clock())
                    ):
                        if once:
                            log.warning("another deliverer holds the SQLite lease; nothing done")
                            return tries
                        log.info("another deliverer runs on this SQLite database; waiting for its lease")
                        self.stop.wait(self.settings.poll)
                        continue
                    tries += self.record_finished(flights)
                    if self.stop.is_set():
                        if not flights:
                            break
                    else:
                        self.start_due(flights, pool, lease)
                except SQLAlchemyError as error:
                    db.session.rollback()
                    log.warning("database unavailable, retrying: %s", type(error).__name__)
                    self.stop.wait(self.settings.poll)
                    continue
                if not flights:
                    if once:
                        break
                    self.stop.wait(self.settings.poll)
                else:
                    wait([f.future for f in flights], timeout=self.settings.poll, return_when=FIRST_COMPLETED)
        if single:
            try:
                outbox.release_lease(SQLITE_LEASE, self.holder)
            except SQLAlchemyError:
                db.session.rollback()
        log.info("deliverer %s stopped after %d tries", self.holder, tries)
        return tries

    def start_due(self, flights: list[InFlight], pool: ThreadPoolExecutor, lease: dt.timedelta) -> None:
        idle = self.settings.workers - len(flights)
        if idle <= 0:
            return
        for message in outbox.claim(self.holder, idle, lease, self.clock()):
            sender = self.senders.get(message.kind)
            if sender is None:
                self.finish(message, outbox.Outcome(ok=False, error=f"no sender for the kind {message.kind!r}"), None)
                continue
            try:
                prepared = sender.prepare(message)
            except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
                log.exception("preparing outbox message %s failed", message.id)
                self.finish(message, outbox.Outcome(ok=False, error=f"could not prepare: {error}"), sender)
                continue
            if isinstance(prepared, Cancel):
                outbox.cancel(message, prepared.reason, self.clock())
            if isinstance(prepared, Cancel | SetAside):
                db.session.commit()
                continue
            flights.append(InFlight(message.id, message.kind, pool.submit(self.send, sender, prepared, self.clock)))

    @staticmethod
    def send(sender: Sender, prepared, clock: Callable[[], dt.datetime]) -> tuple[dt.datetime, outbox.Outcome]:
        started = clock()
        try:
            return started, sender.send(prepared)
        except Exception as error:  # noqa: BLE001 - a sender's bug is a failed try, not a dead deliverer
            log.exception("sending failed")
            return started, outbox.Outcome(ok=False, error=f"{type(error).__name__}: {error}")

    def record_finished(self, flights: list[InFlight]) -> int:
        done = [flight for flight in flights if flight.future.done()]
        for flight in done:
            flights.remove(flight)
            started, outcome = flight.future.result()
            message = db.session.get(OutboxMessage, flight.message_id)
            if message is not None:
                self.finish(message, outcome, self.senders.get(flight.kind), started)
        return len(done)

    def finish(
        self, message: OutboxMessage, outcome: outbox.Outcome, sender: Sender | None, at: dt.datetime | None = None
    ) -> None:
        """Record a try and decide what comes next for its message; commit."""
        at = at or self.clock()
        outbox.record_attempt(message, outcome, self.holder, at)
        now = self.clock()
        if outcome.ok:
            outbox.mark_delivered(message, now)
            log.info("delivered %s (%s) in %d ms", message.message_id, message.kind, outcome.duration_ms)
        else:
            first = aware(message.first_attempt_at or at)
            gave_up = sender is not None and (outcome.permanent or now - first >= sender.give_up_after)
            log.info("try %d of %s failed: %s", message.attempts, message.message_id, outcome.error)
            if gave_up:
                sender.give_up(message, outcome)
            elif message.claimed_by in (self.holder, None):  # else another deliverer took it over
                delay = backoff(message.attempts, self.settings.retry_base, self.settings.retry_max)
                if outcome.retry_after is not None:
                    delay = max(delay, min(outcome.retry_after, self.settings.retry_max))
                outbox.retry_later(message, now + dt.timedelta(seconds=delay))
        db.session.commit()
