"""Unpaged CSV exports read plain columns instead of dumping ORM objects with the item
schemas: they must give exactly the bytes the schema-dumped pages give, and keep the
gunicorn worker alive (a heartbeat per batch) however long they stream."""
from __future__ import annotations

import pytest

from service import heartbeat
from service.records import create_record
from service.synth import synth
from tests import factories as make

EXPORTS = ["/v1/governments", "/v1/recognitions", "/v1/ambassador-exchanges", "/v1/sources"]
AWKWARD = 'Comma, "quotes", semicolon; a\nnew line, a\r\nCRLF, é, 中文, and a trailing space '


@pytest.fixture
def varied(seeded):
    """The seed, awkward text and nulls, aliases out of alphabetical order, and enough
    synthetic records for several export batches."""
    create_record("governments", {"id": "xx-test", "name": AWKWARD, "aliases": ["Zulu", "Alpha", "Mike, too"],
                                  "country": "FR", "start": "2021?", "end": None}, actor="test")
    cited = [make.source(note=AWKWARD, url="https://example.org/a?b=c,d"), make.source(published=None)]
    make.recognition("FR", "2024-01~", "2025", sources=cited[::-1], note=AWKWARD, end_reason="ended, \"so\"")
    make.exchange("FR", "country_to_government", "charge_d_affaires", None, sources=cited, envoy=AWKWARD)
    make.commit()
    synth(2600)  # over 500 (one batch) sources, recognitions and exchanges
    return seeded


def schema_dumped_csv(client, path: str) -> bytes:
    """The same rows through the paged CSV, which dumps each item with its schema."""
    header, lines, url = None, [], f"{path}?format=csv&limit=500"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        first, rest = page.get_data().split(b"\r\n", 1)
        header = header or first
        lines.append(rest)
        link = page.headers.get("Link")  # <next page URL>; rel="next"
        url = link[1:link.index(">")] if link else None
    return header + b"\r\n" + b"".join(lines)


@pytest.mark.parametrize("path", EXPORTS)
def test_export_bytes_equal_the_schema_dumps(client, varied, path):
    export = client.get(path, query_string={"format": "csv"})
    assert export.status_code == 200 and export.is_streamed
    body = export.get_data()
    assert body == schema_dumped_csv(client, path)
    assert body.count(b"\r\n") > (4 if path == "/v1/governments" else 500)


@pytest.mark.parametrize("path, query", [
    ("/v1/governments", {"q": "mike, TOO"}),
    ("/v1/recognitions", {"country": "FRA", "as_of": "2024-06-01"}),
    ("/v1/ambassador-exchanges", {"country": "fr", "rank": "charge_d_affaires"}),
    ("/v1/sources", {"q": "test wire", "kind": "news"}),
])
def test_filtered_export_bytes_equal_the_schema_dumps(client, varied, path, query):
    body = client.get(path, query_string={**query, "format": "csv"}).get_data()
    assert body.count(b"\r\n") > 1
    page = client.get(path, query_string={**query, "format": "csv", "limit": 500})
    assert page.headers.get("Link") is None and body == page.get_data()


def test_an_export_beats_once_per_batch(client, db):
    for _ in range(1203):
        make.source()
    make.commit()
    beats = []
    heartbeat.install(lambda: beats.append(1))
    try:
        assert client.get("/v1/sources?format=csv").get_data().count(b"\r\n") == 1204
    finally:
        heartbeat.install(None)
    assert len(beats) == 3  # 500 + 500 + 203 rows


def test_beat_outside_gunicorn_does_nothing():
    heartbeat.beat()
