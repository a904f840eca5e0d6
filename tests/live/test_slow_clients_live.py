"""Issue 12's slow-client probe and gunicorn's own errors, over HTTP of a running service.

`scripts/container-test.sh` runs it against the container with LIVE_WRITE_TOKEN (a
write token made by the image's CLI), which adds sources with long notes so that the
CSV export the slow readers ask for is several megabytes: far more than loopback's
socket buffers hold, so the server really waits on them.
"""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from tests.support.slow_clients import probe
from tests.test_server_errors import CASES, FIELDS, exchange

pytestmark = pytest.mark.skipif(not os.environ.get("LIVE_BASE_URL"), reason="LIVE_BASE_URL is not set")

EXPORT = "/v1/sources?format=csv"
PUBLISHER = "Slow reader probe"
WANTED_BYTES = 4_000_000


def post_source(base_url: str, token: str, number: int) -> None:
    body = {"publisher": PUBLISHER, "title": f"Bulk {number}", "kind": "dataset", "note": "n" * 10_000}
    prepared = urllib.request.Request(
        f"{base_url}/v1/sources",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(prepared, timeout=30) as response:
        assert response.status == 201


@pytest.fixture(scope="module")
def big_export(base_url) -> str:
    token = os.environ.get("LIVE_WRITE_TOKEN")
    if not token:
        pytest.fail("LIVE_WRITE_TOKEN is not set: the probe needs a multi-megabyte export to read slowly")
    with urllib.request.urlopen(base_url + EXPORT, timeout=60) as response:
        size = len(response.read())
    for number in range(max(0, (WANTED_BYTES - size) // 10_000 + 1)):
        post_source(base_url, token, number)
    return EXPORT


def test_slow_clients_do_not_starve_a_normal_client(base_url, big_export):
    result = probe(base_url, big_export, headers=16, bodies=16, readers=16, seconds=15)
    summary = result.summary()
    assert result.requests > 50, summary
    assert result.failures == 0, summary
    assert result.p99 <= 1.0, summary
    assert all(count > 0 for count in result.reader_bytes), summary


@pytest.mark.parametrize("case", list(CASES))
def test_gunicorn_errors_are_problem_json(base_url, case):
    raw, status = CASES[case]
    got, headers, body = exchange(base_url, raw)
    assert got == status
    assert headers["content-type"] == "application/problem+json"
    assert set(json.loads(body)) == FIELDS
