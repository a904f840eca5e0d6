"""The change feed, per-record history and as-known-at answers."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.support import factories as make
from tests.support.constants import CNN, RECOGNITION, RELATIONS


def all_changes(client, **query) -> list[dict]:
    items, after = [], 0
    while True:
        page = client.get("/v1/changes", query_string={"after": after, **query}).json
        items += page["items"]
        if page["next_after"] is None:
            return items
        after = page["next_after"]


def test_the_seed_is_in_the_feed(client, seeded):
    items = all_changes(client)
    assert len(items) == 12
    assert [item["seq"] for item in items] == sorted(item["seq"] for item in items)
    assert {item["actor"] for item in items} == {"seed"}
    assert items[0]["at"].endswith("+00:00")
    assert all(item["action"] == "create" and item["before"] is None for item in items)


def test_feed_pages_resume_after_a_seq_without_gaps_or_repeats(client, seeded):
    seen, after = [], 0
    while True:
        response = client.get("/v1/changes", query_string={"after": after, "limit": 5})
        page = response.json
        seen += [item["seq"] for item in page["items"]]
        if page["next_after"] is None:
            assert "Link" not in response.headers
            break
        assert f"after={page['next_after']}" in response.headers["Link"]
        after = page["next_after"]
    assert seen == sorted(set(seen)) and len(seen) == 12


def test_feed_filters_by_resource_and_exports_csv(client, seeded):
    sources = client.get("/v1/changes?resource=sources").json["items"]
    assert {item["resource"] for item in sources} == {"sources"} and len(sources) == 3
    csv_text = client.get("/v1/changes?resource=sources&format=csv").get_data(as_text=True)
    assert csv_text.startswith("seq,at,actor,action,resource,id,before,after,reason")
    assert csv_text.count("\r\n") == 4


@pytest.mark.parametrize("query", ["after=-1", "after=x", "limit=0", "resource=people", "since=1"])
def test_bad_feed_queries_are_422(client, seeded, query):
    assert client.get(f"/v1/changes?{query}").status_code == 422


def test_rejected_writes_leave_no_entry(client, seeded, editor):
    before = len(all_changes(client))
    client.post("/v1/sources", json={"publisher": "X"}, headers=editor)  # 422
    client.post("/v1/sources", json={"publisher": "X", "title": "T", "kind": "news"})  # 401
    client.patch(RECOGNITION, json={"note": "x"}, headers={**editor, "If-Match": '"v7"'})  # 412
    client.delete(f"/v1/sources/{CNN}", headers={**editor, "If-Match": '"v1"'})  # 409
    assert len(all_changes(client)) == before


def test_history_lists_one_record_oldest_first(client, seeded, editor):
    for note in ("first edit", "second edit"):
        etag = client.get(RECOGNITION).headers["ETag"]
        assert client.patch(RECOGNITION, json={"note": note}, headers={**editor, "If-Match": etag}).status_code == 200
    history = client.get(f"{RECOGNITION}/history").json["items"]
    assert [entry["action"] for entry in history] == ["create", "update", "update"]
    assert [entry["after"]["note"] for entry in history][1:] == ["first edit", "second edit"]
    assert history[2]["before"]["note"] == "first edit"
    assert client.get("/v1/governments/af-islamic-emirate/history").json["items"][0]["action"] == "create"
    assert client.get(f"/v1/sources/{CNN}/history").json["items"][0]["after"]["publisher"] == "CNN"
    assert client.get("/v1/sources/src_never/history").json == {"items": [], "next_after": None}


# --- as_known_at -------------------------------------------------------------------------


def moment_between(client) -> str:
    """A timestamp strictly after every change so far and before any later one."""
    time.sleep(0.02)
    moment = dt.datetime.now(dt.UTC)
    time.sleep(0.02)
    return moment.isoformat()


def categories(client, **query) -> dict[str, str]:
    response = client.get(RELATIONS, query_string={"as_of": "2025-07-04", **query})
    assert response.status_code == 200, response.json
    return {row["country"]: row["category"] for row in response.json["items"]}


def test_as_known_at_now_equals_the_live_answer(client, seeded):
    live = client.get(RELATIONS, query_string={"as_of": "2025-07-04"}).json
    known = client.get(RELATIONS, query_string={"as_of": "2025-07-04", "as_known_at": moment_between(client)}).json
    assert known == live


def test_a_record_created_after_t_is_absent_at_t(client, seeded, editor):
    moment = moment_between(client)
    created = client.post(
        "/v1/recognitions",
        headers=editor,
        json={
            "government": "af-islamic-emirate",
            "country": "BY",
            "form": "de_jure",
            "start": "2025-07-04",
            "sources": [CNN],
        },
    )
    assert created.status_code == 201
    assert categories(client)["BY"] == "recognized"
    assert "BY" not in categories(client, as_known_at=moment)


def test_a_record_updated_after_t_shows_its_old_value_at_t(client, seeded, editor):
    moment = moment_between(client)
    etag = client.get(RECOGNITION).headers["ETag"]
    client.patch(RECOGNITION, json={"start": "2025-07-05"}, headers={**editor, "If-Match": etag})
    assert categories(client)["RU"] == "ambassadors_exchanged"
    assert categories(client, as_known_at=moment)["RU"] == "recognized"
    old = client.get(f"{RELATIONS}/RU", query_string={"as_of": "2025-07-04", "as_known_at": moment}).json
    assert old["recognition"]["start"] == "2025-07-03"


def test_a_record_deleted_after_t_is_still_there_at_t(client, seeded, editor):
    moment = moment_between(client)
    assert (
        client.delete(
            "/v1/ambassador-exchanges/amb_ef2a62b16b2afcb65991", headers={**editor, "If-Match": '"v1"'}
        ).status_code
        == 204
    )
    assert "QA" not in categories(client), "its only record is gone"
    assert categories(client, as_known_at=moment)["QA"] == "limited_relations"


def test_a_record_moved_between_governments_is_where_it_was_at_each_moment(client, seeded, editor):
    """The replay reads only changes naming the government; a record that left and came
    back must still be placed by its newest change at each moment."""

    make.government("xx-other")
    make.commit()

    def move_to(government):
        etag = client.get(RECOGNITION).headers["ETag"]
        assert (
            client.patch(RECOGNITION, json={"government": government}, headers={**editor, "If-Match": etag}).status_code
            == 200
        )
        return moment_between(client)

    moment_home = moment_between(client)
    moment_away = move_to("xx-other")
    etag = client.get(RECOGNITION).headers["ETag"]
    assert (
        client.patch(RECOGNITION, json={"note": "edited while away"}, headers={**editor, "If-Match": etag}).status_code
        == 200
    )
    moment_still_away = moment_between(client)
    moment_back = move_to("af-islamic-emirate")
    assert categories(client, as_known_at=moment_home)["RU"] == "recognized"
    assert categories(client, as_known_at=moment_away)["RU"] == "ambassadors_exchanged"
    assert categories(client, as_known_at=moment_still_away)["RU"] == "ambassadors_exchanged"
    assert categories(client, as_known_at=moment_back)["RU"] == "recognized"
    other = client.get(
        "/v1/governments/xx-other/relations", query_string={"as_of": "2025-07-04", "as_known_at": moment_still_away}
    ).json
    assert [(row["country"], row["category"]) for row in other["items"]] == [("RU", "recognized")]


def test_a_source_edited_after_t_keeps_its_old_date_at_t(client, seeded, editor):
    moment = moment_between(client)
    etag = client.get(f"/v1/sources/{CNN}").headers["ETag"]
    client.patch(f"/v1/sources/{CNN}", json={"published": "2025-08-01"}, headers={**editor, "If-Match": etag})
    assert categories(client)["CN"] == "none", "null-start records now count from August"
    assert categories(client, as_known_at=moment)["CN"] == "ambassadors_exchanged"


def test_before_the_government_was_recorded_is_404(client, seeded):
    response = client.get(RELATIONS, query_string={"as_known_at": "2000-01-01T00:00:00Z"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("value", ["2025-07-04", "yesterday", "2025-07-04T10:00:00"])
def test_as_known_at_needs_a_timestamp_with_offset(client, seeded, value):
    assert client.get(RELATIONS, query_string={"as_known_at": value}).status_code == 422
