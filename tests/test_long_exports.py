"""An unpaged CSV export that streams for longer than gunicorn's worker timeout arrives
whole: the export beats the worker's heartbeat once per batch (service.heartbeat), so
the arbiter does not take the busy worker for a stuck one and kill it mid-body.

The export is made long by a client that reads at a fixed, modest rate: once the
kernel's socket buffers are full the worker blocks in send, as it does for any slow
client on a real network. SQLite only: the heartbeat does not depend on the engine,
and tests/test_exports.py checks the export rows on both engines.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import io
import re
import time
from urllib.parse import urlsplit

from sqlalchemy import create_engine, insert

from service.store.models import Source
from tests.support.databases import fresh_database
from tests.support.served import served

TIMEOUT = 2  # seconds: gunicorn's worker timeout for this server
ROWS = 10_000
NOTE = "n" * 2000  # ~20 MB of CSV: several times what loopback socket buffers hold
READ_RATE = 4_000_000  # bytes per second: a 1 MB batch drains in 0.25 s, well within TIMEOUT


def add_bulky_sources(url: str) -> None:
    """Rows straight into the table: this test is about streaming, not about how rows are made."""
    now = dt.datetime.now(dt.UTC)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(Source.__table__),
                [
                    {
                        "id": f"src_bulk_{n:06d}",
                        "publisher": "Bulk",
                        "title": f"Row {n}",
                        "kind": "dataset",
                        "note": NOTE,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(ROWS)
                ],
            )
    finally:
        engine.dispose()


def read_slowly(base_url: str, path: str) -> tuple[int, bytes]:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        chunks, received, began = [], 0, time.monotonic()
        while chunk := response.read(65536):  # a truncated chunked body raises IncompleteRead
            chunks.append(chunk)
            received += len(chunk)
            time.sleep(max(0.0, began + received / READ_RATE - time.monotonic()))
        return response.status, b"".join(chunks)
    finally:
        connection.close()


def test_an_export_longer_than_the_worker_timeout_arrives_whole(tmp_path):
    log_path = tmp_path / "gunicorn.log"
    with fresh_database("sqlite", tmp_path) as url:
        with served(url, log_path, TIMEOUT=str(TIMEOUT), WEB_CONCURRENCY="1") as running:
            add_bulky_sources(url)
            status, body = read_slowly(running.base_url, "/v1/sources?format=csv")
        assert running.process.returncode == 0
    log = log_path.read_text()
    assert "WORKER TIMEOUT" not in log, log[-3000:]
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    bulk = [row for row in rows if row["id"].startswith("src_bulk_")]
    assert [row["id"] for row in bulk] == [f"src_bulk_{n:06d}" for n in range(ROWS)]
    assert all(row["note"] == NOTE for row in bulk)
    assert len(rows) == ROWS + 3, "and the seed's three sources"
    # The point of the test: the worker really streamed for longer than its timeout.
    served_ms = int(re.search(r'"GET /v1/sources\?format=csv HTTP/1.1" 200 \d+ (\d+)ms', log).group(1))
    assert served_ms > TIMEOUT * 1000 * 1.25, f"the export took only {served_ms} ms: nothing was tested"
