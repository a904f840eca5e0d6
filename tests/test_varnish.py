"""A real cache in front: Debian's Varnish with deploy/varnish/default.vcl before gunicorn,
all on loopback (README "Behind a CDN").

- 10,000 requests for the relations answer reach the origin at most once per
  ``s-maxage`` window (counted in gunicorn's access log);
- after a write, the deliverer's purge (a ``BAN`` by surrogate key) reaches Varnish and
  the next requests see the new answer, within 1 s, and never the old one after it;
- with the origin stopped, Varnish keeps answering with the last answer (stale-if-error).

Skipped, saying why, where varnishd is missing; CI installs it (scripts/varnish-deps.sh)
and fails rather than skips.
"""

from __future__ import annotations

import http.client
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.constants import CNN, GOVERNMENT, RELATIONS
from tests.support.databases import fresh_database
from tests.support.served import free_port, request, served
from tests.support.varnish import varnish_in_front, varnishd

REQUESTS, CLIENTS = 10_000, 8
NEW_RECOGNITION = {
    "government": GOVERNMENT,
    "country": "FR",
    "form": "de_jure",
    "start": "2025-07-10",
    "end": None,
    "end_reason": None,
    "note": None,
    "sources": [CNN],
}


@pytest.fixture(scope="module")
def cached(tmp_path_factory):
    """gunicorn (with its deliverer purging Varnish) and Varnish in front of it."""
    varnishd()  # skip (or fail in CI) before starting anything
    folder = tmp_path_factory.mktemp("varnish")
    with fresh_database("postgresql", folder) as url:
        varnish_port = free_port()  # known before the origin starts: its deliverer purges there
        settings = {
            "RUN_DELIVERER": "1",
            "PURGE_ADAPTER": "varnish",
            "PURGE_URL": f"http://127.0.0.1:{varnish_port}",
            "DELIVERY_POLL_SECONDS": "0.1",
        }
        with served(url, folder / "gunicorn.log", **settings) as origin:
            port = int(origin.base_url.rsplit(":", 1)[1])
            with varnish_in_front(port, folder / "cache", listen_port=varnish_port) as cache:
                # The seed's purge was tried before Varnish started: it is retried (backoff 2.5-5 s).
                assert purges_sent(url), "the seed's purge never reached Varnish"
                yield origin, cache, folder / "gunicorn.log"


def purges_sent(url: str, seconds: float = 30) -> bool:
    """Wait until no purge is left to send."""
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                left = connection.execute(
                    text("SELECT count(*) FROM outbox WHERE kind = 'purge' AND state = 'pending'")
                ).scalar()
            if left == 0:
                return True
            time.sleep(0.2)
        return False
    finally:
        engine.dispose()


def origin_hits(log: Path, path: str) -> int:
    return sum(1 for line in log.read_text().splitlines() if f'"GET {path} ' in line)


