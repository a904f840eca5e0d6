"""Pages and exports read plain columns instead of dumping ORM objects with the item
schemas: they must give exactly what the schemas dump (JSON items with their key
order, CSV bytes), and exports keep the gunicorn worker alive (a heartbeat per batch)
however long they stream."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service import heartbeat
from service.http.negotiation import csv_lines
from service.store.registry import GOVERNMENTS, RESOURCES
from service.store.synth import synth
from service.store.writes import create_record
from tests.support import factories as make

COLLECTIONS = {resource.path: (resource.model, resource.schema) for resource in RESOURCES}
EXPORTS = list(COLLECTIONS)
AWKWARD = 'Comma, "quotes", semicolon; a\nnew line, a\r\nCRLF, é, 中文, and a trailing space '


@pytest.fixture
def varied(seeded):
    """The seed, awkward text and nulls, aliases out of alphabetical order, and enough
    synthetic records for several export batches."""
    create_record(
        GOVERNMENTS,
        {
            "id": "xx-test",
            "name": AWKWARD,
            "aliases": ["Zulu", "Alpha", "Mike, too"],
            "country": "FR",
            "start": "2021?",
            "end": None,
        },
        actor="test",
    )
    cited = [make.source(note=AWKWARD, url="https://example.org/a?b=c,d"), make.source(published=None)]
    make.recognition("FR", "2024-01~", "2025", sources=cited[::-1], note=AWKWARD, end_reason='ended, "so"')
    make.exchange("FR", "country_to_government", "charge_d_affaires", None, sources=cited, envoy=AWKWARD)
    make.commit()
    synth(2600)  # over 500 (one batch) sources, recognitions and exchanges
    return seeded


def schema_dumps(db, path: str, ids=None) -> list[dict]:
    """The records as their schema dumps them, in id order (only ``ids`` when given)."""
    model, schema = COLLECTIONS[path]
    statement = select(model).order_by(model.id)
    if ids is not None:
        statement = statement.where(model.id.in_(ids))
    return [schema().dump(record) for record in db.session.scalars(statement)]


def as_csv(rows: list[dict]) -> bytes:
    return "".join(csv_lines(tuple(rows[0]), rows)).encode()


def every_page(client, path: str, query: dict) -> list[dict]:
    items, url, params = [], path, {**query, "limit": 500}
    while url:
        page = client.get(url, query_string=params)
        assert page.status_code == 200 and page.headers["Content-Type"] == "application/json"
        items += page.json["items"]
        link = page.headers.get("Link")  # <next page URL>; rel="next"
        url, params = (link[1 : link.index(">")], None) if link else (None, None)
    return items


@pytest.mark.parametrize("path", EXPORTS)
def test_pages_and_exports_equal_the_schema_dumps(client, varied, path):
    expected = schema_dumps(varied, path)
    items = every_page(client, path, {})
    assert [list(item.items()) for item in items] == [list(dumped.items()) for dumped in expected]
    export = client.get(path, query_string={"format": "csv"})
    assert export.status_code == 200 and export.is_streamed
    body = export.get_data()
    assert body == as_csv(expected)
    assert body.count(b"\r\n") > (4 if path == "/v1/governments" else 500)


@pytest.mark.parametrize(
    "path, query",
    [
        ("/v1/governments", {"q": "mike, TOO"}),
        ("/v1/recognitions", {"country": "FRA", "as_of": "2024-06-01"}),
        ("/v1/ambassador-exchanges", {"country": "fr", "rank": "charge_d_affaires"}),
        ("/v1/sources", {"q": "test wire", "kind": "news"}),
    ],
)
def test_filtered_pages_and_exports_equal_the_schema_dumps(client, varied, path, query):
    items = every_page(client, path, query)
    assert items, "the filter matches something"
    expected = schema_dumps(varied, path, [item["id"] for item in items])
    assert [list(item.items()) for item in items] == [list(dumped.items()) for dumped in expected]
    body = client.get(path, query_string={**query, "format": "csv"}).get_data()
    assert body == as_csv(expected)
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
