"""Precise input rules (issue 12, item 5): repeated single-valued parameters and header
values that are not UTF-8 are refused, saying which; UTF-8 header text is kept whole.
If-Match's rules are in tests/test_editing.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.store.models import Change
from tests.support.constants import PROBLEM
from tests.test_editing import NEW_SOURCE


def change_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Change))


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/recognitions?country=AF&country=RU", "country"),
        ("/v1/governments?country=AF&country=RU", "country"),
        ("/v1/changes?limit=1&limit=2", "limit"),
        ("/v1/recognitions?country=AF&limit=5&limit=5", "limit"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_422_naming_it(client, seeded, path, name):
    response = client.get(path)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.json["errors"] == {name: ["given more than once; send it once"]}


def test_a_single_valued_parameter_given_once_still_works(client, seeded):
    assert client.get("/v1/recognitions?country=AF").status_code == 200


def test_a_page_shows_a_repeated_parameter_as_an_error(client, seeded):
    response = client.get("/?q=taliban&q=kabul")
    assert response.status_code == 422
    assert "given more than once" in response.get_data(as_text=True)


@pytest.mark.parametrize("raw", [b"bad \xff\xfe", b"caf\xe9", b"\xc3"])
def test_a_header_value_that_is_not_utf8_is_400_and_changes_nothing(client, seeded, editor, db, raw):
    before = change_count(db)
    # WSGI hands a header's bytes on as ISO-8859-1 text: this is what a server passes for ``raw``.
    headers = {**editor, "X-Change-Reason": raw.decode("latin-1")}
    response = client.post("/v1/sources", json=NEW_SOURCE, headers=headers)
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    assert response.json["errors"] == {"X-Change-Reason": ["not UTF-8"]}
    assert change_count(db) == before


def test_any_header_is_checked_not_only_the_reason(client, seeded):
    assert client.get("/v1/recognitions").status_code == 200  # remembered by the hot path
    for _ in range(2):
        response = client.get("/v1/recognitions", headers={"X-Anything": b"\xff".decode("latin-1")})
        assert response.status_code == 400
        assert "X-Anything" in response.json["detail"]


def test_a_utf8_reason_is_stored_as_its_characters(client, seeded, editor, db):
    reason = "vérifié à Kaboul"
    headers = {**editor, "X-Change-Reason": reason.encode("utf-8").decode("latin-1")}
    assert client.post("/v1/sources", json=NEW_SOURCE, headers=headers).status_code == 201
    last = db.session.scalars(select(Change).order_by(Change.seq.desc())).first()
    assert last.reason == reason
