"""Collections: filters, cursor pages, CSV, conditional GETs and content negotiation."""

from __future__ import annotations

import csv
import io

import pytest

from service.store.registry import RESOURCES
from tests.support import factories as make
from tests.support.constants import PROBLEM, RELATIONS

COLLECTIONS = ["/v1/countries", *(resource.path for resource in RESOURCES)]


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


# --- filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected_countries"),
    [
        ({"country": "ru"}, {"RU"}),
        ({"country": "ARE"}, {"AE"}),
        ({"rank": "political_office"}, {"QA"}),
        ({"direction": "country_to_government"}, {"RU", "CN", "AE"}),
        ({"government": "af-islamic-emirate", "as_of": "2025-07-04"}, {"RU", "CN", "AE", "QA"}),
        ({"as_of": "2025-07-02"}, set()),
        ({"government": "someone-else"}, set()),
    ],
)
def test_exchange_filters(client, seeded, query, expected_countries):
    response = client.get("/v1/ambassador-exchanges", query_string=query)
    assert response.status_code == 200
    assert {item["country"] for item in response.json["items"]} == expected_countries


def test_recognition_filters(client, seeded):
    assert len(client.get("/v1/recognitions?form=de_jure").json["items"]) == 1
    assert client.get("/v1/recognitions?form=de_facto").json["items"] == []
    assert client.get("/v1/recognitions?country=CN").json["items"] == []


def test_source_filters(client, seeded):
    assert [s["publisher"] for s in client.get("/v1/sources?kind=news").json["items"]] == ["CNN"]
    assert len(client.get("/v1/sources?q=foreign").json["items"]) == 2
    assert len(client.get("/v1/sources").json["items"]) == 3


def test_countries_come_from_iso(client):
    assert client.get("/v1/countries/rus").json["code"] == "RU"
    assert client.get("/v1/countries/zz").status_code == 404
    assert [c["code"] for c in client.get("/v1/countries?q=EMIRATES").json["items"]] == ["AE"]
    page = client.get("/v1/countries?limit=500").json
    assert len(page["items"]) >= 249 and page["next_cursor"] is None


@pytest.mark.parametrize(
    ("path", "bad_query"),
    [
        ("/v1/recognitions", "contry=RU"),
        ("/v1/recognitions", "form=sideways"),
        ("/v1/ambassador-exchanges", "rank=king"),
        ("/v1/ambassador-exchanges", "as_of=soon"),
        ("/v1/sources", "kind=rumour"),
        ("/v1/countries", "limit=501"),
        ("/v1/governments", "limit=abc"),
        ("/v1/governments", "format=xml"),
        (RELATIONS, "as_of=2025-07-04&country=RU"),
    ],
)
def test_bad_query_is_422_naming_the_field(client, seeded, path, bad_query):
    response = client.get(f"{path}?{bad_query}")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    field = bad_query.split("&")[-1].split("=")[0]
    assert field in response.json["errors"]


