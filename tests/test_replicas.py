"""Several replicas, one database: two gunicorn instances on different loopback ports,
each with its own deliverer, against one PostgreSQL database (README "Scaling").

- a write through one is visible through the other at once;
- equal data gives equal ETags on both (a validator from one is a 304 on the other);
- the purge a write through either enqueues reaches the cache (here a loopback fake of
  the Varnish purge endpoint), once per write, whichever deliverer claims it.
"""

from __future__ import annotations

import time

import pytest

from tests.support.constants import CNN, GOVERNMENT, RECOGNITION, RELATIONS
from tests.support.databases import fresh_database
from tests.support.purge_receiver import PurgeReceiver
from tests.support.served import free_port, gunicorn, request, served

NEW_RECOGNITION = {
    "government": GOVERNMENT,
    "country": "DE",
    "form": "de_facto",
    "start": "2025-08-01",
    "end": None,
    "end_reason": None,
    "note": None,
    "sources": [CNN],
}


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    """(replica one, replica two's URL, the purge receiver, the write token)."""
    folder = tmp_path_factory.mktemp("replicas")
    receiver = PurgeReceiver().start()
    settings = {
        "RUN_DELIVERER": "1",
        "PURGE_ADAPTER": "varnish",
        "PURGE_URL": receiver.url,
        "DELIVERY_POLL_SECONDS": "0.1",
    }
    try:
        with fresh_database("postgresql", folder) as url:
            with served(url, folder / "one.log", **settings) as one:
                port = free_port()
                with gunicorn({**one.env, "PORT": str(port)}, folder / "two.log"):
                    wait_for(lambda: receiver.seen)  # the seed's purge
                    yield one.base_url, f"http://127.0.0.1:{port}", receiver, one.write_token
    finally:
        receiver.stop()


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def bans(receiver: PurgeReceiver) -> list[set[str]]:
    return [set(seen.headers["Surrogate-Key"].split(" ")) for seen in receiver.seen if seen.method == "BAN"]


def countries(base_url: str) -> set[str]:
    return {row["country"] for row in request("GET", f"{base_url}{RELATIONS}").json()["items"]}


def test_a_write_through_one_is_seen_through_the_other_at_once(replicas):
    one, two, receiver, token = replicas
    assert "DE" not in countries(one) and "DE" not in countries(two)
    before = len(bans(receiver))
    created = request("POST", f"{one}/v1/recognitions", NEW_RECOGNITION, {"Authorization": f"Bearer {token}"})
    assert created.status == 201
    assert "DE" in countries(two), "the other replica answers with the write at once"
    record = request("GET", f"{two}/v1/recognitions/{created.json()['id']}")
    assert record.status == 200 and record.headers["ETag"] == created.headers["ETag"]
    assert wait_for(lambda: len(bans(receiver)) > before), "the write's purge reached the cache"
    assert f"rel:{GOVERNMENT}" in bans(receiver)[-1] and "recognitions" in bans(receiver)[-1]


@pytest.mark.parametrize(
    "path",
    [RELATIONS, f"{RELATIONS}?as_of=2025-07-04", f"{RELATIONS}/RU", RECOGNITION, "/v1/recognitions", "/v1/changes"],
)
def test_equal_data_gives_equal_etags_on_both(replicas, path):
    one, two, _, _ = replicas
    first, second = request("GET", f"{one}{path}"), request("GET", f"{two}{path}")
    assert first.status == second.status == 200
    assert first.headers["ETag"] == second.headers["ETag"] and first.body == second.body
    assert first.headers["Surrogate-Key"] == second.headers["Surrogate-Key"]
    crossed = request("GET", f"{two}{path}", headers={"If-None-Match": first.headers["ETag"]})
    assert crossed.status == 304


def test_a_purge_after_a_write_through_either_reaches_the_cache(replicas):
    one, two, receiver, token = replicas
    bearer = {"Authorization": f"Bearer {token}"}
    for base_url, note in ((one, "through one"), (two, "through two")):
        before = len(bans(receiver))
        etag = request("GET", f"{base_url}{RECOGNITION}").headers["ETag"]
        edited = request("PATCH", f"{base_url}{RECOGNITION}", {"note": note}, {**bearer, "If-Match": etag})
        assert edited.status == 200, edited.body
        other = two if base_url == one else one
        assert request("GET", f"{other}{RECOGNITION}").json()["note"] == note
        assert wait_for(lambda before=before: len(bans(receiver)) > before), f"no purge for the write {note}"
        assert bans(receiver)[before:] == [
            {f"rec:{RECOGNITION.rsplit('/', 1)[1]}", "recognitions", f"rel:{GOVERNMENT}", "changes"}
        ], "one purge per write, with exactly its keys"
