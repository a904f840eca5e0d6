"""The seed case (seed-facts.md), asked over HTTP of a running service.

Run with `LIVE_BASE_URL=http://127.0.0.1:PORT pytest tests/live`; skipped when unset.
HTTP through the standard library (urllib); PyYAML (a runtime pin) reads the contract.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import NamedTuple

import pytest
import yaml

from tests.support.constants import GOVERNMENT, PROBLEM

pytestmark = pytest.mark.skipif(not os.environ.get("LIVE_BASE_URL"), reason="LIVE_BASE_URL is not set")

RELATIONS = f"/v1/governments/{GOVERNMENT}/relations"


class Response(NamedTuple):
    status: int
    content_type: str
    body: bytes

    def json(self):
        return json.loads(self.body)


def get(base_url: str, path: str, accept: str = "application/json") -> Response:
    request = urllib.request.Request(base_url + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Response(response.status, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.headers.get_content_type(), error.read())


@pytest.fixture(scope="module")
def relations_0704(base_url):
    response = get(base_url, f"{RELATIONS}?as_of=2025-07-04")
    assert response.status == 200, response.body
    return response.json()


@pytest.fixture(scope="module")
def relations_0702(base_url):
    response = get(base_url, f"{RELATIONS}?as_of=2025-07-02")
    assert response.status == 200, response.body
    return response.json()


def categories(answer) -> dict[str, str]:
    return {row["country"]: row["category"] for row in answer["items"]}


# --- service plumbing -----------------------------------------------------------------


def test_readyz_is_200(base_url):
    response = get(base_url, "/readyz")
    assert response.status == 200
    assert response.json()["status"] == "ready"


def test_openapi_yaml_is_served(base_url):
    response = get(base_url, "/v1/openapi.yaml", accept="*/*")
    assert response.status == 200
    spec = yaml.safe_load(response.body)
    assert spec["openapi"].startswith("3.1")
    assert "/v1/governments/{government_id}/relations" in spec["paths"]


def test_unknown_path_is_a_problem_json_404(base_url):
    response = get(base_url, "/v1/governments/no-such-government")
    assert response.status == 404
    assert response.content_type == PROBLEM
    problem = response.json()
    assert problem["status"] == 404
    assert problem["request_id"]


def test_search_finds_the_taliban_government(base_url):
    response = get(base_url, "/v1/governments?q=Taliban")
    assert response.status == 200
    assert GOVERNMENT in [government["id"] for government in response.json()["items"]]


# --- the seed's acceptance facts ------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "category"),
    [
        ("RU", "recognized"),
        ("CN", "ambassadors_exchanged"),
        ("AE", "ambassadors_exchanged"),
        ("QA", "limited_relations"),
    ],
)
def test_category_as_of_2025_07_04(relations_0704, country, category):
    assert categories(relations_0704)[country] == category


def test_united_states_is_none(base_url):
    response = get(base_url, f"{RELATIONS}/US?as_of=2025-07-04")
    assert response.status == 200
    answer = response.json()
    assert answer["category"] == "none"
    assert answer["recognition"] is None


def test_first_recognized_by_russia_on_2025_07_03(relations_0704):
    first = relations_0704["first_recognized_by"]
    assert (first["country"], first["start"]) == ("RU", "2025-07-03")
    assert first["sources"], "first_recognized_by answers without sources"


def test_russia_not_recognized_on_2025_07_02(base_url, relations_0702):
    assert categories(relations_0702)["RU"] != "recognized"
    assert relations_0702["first_recognized_by"] is None
    response = get(base_url, f"{RELATIONS}/RU?as_of=2025-07-02")
    assert response.status == 200
    assert response.json()["category"] != "recognized"


def test_every_listed_row_carries_sources(relations_0704):
    assert relations_0704["items"]
    for row in relations_0704["items"]:
        assert row["sources"], f"{row['country']} answers without sources"
        assert all(source["id"].startswith("src_") for source in row["sources"])


# --- how sure each answer is (never surer than the sources) -------------------------------


@pytest.mark.parametrize(
    ("country", "possible"),
    [("CN", "ambassadors_exchanged"), ("AE", "ambassadors_exchanged"), ("QA", "limited_relations")],
)
def test_the_day_before_the_report_is_uncertain(relations_0702, country, possible):
    row = next(row for row in relations_0702["items"] if row["country"] == country)
    assert (row["category"], row["certainty"], row["possible_category"]) == ("none", "uncertain", possible)
    assert row["sources"] and row["basis"]


def test_the_day_after_is_established(relations_0704):
    assert relations_0704["uncertain"] == 0
    assert {row["certainty"] for row in relations_0704["items"]} == {"established"}
    russia = next(row for row in relations_0704["items"] if row["country"] == "RU")
    assert russia["known_since"] == "2025-07-03"
    assert relations_0704["first_recognized_by"]["certainty"] == "established"


def test_united_states_has_no_records(base_url):
    answer = get(base_url, f"{RELATIONS}/US?as_of=2025-07-04").json()
    assert (answer["certainty"], answer["possible_category"], answer["basis"]) == ("no_records", "none", [])
