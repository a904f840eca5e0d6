"""`make run`'s deployment: gunicorn with the deliverer beside it (RUN_DELIVERER=1), over HTTP, both engines.

A tool subscribes, an editor writes, and the change arrives, signed, at the tool's
receiver; the feeds show it; SIGTERM to gunicorn stops the deliverer with it.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from tests.support.constants import CNN, GOVERNMENT
from tests.support.databases import ENGINES, fresh_database
from tests.support.receiver import Receiver, wait_for
from tests.support.served import request, served


def deliverers_of(pid: int) -> list[int]:
    """The ids of the ``python -m service deliver`` processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if int(fields[1]) == pid and "service deliver" in command:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("engine", ENGINES)
def test_make_run_delivers_webhooks_beside_gunicorn(engine, tmp_path):
    receiver = Receiver().start()
    try:
        with fresh_database(engine, tmp_path) as url:
            settings = {"RUN_DELIVERER": "1", "WEBHOOK_ALLOW_PRIVATE": "1", "DELIVERY_POLL_SECONDS": "0.2"}
            with served(url, tmp_path / "gunicorn.log", **settings) as running:
                assert wait_for(lambda: deliverers_of(running.process.pid))
                (deliverer,) = deliverers_of(running.process.pid)
                editor = {"Authorization": f"Bearer {running.write_token}"}
                created = request("POST", f"{running.base_url}/v1/subscriptions", {"url": receiver.url}, editor)
                assert created.status == 201, created.body
                receiver.secret = created.json()["secret"]
                body = {
                    "government": GOVERNMENT,
                    "country": "DE",
                    "form": "de_jure",
                    "start": "2025-08-01",
                    "sources": [CNN],
                }
                assert request("POST", f"{running.base_url}/v1/recognitions", body, editor).status == 201
                assert wait_for(lambda: len(receiver.verified_seqs()) == 1, seconds=30)
                (delivery,) = receiver.deliveries
                assert delivery.problem is None and delivery.body["country"] == "DE"
                assert delivery.body["title"] == "Germany: no records → recognized, from 1 August 2025"
                feed = request("GET", f"{running.base_url}/v1/governments/{GOVERNMENT}/status-changes.atom")
                assert feedparser.parse(feed.body).entries[0].title == delivery.body["title"]
            assert running.process.returncode == 0
            assert not alive(deliverer), "stopped with gunicorn"
            log = (tmp_path / "gunicorn.log").read_text()
            assert "stopped the webhook deliverer" in log
    finally:
        receiver.stop()