def hammer(base_url: str, path: str, total: int, clients: int) -> tuple[dict[bytes, int], set[int]]:
    """``total`` GETs of ``path`` over ``clients`` kept-alive connections: the bodies seen, the statuses."""
    host, port = base_url.removeprefix("http://").split(":")
    bodies: dict[bytes, int] = {}
    statuses: set[int] = set()
    lock = threading.Lock()

    def run(count: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        seen: dict[bytes, int] = {}
        codes = set()
        for _ in range(count):
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            codes.add(response.status)
            seen[body] = seen.get(body, 0) + 1
        connection.close()
        with lock:
            statuses.update(codes)
            for body, n in seen.items():
                bodies[body] = bodies.get(body, 0) + n

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(run, [total // clients] * clients))
    return bodies, statuses


def test_ten_thousand_requests_reach_the_origin_once_per_window(cached):
    origin, cache, log = cached
    path = f"{RELATIONS}?as_of=2025-07-04"
    before = origin_hits(log, path)
    started = time.monotonic()
    bodies, statuses = hammer(cache.base_url, path, REQUESTS, CLIENTS)
    elapsed = time.monotonic() - started
    assert elapsed < 60
    assert statuses == {200} and sum(bodies.values()) == REQUESTS and len(bodies) == 1
    hits = origin_hits(log, path) - before
    windows = 1 + int(elapsed // 60)  # s-maxage is 60 s (the default)
    print(f"\n{REQUESTS} requests through Varnish in {elapsed:.1f} s: {hits} reached the origin")
    assert 1 <= hits <= windows


def test_a_write_is_purged_and_the_next_answer_is_new(cached):
    origin, cache, log = cached
    first = request("GET", f"{cache.base_url}{RELATIONS}")
    assert first.status == 200 and first.headers["Cache-Control"].startswith("public, max-age=0, s-maxage=60")
    assert f"rel:{GOVERNMENT}" in first.headers["Surrogate-Key"].split(" ")
    held = request("GET", f"{cache.base_url}{RELATIONS}")
    assert held.headers["X-Cache"] == "hit" and held.body == first.body
    assert "FR" not in {row["country"] for row in held.json()["items"]}

    created = request(
        "POST", f"{cache.base_url}/v1/recognitions", NEW_RECOGNITION, {"Authorization": f"Bearer {origin.write_token}"}
    )
    assert created.status == 201, created.body
    written = time.monotonic()
    seen_old = 0
    while True:
        answer = request("GET", f"{cache.base_url}{RELATIONS}")
        if "FR" in {row["country"] for row in answer.json()["items"]}:
            latency = time.monotonic() - written
            break
        seen_old += 1
        assert time.monotonic() - written < 5, "the purge never arrived"
        time.sleep(0.01)
    print(f"\nthe purge took effect {latency * 1000:.0f} ms after the write ({seen_old} old answers before)")
    assert latency < 1.0
    bodies, statuses = hammer(cache.base_url, RELATIONS, 400, 4)
    assert statuses == {200} and list(bodies) == [answer.body], "never the old answer after the purge"


def test_with_the_origin_stopped_the_last_answer_is_served(tmp_path):
    """A second deployment with short lifetimes: s-maxage 1 s, stale-while-revalidate 1 s, stale-if-error 1 h."""
    varnishd()
    with fresh_database("postgresql", tmp_path) as url:
        lifetimes = {"CACHE_S_MAXAGE": "1", "CACHE_STALE_WHILE_REVALIDATE": "1", "CACHE_STALE_IF_ERROR": "3600"}
        with served(url, tmp_path / "gunicorn.log", **lifetimes) as origin:
            port = int(origin.base_url.rsplit(":", 1)[1])
            with varnish_in_front(port, tmp_path / "cache") as cache:
                last = request("GET", f"{cache.base_url}{RELATIONS}")
                assert last.status == 200
                origin.process.send_signal(signal.SIGTERM)
                origin.process.wait(timeout=40)
                deadline = time.monotonic() + 15
                while not cache.origin_sick():
                    assert time.monotonic() < deadline, cache.admin("backend.list")
                    time.sleep(0.2)
                time.sleep(2.5)  # past s-maxage + stale-while-revalidate: only stale-if-error covers it now
                stale = [request("GET", f"{cache.base_url}{RELATIONS}") for _ in range(20)]
                ages = [int(answer.headers["Age"]) for answer in stale]
                print(f"\norigin down: {len(stale)} answers served stale, Age {min(ages)}-{max(ages)} s")
                assert {answer.status for answer in stale} == {200}
                assert {answer.body for answer in stale} == {last.body}
                assert min(ages) > 2  # older than s-maxage + stale-while-revalidate


def test_the_readme_shows_the_vcl_the_tests_use():
    from tests.support.constants import PROJECT_ROOT
    from tests.support.varnish import VCL

    assert VCL.read_text() in (PROJECT_ROOT / "README.md").read_text()