@pytest.mark.parametrize("path", ["/v1/recognitions/nope", "/v1/ambassador-exchanges/nope", "/v1/sources/nope"])
def test_unknown_record_is_404(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


# --- cursor pages --------------------------------------------------------------------


def test_pages_are_stable_under_inserts(client, db):
    make.government()
    for _ in range(6):
        make.source()
    make.commit()
    first = client.get("/v1/sources?limit=3").json
    seen = [item["id"] for item in first["items"]]
    # Rows added between two pages, before and after the cursor.
    make.source(id="src_0000000")
    make.source(id="src_zzzzzzz")
    make.commit()
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/v1/sources", query_string={"limit": 3, "cursor": cursor}).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)), "no row twice"
    assert "src_zzzzzzz" in seen and "src_0000000" not in seen
    assert len(seen) == 7


def test_link_header_keeps_the_filters(client, db):
    for _ in range(3):
        make.source(kind="dataset")
    make.commit()
    response = client.get("/v1/sources?kind=dataset&limit=2")
    link = response.headers["Link"]
    assert "kind=dataset" in link and "limit=2" in link and 'rel="next"' in link
    next_url = link[link.index("<") + 1 : link.index(">")]
    assert len(client.get(next_url).json["items"]) == 1


@pytest.mark.parametrize("path", COLLECTIONS)
@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJ2IjoxfQ", "eyJ2IjoxLCJhZnRlciI6MX0"])
def test_forged_cursors_are_400(client, seeded, path, cursor):
    response = client.get(path, query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.mimetype == PROBLEM


# --- CSV -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", COLLECTIONS)
def test_csv_has_the_same_rows_as_json(client, seeded, path):
    json_items = client.get(path, query_string={"limit": 500}).json["items"]
    bodies = []
    for request in ({"query_string": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
        response = client.get(path, **request)
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Vary"] == "Accept"
        rows = csv_rows(response)  # reads the stream to its end
        assert [row[next(iter(row))] for row in rows] == [item[next(iter(item))] for item in json_items]
        bodies.append(response.get_data())
    assert bodies[0] == bodies[1]


def test_csv_honours_filters_and_flattens_lists(client, seeded):
    rows = csv_rows(client.get("/v1/ambassador-exchanges?country=RU&direction=government_to_country&format=csv"))
    assert len(rows) == 1
    assert rows[0]["envoy"] == "Gul Hassan Hassan"
    assert rows[0]["sources"].split(";") == ["src_c486c3f5034b49a73224", "src_c53a87cd60d5702cb419"]


def test_csv_export_streams_every_row_past_one_batch(client, db):
    for _ in range(1203):
        make.source()
    make.commit()
    response = client.get("/v1/sources?format=csv")
    assert response.is_streamed
    rows = csv_rows(response)
    assert len(rows) == 1203
    assert len({row["id"] for row in rows}) == 1203


def test_csv_with_a_limit_is_one_page_with_a_link(client, seeded):
    response = client.get("/v1/sources?format=csv&limit=2")
    assert len(csv_rows(response)) == 2
    assert 'rel="next"' in response.headers["Link"]


def test_relations_as_csv(client, seeded):
    rows = csv_rows(client.get(RELATIONS, query_string={"as_of": "2025-07-04", "format": "csv"}))
    assert {row["country"]: row["category"] for row in rows} == {
        "AE": "ambassadors_exchanged",
        "CN": "ambassadors_exchanged",
        "QA": "limited_relations",
        "RU": "recognized",
    }
    russia = next(row for row in rows if row["country"] == "RU")
    assert russia["recognition_start"] == "2025-07-03" and len(russia["sources"].split(";")) == 3


# --- negotiation, ETags, HEAD --------------------------------------------------------


def test_unacceptable_accept_is_406(client, seeded):
    response = client.get("/v1/sources", headers={"Accept": "application/xml"})
    assert response.status_code == 406
    assert response.mimetype == PROBLEM
    single = client.get("/v1/sources/src_c486c3f5034b49a73224", headers={"Accept": "text/csv"})
    assert single.status_code == 406


def test_wildcard_accept_gets_json(client, seeded):
    assert client.get("/v1/sources", headers={"Accept": "*/*"}).mimetype == "application/json"


GETS = COLLECTIONS + [
    "/v1/countries/RU",
    "/v1/governments/af-islamic-emirate",
    "/v1/sources/src_c486c3f5034b49a73224",
    "/v1/recognitions/rcg_8c6475f1647032195d51",
    "/v1/ambassador-exchanges/amb_2aea7fa72a0ebd430aeb",
    f"{RELATIONS}?as_of=2025-07-04",
    f"{RELATIONS}/RU?as_of=2025-07-04",
    f"{RELATIONS}?as_of=2025-07-04&format=csv",
    "/v1/sources?format=csv",
]


@pytest.mark.parametrize("path", GETS)
def test_every_get_has_a_strong_etag_and_answers_304(client, seeded, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert again.get_data() == b""
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


@pytest.mark.parametrize("path", GETS[:3] + ["/v1/sources?format=csv"])
def test_head_answers_like_get_without_a_body(client, seeded, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == 200
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.get_data() == b""


def test_etag_changes_when_the_data_changes(client, seeded):
    before = client.get("/v1/sources").headers["ETag"]
    before_csv = client.get("/v1/sources?format=csv").headers["ETag"]
    make.source()
    make.commit()
    assert client.get("/v1/sources").headers["ETag"] != before
    assert client.get("/v1/sources?format=csv").headers["ETag"] != before_csv
