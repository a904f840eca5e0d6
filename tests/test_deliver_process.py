"""``python -m service deliver`` as a process: killed mid-batch it loses nothing, and stops cleanly on SIGTERM.

Both engines: PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite with its single
deliverer's lease; either way a message claimed by a deliverer that died is sent
again once its lease runs out, under the same ``webhook-id``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict

from sqlalchemy import select

from service.store.models import OutboxMessage
from service.store.registry import RECOGNITIONS
from service.store.subscriptions import create_subscription
from service.store.writes import create_record
from tests.support import factories as make
from tests.support.constants import PROJECT_ROOT
from tests.support.receiver import Receiver, wait_for

MESSAGES = 12
COUNTRIES = ("FR", "DE", "IT", "ES", "PT", "NL", "BE", "AT", "CH", "SE", "NO", "DK")


def deliverer(database_url: str, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WEBHOOK_ALLOW_PRIVATE": "1",
        "WEBHOOK_RESOLVE_NAMES": "0",
        "WEBHOOK_TIMEOUT_SECONDS": "2",
        "DELIVERY_LEASE_SECONDS": "7",
        "DELIVERY_POLL_SECONDS": "0.1",
        "DELIVERY_RETRY_BASE_SECONDS": "0.1",
        "LOG_LEVEL": "INFO",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "service", "deliver"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def test_a_killed_deliverer_loses_nothing_and_a_repeat_carries_the_same_id(db, database_url, tmp_path):
    receiver = Receiver(delay=0.4).start()
    try:
        subscription = create_subscription({"url": receiver.url}, "test")
        receiver.secret = subscription.secret
        make.government()
        source = make.source()
        db.session.commit()
        for country in COUNTRIES:  # one write, one transition, one message each
            create_record(
                RECOGNITIONS,
                {"government": "xx-test", "country": country, "form": "de_jure", "start": "2020", "sources": [source]},
                actor="test",
            )
            db.session.commit()
        with open(tmp_path / "deliver-1.log", "wb") as log:
            first = deliverer(database_url, log)
            try:
                assert wait_for(
                    lambda: len(receiver.deliveries) >= 4 and receiver.requests > len(receiver.deliveries), seconds=60
                ), "the first deliverer got going"
            finally:
                first.send_signal(signal.SIGKILL)  # mid-batch: a request is in flight
                first.wait(timeout=10)
        killed_at = len(receiver.deliveries)
        assert killed_at < MESSAGES
        restarted = time.monotonic()
        with open(tmp_path / "deliver-2.log", "wb") as log:
            second = deliverer(database_url, log)
            try:
                assert wait_for(lambda: delivered(db) == MESSAGES, seconds=90), (tmp_path / "deliver-2.log").read_text()
                recovered = time.monotonic() - restarted
            finally:
                second.send_signal(signal.SIGTERM)
                assert second.wait(timeout=30) == 0, "SIGTERM: the tries in flight finish, then a clean exit"
    finally:
        receiver.stop()

    assert all(d.problem is None for d in receiver.deliveries), "every signature verifies"
    seqs = [d.seq for d in receiver.deliveries]
    assert None not in seqs and len(set(seqs)) == MESSAGES, "nothing lost"
    first_seen = list(dict.fromkeys(seqs))
    assert first_seen == sorted(first_seen), "in order"
    ids = defaultdict(set)
    for d in receiver.deliveries:
        ids[d.seq].add(d.webhook_id)
    assert all(len(found) == 1 for found in ids.values()), "a message sent twice carries one webhook-id"
    assert len(seqs) > MESSAGES, "the message in flight when the deliverer died was sent again"
    print(
        f"\nkill test ({db.engine.dialect.name}): killed after {killed_at} of {MESSAGES} delivered, "
        f"{len(seqs) - MESSAGES} sent twice (same webhook-id), all {MESSAGES} delivered "
        f"{recovered:.1f} s after the restart (lease 7 s)"
    )


def delivered(db) -> int:
    db.session.expire_all()
    states = db.session.scalars(select(OutboxMessage.state)).all()
    db.session.rollback()
    return states.count("delivered")
