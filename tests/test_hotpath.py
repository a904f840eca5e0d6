"""The hot path (service/hotpath.py): repeated public reads answered before Flask,
with the very headers the framework gives, and never an answer older than the data."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from service.hotpath import Answer, Answers, HotPath, replayable
from tests.support.constants import GOVERNMENT, RECOGNITION, RELATIONS

# Public reads of every kind the hot path takes: relations in its representations, a
# single relation, the pictures, a filtered collection page, a record, its history,
# the status changes (JSON and Atom), the pages for people.
READS = [
    (f"{RELATIONS}?as_of=2025-07-04", {}),
    (f"{RELATIONS}", {}),
    (f"{RELATIONS}?as_of=2025-07-04", {"Accept": "text/csv"}),
    (f"{RELATIONS}?as_of=2025-07-04&lang=fr", {}),
    (f"{RELATIONS}?as_of=2025-07-04", {"Accept-Language": "de"}),
    (f"{RELATIONS}/RU?as_of=2025-07-04", {}),
    (f"/v1/governments/{GOVERNMENT}/relations.svg?as_of=2025-07-04", {}),
    (f"/v1/governments/{GOVERNMENT}/timeline.svg", {}),
    ("/v1/recognitions?country=RU&limit=2", {}),
    ("/v1/ambassador-exchanges?limit=1", {}),
    (RECOGNITION, {}),
    (f"{RECOGNITION}/history", {}),
    ("/v1/status-changes", {}),
    ("/v1/status-changes.atom", {}),
    ("/v1/countries/FR", {}),
    ("/", {}),
    (f"/governments/{GOVERNMENT}", {}),
    (f"/governments/{GOVERNMENT}/RU?as_of=2025-07-04", {}),
]


@pytest.fixture
def hot(app, db):
    """The app's hot path, emptied, with its framework calls counted."""
    hot_path = app.wsgi_app
    assert isinstance(hot_path, HotPath), "create_app puts the hot path in front of Flask"
    hot_path.answers = Answers(hot_path.answers.max_bytes)
    framework = hot_path.framework
    calls = []

    def counted(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return framework(environ, start_response)

    hot_path.framework = counted
    hot_path.calls = calls
    hot_path.unwrapped = framework
    yield hot_path
    hot_path.framework = framework


def compared(headers) -> dict[str, str]:
    """All headers but Date and the request id's value (present, checked apart)."""
    return {name: value for name, value in headers.items() if name not in ("Date", "X-Request-ID")}


@pytest.mark.parametrize(("url", "headers"), READS)
def test_a_hot_path_answer_has_the_frameworks_headers_and_body(hot, seeded, url, headers):
    client, framework = Client(hot), Client(hot.unwrapped)
    first = client.get(url, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)[:500]
    assert len(hot.calls) == 1
    replayed = client.get(url, headers=headers)
    assert len(hot.calls) == 1, "the second request is answered before the framework"
    direct = framework.get(url, headers=headers)
    assert replayed.status_code == direct.status_code == 200
    assert compared(replayed.headers) == compared(direct.headers)
    assert list(replayed.headers.keys()).count("X-Request-ID") == 1
    assert list(replayed.headers.keys()).count("Date") == list(direct.headers.keys()).count("Date") <= 1
    assert replayed.headers["X-Request-ID"] != first.headers["X-Request-ID"], "a fresh request id per request"
    assert replayed.get_data() == direct.get_data() == first.get_data()

    etag = direct.headers["ETag"]
    not_modified = client.get(url, headers={**headers, "If-None-Match": etag})
    framework_304 = framework.get(url, headers={**headers, "If-None-Match": etag})
    assert len(hot.calls) == 1, "the 304 too"
    assert not_modified.status_code == framework_304.status_code == 304
    assert compared(not_modified.headers) == compared(framework_304.headers)
    assert not_modified.get_data() == b""

    head = client.head(url, headers=headers)
    framework_head = framework.head(url, headers=headers)
    assert head.status_code == 200 and head.get_data() == b""
    assert compared(head.headers) == compared(framework_head.headers)

    other = client.get(url, headers={**headers, "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.get_data() == direct.get_data()
    assert len(hot.calls) == 1


def test_a_safe_request_id_is_echoed_as_the_framework_does(hot, seeded):
    client = Client(hot)
    url = f"{RELATIONS}/RU?as_of=2025-07-04"
    client.get(url)
    assert client.get(url, headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    unsafe = client.get(url, headers={"X-Request-ID": "no spaces<>"}).headers["X-Request-ID"]
    assert unsafe != "no spaces<>" and len(unsafe) == 32
    assert len(hot.calls) == 1


def test_a_write_is_seen_by_the_next_read(hot, seeded, client, editor):
    """The data version moves with every committed write: nothing remembered outlives it."""
    urls = [
        f"{RELATIONS}/RU?as_of=2025-07-04",
        "/v1/recognitions?country=RU",
        RECOGNITION,
        f"/governments/{GOVERNMENT}/RU?as_of=2025-07-04",
    ]
    for url in urls * 2:
        assert client.get(url).status_code == 200
    assert len(hot.calls) == len(urls), "each remembered after its first request"
    current = client.get(RECOGNITION)
    changed = client.patch(
        RECOGNITION, json={"start": "2025-07-05"}, headers={**editor, "If-Match": current.headers["ETag"]}
    )
    assert changed.status_code == 200
    calls = len(hot.calls)
    assert client.get(f"{RELATIONS}/RU?as_of=2025-07-04").json["category"] == "ambassadors_exchanged"
    assert [row["start"] for row in client.get("/v1/recognitions?country=RU").json["items"]] == ["2025-07-05"]
    assert client.get(RECOGNITION).json["start"] == "2025-07-05"
    assert "2025-07-05" in client.get(f"/governments/{GOVERNMENT}/RU?as_of=2025-07-04").get_data(as_text=True)
    assert len(hot.calls) == calls + len(urls), "after the write, every read went to the framework"


def test_what_varies_is_never_mixed_up(hot, seeded):
    client = Client(hot)
    url = f"{RELATIONS}?as_of=2025-07-04"
    json_answer = client.get(url)
    csv_answer = client.get(url, headers={"Accept": "text/csv"})
    french = client.get(url, headers={"Accept-Language": "fr"})
    reordered = client.get(f"{RELATIONS}?lang=fr&as_of=2025-07-04")
    assert json_answer.mimetype == "application/json" and csv_answer.mimetype == "text/csv"
    assert french.get_data() != json_answer.get_data()
    assert len(hot.calls) == 4
    assert reordered.status_code == 200


def test_what_the_hot_path_never_answers(hot, seeded, read_token):
    client = Client(hot)
    token = {"Authorization": f"Bearer {read_token}"}
    for _ in range(2):
        assert client.get(f"{RELATIONS}/RU?as_of=2025-07-04", headers=token).status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/openapi.json").status_code == 200
        assert client.get("/v1/recognitions?limit=nope").status_code == 422
        assert client.get("/v1/recognitions/rcg_missing").status_code == 404
        assert client.get(RECOGNITION, headers={"Range": "bytes=0-10"}).status_code == 200
        assert client.get(RECOGNITION, headers={"If-Match": '"x"'}).status_code in (200, 412)
        assert client.get(RECOGNITION, headers={"X-Long": "x" * 9000}).status_code == 431
    assert len(hot.calls) == 16


def test_a_long_header_is_refused_even_after_the_answer_is_remembered(hot, seeded):
    client = Client(hot)
    assert client.get(RECOGNITION).status_code == 200
    assert client.get(RECOGNITION, headers={"X-Long": "x" * 9000}).status_code == 431


def test_answers_are_bounded_by_bytes_least_recently_used_first():
    answers = Answers(40_000)

    def answer(size: int) -> Answer:
        return Answer("200 OK", [("ETag", '"e"')], b"x" * size, "e")

    for index in range(5):
        answers.put(("k", index), "v1", answer(9_000))
    assert answers.get(("k", 0), "v1") is None, "the oldest went first"
    assert answers.get(("k", 4), "v1") is not None
    assert answers.bytes <= 40_000
    answers.put(("big",), "v1", answer(10_001))
    assert answers.get(("big",), "v1") is None, "larger than a quarter: never kept"
    assert answers.get(("k", 4), "v2") is None, "a new data version forgets everything"
    assert answers.bytes == 0


def test_only_public_complete_answers_are_replayable():
    base = [("ETag", '"a"'), ("Content-Length", "10"), ("Cache-Control", "no-cache")]
    assert replayable(base, 100) == "a"
    assert replayable([*base[:2], ("Cache-Control", "private, no-cache")], 100) is None
    assert replayable([*base, ("Set-Cookie", "a=b")], 100) is None
    assert replayable([*base, ("Vary", "Accept, Cookie")], 100) is None
    assert replayable([*base, ("Vary", "Accept, Origin")], 100) == "a"
    assert replayable(base[1:], 100) is None, "without a validator"
    assert replayable([base[0], base[2]], 100) is None, "streamed"
    assert replayable(base, 5) is None, "too large"
