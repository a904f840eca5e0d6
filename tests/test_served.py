"""The whole flow over HTTP against gunicorn, with tokens made by the CLI, on both engines."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.constants import GOVERNMENT, RECOGNITION, RELATIONS
from tests.support.databases import ENGINES, fresh_database
from tests.support.served import request, served


@pytest.fixture(scope="module", params=ENGINES)
def deployment(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"served-{request.param}")
    with fresh_database(request.param, folder) as url:
        with served(url, folder / "gunicorn.log") as running:
            yield running
        assert running.process.returncode == 0, (folder / "gunicorn.log").read_text()[-3000:]


def test_seed_facts_over_http(deployment):
    answer = request("GET", f"{deployment.base_url}{RELATIONS}?as_of=2025-07-04").json()
    assert {row["country"]: row["category"] for row in answer["items"]} == {
        "RU": "recognized",
        "CN": "ambassadors_exchanged",
        "AE": "ambassadors_exchanged",
        "QA": "limited_relations",
    }
    assert (answer["first_recognized_by"]["country"], answer["first_recognized_by"]["start"]) == ("RU", "2025-07-03")
    assert all(row["sources"] for row in answer["items"])
    assert request("GET", f"{deployment.base_url}{RELATIONS}/US?as_of=2025-07-04").json()["category"] == "none"
    earlier = request("GET", f"{deployment.base_url}{RELATIONS}/RU?as_of=2025-07-02").json()
    assert earlier["category"] != "recognized"


def test_certainty_over_http(deployment):
    """Honest answers: unknown before the report, established after, no_records said."""
    before = request("GET", f"{deployment.base_url}{RELATIONS}?as_of=2025-07-02").json()
    rows = {row["country"]: row for row in before["items"]}
    assert {code: (row["category"], row["certainty"], row["possible_category"]) for code, row in rows.items()} == {
        "RU": ("none", "uncertain", "ambassadors_exchanged"),
        "CN": ("none", "uncertain", "ambassadors_exchanged"),
        "AE": ("none", "uncertain", "ambassadors_exchanged"),
        "QA": ("none", "uncertain", "limited_relations"),
    }
    assert before["uncertain"] == 4 and all(row["sources"] and row["basis"] for row in rows.values())
    after = request("GET", f"{deployment.base_url}{RELATIONS}?as_of=2025-07-04").json()
    assert {row["certainty"] for row in after["items"]} == {"established"}
    assert {row["known_since"] for row in after["items"]} == {"2025-07-03"}
    assert after["first_recognized_by"]["certainty"] == "established"
    nothing = request("GET", f"{deployment.base_url}{RELATIONS}/US?as_of=2025-07-04").json()
    assert (nothing["category"], nothing["certainty"]) == ("none", "no_records")
    exported = request("GET", f"{deployment.base_url}{RELATIONS}?as_of=2025-07-02&format=csv")
    assert exported.status == 200
    assert 'filename="relations-af-islamic-emirate-2025-07-02.csv"' in exported.headers["Content-Disposition"]
    assert b",uncertain,ambassadors_exchanged," in exported.body


def test_write_flow_with_cli_tokens(deployment):
    url = f"{deployment.base_url}/v1/sources"
    body = {"publisher": "AP", "title": "Flow test", "kind": "news", "published": "2025-07-04"}
    anonymous = request("POST", url, body)
    assert anonymous.status == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    reader = request("POST", url, body, {"Authorization": f"Bearer {deployment.read_token}"})
    assert reader.status == 403
    editor = {"Authorization": f"Bearer {deployment.write_token}"}
    created = request("POST", url, body, editor)
    assert created.status == 201
    location = deployment.base_url + created.headers["Location"]
    updated = request("PATCH", location, {"note": "checked"}, {**editor, "If-Match": created.headers["ETag"]})
    assert updated.status == 200 and updated.json()["note"] == "checked"
    stale = request("PATCH", location, {"note": "again"}, {**editor, "If-Match": created.headers["ETag"]})
    assert stale.status == 412
    deleted = request("DELETE", location, None, {**editor, "If-Match": updated.headers["ETag"]})
    assert deleted.status == 204
    history = request("GET", f"{location}/history").json()["items"]
    assert [(entry["action"], entry["actor"]) for entry in history] == [
        ("create", "desk"),
        ("update", "desk"),
        ("delete", "desk"),
    ]


def test_revoked_token_is_refused_and_tokens_are_listed_without_secrets(deployment):
    listing = deployment.cli("-m", "service", "tokens", "list")
    assert "desk\twrite" in listing and "widget\tread" in listing
    assert deployment.write_token not in listing and deployment.read_token not in listing
    output = deployment.cli("-m", "service", "tokens", "create", "--name", "temp2", "--scope", "write")
    token = output.rstrip("\n").splitlines()[-1]
    assert token.startswith("rs_") and " " not in token and len(token) > 40, "the token alone on the last line"
    body = {"publisher": "AP", "title": "Revocation", "kind": "news"}
    assert (
        request("POST", f"{deployment.base_url}/v1/sources", body, {"Authorization": f"Bearer {token}"}).status == 201
    )
    deployment.cli("-m", "service", "tokens", "revoke", "temp2")
    assert (
        request("POST", f"{deployment.base_url}/v1/sources", body, {"Authorization": f"Bearer {token}"}).status == 401
    )


def test_tokens_never_appear_in_the_server_log(deployment, tmp_path_factory):
    request("GET", f"{deployment.base_url}/v1/sources", None, {"Authorization": f"Bearer {deployment.write_token}"})
    log_text = "".join(path.read_text() for path in tmp_path_factory.getbasetemp().rglob("gunicorn.log"))
    assert "GET /v1/sources" in log_text, "the access log is written"
    assert deployment.write_token not in log_text and deployment.read_token not in log_text


def test_a_write_through_one_worker_is_read_by_every_worker(deployment):
    """Two gunicorn workers each remember answers (the hot path, service/hotpath.py);
    the data version keeps every worker from serving an answer older than the last
    write: relations, a filtered page, the record, and the pages for people."""
    base = deployment.base_url
    reads = {
        f"{RELATIONS}/RU?as_of=2025-07-04": lambda answer: answer.json()["category"],
        "/v1/recognitions?country=RU": lambda answer: [row["start"] for row in answer.json()["items"]],
        RECOGNITION: lambda answer: answer.json()["start"],
        f"/governments/{GOVERNMENT}/RU?as_of=2025-07-04": lambda answer: "2025-07-05" in answer.body.decode(),
    }
    before = {
        f"{RELATIONS}/RU?as_of=2025-07-04": "recognized",
        "/v1/recognitions?country=RU": ["2025-07-03"],
        RECOGNITION: "2025-07-03",
        f"/governments/{GOVERNMENT}/RU?as_of=2025-07-04": False,
    }
    after = {
        f"{RELATIONS}/RU?as_of=2025-07-04": "ambassadors_exchanged",
        "/v1/recognitions?country=RU": ["2025-07-05"],
        RECOGNITION: "2025-07-05",
        f"/governments/{GOVERNMENT}/RU?as_of=2025-07-04": True,
    }
    editor = {"Authorization": f"Bearer {deployment.write_token}"}
    for _ in range(8):  # warm both workers
        for url, read in reads.items():
            assert read(request("GET", base + url)) == before[url], url
    record = base + RECOGNITION
    current = request("GET", record)
    changed = request("PATCH", record, {"start": "2025-07-05"}, {**editor, "If-Match": current.headers["ETag"]})
    assert changed.status == 200
    try:
        for _ in range(8):
            for url, read in reads.items():
                assert read(request("GET", base + url)) == after[url], url
            stale = request("GET", base + RECOGNITION, None, {"If-None-Match": current.headers["ETag"]})
            assert stale.status == 200, "an old validator is never answered 304"
    finally:
        request("PATCH", record, {"start": "2025-07-03"}, {**editor, "If-Match": changed.headers["ETag"]})


def test_concurrent_writers_across_workers_all_land(deployment):
    """Eight clients writing at once through two gunicorn workers (on SQLite, two
    processes queueing for one write lock): every write lands, none is refused."""

    url = f"{deployment.base_url}/v1/sources"
    editor = {"Authorization": f"Bearer {deployment.write_token}"}

    def post(number: int) -> int:
        return request(
            "POST", url, {"publisher": "Load", "title": f"Concurrent {number}", "kind": "news"}, editor
        ).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(160)))
    assert statuses.count(201) == 160, sorted(set(statuses))
