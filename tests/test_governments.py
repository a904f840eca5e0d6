"""GET /v1/governments and /v1/governments/{id}."""

from __future__ import annotations

import pytest

from service.store.registry import GOVERNMENTS
from service.store.writes import create_record
from tests.support.constants import PROBLEM


@pytest.mark.parametrize("query", ["Taliban", "taliban", "TALIBAN", "iea", "islamic emirate", "Afghan"])
def test_q_matches_names_and_aliases_case_insensitively(client, seeded, query):
    response = client.get("/v1/governments", query_string={"q": query})
    assert response.status_code == 200
    assert [item["id"] for item in response.json["items"]] == ["af-islamic-emirate"]


def test_q_without_match_is_an_empty_page(client, seeded):
    response = client.get("/v1/governments?q=Bundesrepublik")
    assert response.status_code == 200
    assert response.json == {"items": [], "next_cursor": None}


def test_like_wildcards_in_q_are_literal(client, seeded):
    assert client.get("/v1/governments?q=%25").json["items"] == []
    assert client.get("/v1/governments?q=_").json["items"] == []


def test_one_government(client, seeded):
    response = client.get("/v1/governments/af-islamic-emirate")
    assert response.status_code == 200
    assert response.json == {
        "id": "af-islamic-emirate",
        "name": "Islamic Emirate of Afghanistan",
        "aliases": ["Taliban", "IEA"],
        "country": "AF",
        "start": "2021",
        "end": None,
    }
    assert response.headers["ETag"].startswith('"')


def test_unknown_government_is_a_404_problem(client, seeded):
    response = client.get("/v1/governments/nowhere")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.json["status"] == 404
    assert "nowhere" in response.json["detail"]


def test_filter_by_country_accepts_alpha3_any_case(client, seeded):
    assert len(client.get("/v1/governments?country=afg").json["items"]) == 1
    assert client.get("/v1/governments?country=RU").json["items"] == []


def test_unknown_country_filter_is_422(client, seeded):
    response = client.get("/v1/governments?country=XYZ")
    assert response.status_code == 422
    assert "country" in response.json["errors"]


def test_unknown_query_parameter_is_422_naming_it(client, seeded):
    response = client.get("/v1/governments?contry=RU")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert "contry" in response.json["errors"]


def test_cursor_pages_through_every_government_once(client, db):
    for number in range(5):
        create_record(
            GOVERNMENTS, {"id": f"xx-g{number}", "name": f"Gov {number}", "aliases": [], "country": "AF"}, actor="test"
        )
    db.session.commit()
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get("/v1/governments", query_string=query)
        assert response.status_code == 200
        seen += [item["id"] for item in response.json["items"]]
        cursor = response.json["next_cursor"]
        if cursor is None:
            assert "Link" not in response.headers
            break
        assert 'rel="next"' in response.headers["Link"]
    assert seen == [f"xx-g{number}" for number in range(5)]


@pytest.mark.parametrize("cursor", ["garbage", "eyJ2IjoyfQ", "%%%", "e30"])
def test_forged_cursor_is_400(client, seeded, cursor):
    response = client.get("/v1/governments", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
