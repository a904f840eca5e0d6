"""Writes: tokens, validation, optimistic concurrency, and one change per write."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from service.store.models import ApiToken, Change, Government, Recognition, Source
from service.store.tokens import revoke_token
from tests.support.constants import CNN, PROBLEM, RECOGNITION

NEW_SOURCE = {
    "publisher": "Reuters",
    "title": "A test report",
    "published": "2025-08-01",
    "kind": "news",
    "url": "https://example.org/a",
}
NEW_GOVERNMENT = {
    "id": "xx-new-authority",
    "name": "New Authority",
    "aliases": ["NA"],
    "country": "afg",
    "start": "2024",
}


def change_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Change))


def new_recognition(country="FR", **extra):
    return {
        "government": "af-islamic-emirate",
        "country": country,
        "form": "de_facto",
        "start": "2025-09",
        "sources": [CNN],
        **extra,
    }


# --- authentication ------------------------------------------------------------------


def test_write_without_a_token_is_401_with_a_challenge(client, seeded):
    response = client.post("/v1/sources", json=NEW_SOURCE)
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer ", "rs_token-without-scheme"])
def test_a_bad_token_is_401(client, seeded, header):
    response = client.post("/v1/sources", json=NEW_SOURCE, headers={"Authorization": header})
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_a_read_token_cannot_write(client, seeded, read_token):
    response = client.post("/v1/sources", json=NEW_SOURCE, headers={"Authorization": f"Bearer {read_token}"})
    assert response.status_code == 403
    assert response.mimetype == PROBLEM


def test_a_revoked_token_is_401(client, seeded, write_token, editor):
    assert client.post("/v1/sources", json=NEW_SOURCE, headers=editor).status_code == 201
    revoke_token("desk-editor")
    assert client.post("/v1/sources", json=NEW_SOURCE, headers=editor).status_code == 401


def test_reads_can_require_a_token(app, client, seeded, read_token, monkeypatch):
    monkeypatch.setitem(app.config, "READ_REQUIRES_TOKEN", True)
    assert client.get("/v1/sources").status_code == 401
    ok = client.get("/v1/sources", headers={"Authorization": f"Bearer {read_token}"})
    assert ok.status_code == 200
    assert "private" in ok.headers["Cache-Control"]
    assert client.get("/healthz").status_code == 200, "probes stay open"


def test_tokens_are_stored_only_as_hashes(db, write_token):
    stored = db.session.scalars(select(ApiToken)).all()
    assert len(stored) == 1
    assert write_token not in {stored[0].token_hash, stored[0].name}
    assert len(stored[0].token_hash) == 64


def test_a_token_never_reaches_the_log(client, seeded, editor, write_token, caplog):
    caplog.set_level("DEBUG")
    client.post("/v1/sources", json=NEW_SOURCE, headers=editor)
    client.post("/v1/sources", json={"bad": 1}, headers=editor)
    client.get("/v1/nowhere", headers=editor)
    assert write_token not in caplog.text


# --- create ----------------------------------------------------------------------------


def test_create_each_resource(client, seeded, editor, db):
    before = change_count(db)
    source = client.post("/v1/sources", json=NEW_SOURCE, headers=editor)
    assert source.status_code == 201
    assert source.headers["Location"] == f"/v1/sources/{source.json['id']}"
    assert source.headers["ETag"] == '"v1"'
    assert source.json["id"].startswith("src_")

    government = client.post("/v1/governments", json=NEW_GOVERNMENT, headers=editor)
    assert government.status_code == 201
    assert government.json["country"] == "AF", "alpha-3 in any case is stored as alpha-2"

    recognition = client.post(
        "/v1/recognitions", json=new_recognition(country="fra", sources=[source.json["id"]]), headers=editor
    )
    assert recognition.status_code == 201, recognition.json
    assert recognition.json["country"] == "FR"

    exchange = client.post(
        "/v1/ambassador-exchanges",
        headers=editor,
        json={
            "government": "xx-new-authority",
            "country": "DE",
            "direction": "country_to_government",
            "rank": "charge_d_affaires",
            "envoy": None,
            "start": None,
            "sources": [CNN],
        },
    )
    assert exchange.status_code == 201, exchange.json

    for response in (source, government, recognition, exchange):
        fetched = client.get(response.headers["Location"])
        assert fetched.json == response.json
        assert fetched.headers["ETag"] == response.headers["ETag"]
    assert change_count(db) == before + 4
    last = db.session.scalars(select(Change).order_by(Change.seq.desc())).first()
    assert (last.action, last.resource, last.actor, last.before) == (
        "create",
        "ambassador-exchanges",
        "desk-editor",
        None,
    )
    assert last.after["id"] == exchange.json["id"]


def test_optional_fields_default_to_null(client, seeded, editor):
    body = {"publisher": "AP", "title": "Undated", "kind": "other"}
    created = client.post("/v1/sources", json=body, headers=editor).json
    assert created["url"] is None and created["published"] is None and created["note"] is None


def test_change_reason_is_recorded(client, seeded, editor, db):
    client.post("/v1/sources", json=NEW_SOURCE, headers={**editor, "X-Change-Reason": "new wire copy"})
    last = db.session.scalars(select(Change).order_by(Change.seq.desc())).first()
    assert last.reason == "new wire copy"


def test_duplicate_government_id_is_409(client, seeded, editor, db):
    body = {**NEW_GOVERNMENT, "id": "af-islamic-emirate"}
    before = change_count(db)
    response = client.post("/v1/governments", json=body, headers=editor)
    assert response.status_code == 409
    assert change_count(db) == before


INVALID_BODIES = [
    ("/v1/sources", {**NEW_SOURCE, "colour": "red"}, "colour"),
    ("/v1/sources", {**NEW_SOURCE, "kind": "gossip"}, "kind"),
    ("/v1/sources", {**NEW_SOURCE, "published": "last week"}, "published"),
    ("/v1/sources", {**NEW_SOURCE, "url": "javascript:alert(1)"}, "url"),
    ("/v1/sources", {**NEW_SOURCE, "publisher": ""}, "publisher"),
    ("/v1/sources", {**NEW_SOURCE, "title": 42}, "title"),
    ("/v1/sources", {k: v for k, v in NEW_SOURCE.items() if k != "title"}, "title"),
    ("/v1/governments", {**NEW_GOVERNMENT, "country": "XQ"}, "country"),
    ("/v1/governments", {**NEW_GOVERNMENT, "id": "Not A Slug"}, "id"),
    ("/v1/governments", {**NEW_GOVERNMENT, "aliases": ["A", "A"]}, "aliases"),
    ("/v1/governments", {**NEW_GOVERNMENT, "start": "2024", "end": "2020"}, "end"),
    ("/v1/recognitions", new_recognition(sources=[]), "sources"),
    ("/v1/recognitions", {k: v for k, v in new_recognition().items() if k != "sources"}, "sources"),
    ("/v1/recognitions", new_recognition(sources=["src_missing"]), "sources"),
    ("/v1/recognitions", new_recognition(government="nobody"), "government"),
    ("/v1/recognitions", new_recognition(form="partial"), "form"),
    ("/v1/recognitions", new_recognition(start="2025-07-03", end="2025-07-01"), "end"),
    ("/v1/recognitions", new_recognition(id="rcg_mine"), "id"),
    (
        "/v1/ambassador-exchanges",
        {
            "government": "af-islamic-emirate",
            "country": "RU",
            "direction": "sideways",
            "rank": "ambassador",
            "sources": [CNN],
        },
        "direction",
    ),
]


@pytest.mark.parametrize(("path", "body", "field"), INVALID_BODIES)
def test_invalid_create_is_422_and_changes_nothing(client, seeded, editor, db, path, body, field):
    before = change_count(db)
    response = client.post(path, json=body, headers=editor)
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM
    assert field in response.json["errors"]
    assert change_count(db) == before


def test_malformed_json_is_400(client, seeded, editor, db):
    before = change_count(db)
    response = client.post("/v1/sources", data='{"publisher": ', headers={**editor, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    assert change_count(db) == before


def test_wrong_content_type_is_415(client, seeded, editor, db):
    response = client.post("/v1/sources", data=json.dumps(NEW_SOURCE), headers={**editor, "Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.mimetype == PROBLEM


def test_body_over_the_limit_is_413(app, client, seeded, editor, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    before = change_count(db)
    response = client.post("/v1/sources", json={**NEW_SOURCE, "note": "x" * 5000}, headers=editor)
    assert response.status_code == 413
    assert response.mimetype == PROBLEM
    assert change_count(db) == before


# --- update ----------------------------------------------------------------------------


def test_patch_needs_if_match(client, seeded, editor):
    response = client.patch(RECOGNITION, json={"note": "x"}, headers=editor)
    assert response.status_code == 428
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("etag", "status"),
    [
        ('"v2"', 412),
        ('"v0"', 412),
        ('"stale"', 412),
        ('"something"', 412),
        ('W/"v1"', 412),
        ('W/"v1", W/"v2"', 412),
        ('"v2", "v3"', 412),
        ("v1", 400),
        ('"v1', 400),
        ('"v1" "v2"', 400),
        ('*, "v1"', 400),
        ("", 428),
        ("   ", 428),
    ],
)
def test_patch_with_a_stale_or_malformed_etag_changes_nothing(client, seeded, editor, db, etag, status):
    """RFC 9110 13.1.1: a well-formed list without the current strong ETag (stale, weak
    tags, which never match, foreign tags) is 412; a value that is not the header's
    syntax is 400; an empty one 428."""
    before = change_count(db)
    response = client.patch(RECOGNITION, json={"note": "x"}, headers={**editor, "If-Match": etag})
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    assert change_count(db) == before


@pytest.mark.parametrize("condition", ["*", '"v1"', '"v9", "v1"', '"v1","v1"', 'W/"v1", "v1"', ' , "v1" ,'])
def test_if_match_star_or_a_list_naming_the_current_etag_passes(client, seeded, editor, db, condition):
    """``*`` matches the record as it stands; a list matches when it holds the current strong ETag."""
    before = change_count(db)
    response = client.patch(RECOGNITION, json={"note": "listed"}, headers={**editor, "If-Match": condition})
    assert response.status_code == 200, response.json
    assert response.headers["ETag"] == '"v2"'
    assert change_count(db) == before + 1


def test_if_match_star_on_a_missing_record_is_404(client, seeded, editor):
    response = client.patch("/v1/recognitions/rcg_missing", json={"note": "x"}, headers={**editor, "If-Match": "*"})
    assert response.status_code == 404


def test_patch_is_partial_and_bumps_the_etag(client, seeded, editor, db):
    current = client.get(RECOGNITION)
    response = client.patch(
        RECOGNITION,
        json={"note": "Checked against the ministry's site."},
        headers={**editor, "If-Match": current.headers["ETag"], "X-Change-Reason": "fact-check"},
    )
    assert response.status_code == 200, response.json
    assert response.json["note"] == "Checked against the ministry's site."
    assert {k: v for k, v in response.json.items() if k != "note"} == {
        k: v for k, v in current.json.items() if k != "note"
    }
    assert response.headers["ETag"] == '"v2"'
    assert client.get(RECOGNITION).headers["ETag"] == '"v2"'
    last = db.session.scalars(select(Change).order_by(Change.seq.desc())).first()
    assert (last.action, last.before["note"], last.after["note"], last.reason) == (
        "update",
        current.json["note"],
        "Checked against the ministry's site.",
        "fact-check",
    )


def test_patch_validates_the_merged_record(client, seeded, editor, db):
    etag = client.get(RECOGNITION).headers["ETag"]
    before = change_count(db)
    response = client.patch(RECOGNITION, json={"end": "2025-06"}, headers={**editor, "If-Match": etag})
    assert response.status_code == 422, "an end before the stored start is refused"
    assert "end" in response.json["errors"]
    for body in ({"id": "rcg_other"}, {"sources": []}, {"country": None}, {"form": "maybe"}):
        assert client.patch(RECOGNITION, json=body, headers={**editor, "If-Match": etag}).status_code == 422
    assert change_count(db) == before
    assert client.get(RECOGNITION).headers["ETag"] == etag


def test_patch_sources_and_aliases(client, seeded, editor):
    etag = client.get(RECOGNITION).headers["ETag"]
    response = client.patch(RECOGNITION, json={"sources": [CNN]}, headers={**editor, "If-Match": etag})
    assert response.json["sources"] == [CNN]
    government = client.get("/v1/governments/af-islamic-emirate")
    renamed = client.patch(
        "/v1/governments/af-islamic-emirate",
        json={"aliases": ["IEA", "Taliban", "Islamic Emirate"]},
        headers={**editor, "If-Match": government.headers["ETag"]},
    )
    assert renamed.status_code == 200
    assert renamed.json["aliases"] == ["IEA", "Taliban", "Islamic Emirate"]
    assert client.get("/v1/governments?q=islamic%20emirate").json["items"][0]["id"] == "af-islamic-emirate"


def test_patch_unknown_record_is_404(client, seeded, editor):
    assert (
        client.patch("/v1/sources/src_nope", json={"note": "x"}, headers={**editor, "If-Match": '"v1"'}).status_code
        == 404
    )


# --- delete ----------------------------------------------------------------------------


def test_delete_needs_if_match_and_the_current_version(client, seeded, editor):
    source = client.post("/v1/sources", json=NEW_SOURCE, headers=editor)
    path = source.headers["Location"]
    assert client.delete(path, headers=editor).status_code == 428
    assert client.delete(path, headers={**editor, "If-Match": '"v9"'}).status_code == 412
    assert client.delete(path, headers={**editor, "If-Match": source.headers["ETag"]}).status_code == 204
    assert client.get(path).status_code == 404


def test_cited_source_cannot_be_deleted(client, seeded, editor, db):
    before = change_count(db)
    response = client.delete(f"/v1/sources/{CNN}", headers={**editor, "If-Match": '"v1"'})
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    assert "rcg_8c6475f1647032195d51" in response.json["errors"]["dependents"]["recognitions"]
    assert "amb_ef2a62b16b2afcb65991" in response.json["detail"]
    assert change_count(db) == before
    assert db.session.get(Source, CNN) is not None


def test_government_with_records_cannot_be_deleted(client, seeded, editor):
    response = client.delete("/v1/governments/af-islamic-emirate", headers={**editor, "If-Match": '"v1"'})
    assert response.status_code == 409
    assert len(response.json["errors"]["dependents"]["ambassador-exchanges"]) == 7


def test_deleting_a_recognition_keeps_its_sources_and_history(client, seeded, editor, db):
    response = client.delete(RECOGNITION, headers={**editor, "If-Match": '"v1"', "X-Change-Reason": "test"})
    assert response.status_code == 204
    assert db.session.get(Recognition, "rcg_8c6475f1647032195d51") is None
    assert db.session.get(Source, CNN) is not None
    history = client.get(f"{RECOGNITION}/history").json["items"]
    assert [entry["action"] for entry in history] == ["create", "delete"]
    assert history[1]["before"]["country"] == "RU" and history[1]["after"] is None


def test_a_recreated_id_does_not_accept_an_old_etag(client, db, editor):
    created = client.post("/v1/governments", json=NEW_GOVERNMENT, headers=editor)
    old_etag = created.headers["ETag"]
    assert (
        client.delete("/v1/governments/xx-new-authority", headers={**editor, "If-Match": old_etag}).status_code == 204
    )
    again = client.post("/v1/governments", json=NEW_GOVERNMENT, headers=editor)
    assert again.headers["ETag"] != old_etag
    stale = client.patch(
        "/v1/governments/xx-new-authority", json={"name": "Overwritten"}, headers={**editor, "If-Match": old_etag}
    )
    assert stale.status_code == 412
    assert db.session.get(Government, "xx-new-authority").name == "New Authority"


def test_a_patch_that_changes_nothing_writes_nothing(client, seeded, editor, db):
    current = client.get(RECOGNITION)
    before = change_count(db)
    for body in ({}, {"country": "rus"}, {"note": current.json["note"]}):
        response = client.patch(RECOGNITION, json=body, headers={**editor, "If-Match": current.headers["ETag"]})
        assert response.status_code == 200
        assert response.headers["ETag"] == current.headers["ETag"]
        assert response.json == current.json
    assert change_count(db) == before
