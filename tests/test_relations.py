"""GET /v1/governments/{id}/relations: the derived status, as of a day."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import event

from service.store.database import db as _db
from service.views.relations import relations_etag
from tests.support import factories as make
from tests.support.constants import C2G, G2C, RELATIONS


def relations(client, as_of, government="xx-test"):
    response = client.get(f"/v1/governments/{government}/relations", query_string={"as_of": as_of})
    assert response.status_code == 200, response.json
    return response.json


def category_of(client, country, as_of, government="xx-test"):
    response = client.get(f"/v1/governments/{government}/relations/{country}", query_string={"as_of": as_of})
    assert response.status_code == 200, response.json
    return response.json["category"]


# --- the seed case (seed-facts.md) ---------------------------------------------------


def test_seed_facts_as_of_2025_07_04(client, seeded):
    answer = relations(client, "2025-07-04", "af-islamic-emirate")
    categories = {row["country"]: row["category"] for row in answer["items"]}
    assert categories == {
        "RU": "recognized",
        "CN": "ambassadors_exchanged",
        "AE": "ambassadors_exchanged",
        "QA": "limited_relations",
    }
    assert answer["counts"] == {"recognized": 1, "ambassadors_exchanged": 2, "limited_relations": 1, "none": 0}
    first = answer["first_recognized_by"]
    assert (first["country"], first["start"]) == ("RU", "2025-07-03")
    assert {source["kind"] for source in first["sources"]} == {"news", "official_statement", "social_post"}
    for row in answer["items"]:
        assert row["sources"], f"{row['country']} answers without sources"
    russia = next(row for row in answer["items"] if row["country"] == "RU")
    assert russia["recognition"]["form"] == "de_jure"
    assert russia["envoys"] == {G2C: "ambassador", C2G: "ambassador"}
    qatar = next(row for row in answer["items"] if row["country"] == "QA")
    assert qatar["envoys"] == {G2C: "political_office", C2G: None}


def test_seed_united_states_is_none_not_404(client, seeded):
    response = client.get(f"{RELATIONS}/US", query_string={"as_of": "2025-07-04"})
    assert response.status_code == 200
    assert response.json["category"] == "none"
    assert response.json["recognition"] is None
    assert response.json["sources"] == []


def test_seed_russia_not_recognized_on_2025_07_02(client, seeded):
    answer = relations(client, "2025-07-02", "af-islamic-emirate")
    russia = next(row for row in answer["items"] if row["country"] == "RU")
    assert russia["category"] != "recognized"
    assert answer["first_recognized_by"] is None
    assert category_of(client, "rus", "2025-07-02", "af-islamic-emirate") != "recognized"


@pytest.mark.parametrize("code", ["RU", "ru", "RUS", "rus"])
def test_one_country_accepts_alpha2_and_alpha3(client, seeded, code):
    response = client.get(f"{RELATIONS}/{code}", query_string={"as_of": "2025-07-04"})
    assert response.json["country"] == "RU"
    assert response.json["category"] == "recognized"
    assert response.json["government"]["id"] == "af-islamic-emirate"


def test_unknown_country_or_government_is_404(client, seeded):
    assert client.get(f"{RELATIONS}/XX").status_code == 404
    assert client.get("/v1/governments/nobody/relations").status_code == 404
    assert client.get("/v1/governments/nobody/relations/RU").status_code == 404


@pytest.mark.parametrize("as_of", ["2025-13-01", "yesterday", "2025-07", "20250704"])
def test_as_of_must_be_a_full_date(client, seeded, as_of):
    response = client.get(RELATIONS, query_string={"as_of": as_of})
    assert response.status_code == 422
    assert "as_of" in response.json["errors"]


def test_as_of_defaults_to_today(client, seeded):
    answer = client.get(RELATIONS).json
    assert answer["as_of"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert answer["counts"]["recognized"] == 1


# --- the in-force rule, table-driven -------------------------------------------------

RECOGNITION_CASES = [
    # (start, end, as_of, recognized?)
    ("2024-03-10", None, "2024-03-09", False),
    ("2024-03-10", None, "2024-03-10", True),
    ("2024-03", None, "2024-03-15", False),  # a month counts from its last day
    ("2024-03", None, "2024-03-31", True),
    ("2021", None, "2021-12-30", False),  # a year from its last day
    ("2021", None, "2021-12-31", True),
    ("2024?", None, "2025-06-01", False),  # uncertain: widened to 2023..2025
    ("2024?", None, "2026-01-01", True),
    ("2023~", None, "2024-12-30", False),  # approximate: widened to 2022..2024
    ("2023~", None, "2024-12-31", True),
    ("2020", "2023-05-10", "2023-05-09", True),
    ("2020", "2023-05-10", "2023-05-10", False),  # not in force on its end day
    ("2020", "2023", "2022-12-31", True),  # ends sometime in 2023: certainly after 2022-12-31
    ("2020", "2023", "2023-01-01", False),  # may have ended: the service does not claim it
    ("2020", "2023?", "2021-12-31", True),
    ("2020", "2023?", "2022-01-01", False),
    ("2030-01-01", None, "2026-11-27", False),  # future start
    ("2030-01-01", None, "2030-01-01", True),
]


@pytest.mark.parametrize(("start", "end", "as_of", "recognized"), RECOGNITION_CASES)
def test_recognition_in_force(client, db, start, end, as_of, recognized):
    make.government()
    make.recognition("RU", start, end)
    make.commit()
    assert category_of(client, "RU", as_of) == ("recognized" if recognized else "none")
    in_filter = client.get("/v1/recognitions", query_string={"as_of": as_of, "government": "xx-test"}).json["items"]
    assert bool(in_filter) == recognized, "the as_of filter and the relations answer agree"


@pytest.mark.parametrize(
    ("published", "as_of", "in_force"),
    [
        ("2025-07-03", "2025-07-02", False),
        ("2025-07-03", "2025-07-03", True),
        ("2025-07", "2025-07-30", False),
        ("2025-07", "2025-07-31", True),
        (None, "2099-01-01", False),
    ],
)
def test_null_start_counts_from_the_earliest_source(client, db, published, as_of, in_force):
    make.government()
    make.recognition("RU", None, sources=[make.source(published), make.source(None)])
    make.commit()
    assert category_of(client, "RU", as_of) == ("recognized" if in_force else "none")


def test_null_start_uses_the_earliest_of_several_sources(client, db):
    make.government()
    make.recognition("RU", None, sources=[make.source("2025-09-01"), make.source("2025-07-03")])
    make.commit()
    assert category_of(client, "RU", "2025-07-03") == "recognized"


def test_ended_or_withdrawn_recognition(client, db):
    make.government()
    make.recognition("FR", "2022-01-01", "2024-06-30", end_reason="withdrawn")
    make.commit()
    assert category_of(client, "FR", "2023-01-01") == "recognized"
    answer = relations(client, "2025-01-01")
    assert answer["items"][0]["category"] == "none"
    assert answer["counts"]["none"] == 1
    assert answer["first_recognized_by"]["country"] == "FR", "an ended recognition still counts as first"


def test_several_records_for_one_pair(client, db):
    make.government()
    make.recognition("DE", "2000", "2010-12-31", form="de_facto")
    make.recognition("DE", "2020-05-01", None)
    make.commit()
    assert category_of(client, "DE", "2005-06-01") == "recognized"
    assert category_of(client, "DE", "2015-01-01") == "none"
    answer = relations(client, "2021-01-01")
    assert answer["items"][0]["recognition"]["start"] == "2020-05-01"
    assert answer["first_recognized_by"]["start"] == "2000"
    assert len(answer["items"]) == 1, "one row per country however many records"


def test_de_jure_wins_over_de_facto_when_both_are_in_force(client, db):
    make.government()
    make.recognition("DE", "2019", form="de_facto")
    make.recognition("DE", "2020", form="de_jure")
    make.commit()
    assert relations(client, "2021-06-01")["items"][0]["recognition"]["form"] == "de_jure"


def test_as_of_before_the_government_existed(client, db):
    make.government(start="2021")
    make.recognition("RU", "2025-07-03")
    make.exchange("CN", G2C, start=None, sources=[make.source("2024-01-01")])
    make.commit()
    answer = relations(client, "2019-01-01")
    assert [row["category"] for row in answer["items"]] == ["none", "none"]
    assert answer["first_recognized_by"] is None


def test_first_recognized_by_is_the_earliest_begun(client, db):
    make.government()
    make.recognition("BR", "2022-03-01")
    make.recognition("AR", "2021-08-01")
    make.recognition("CL", "2030-01-01")
    make.commit()
    first = relations(client, "2025-01-01")["first_recognized_by"]
    assert (first["country"], first["start"]) == ("AR", "2021-08-01")
    assert first["sources"] and first["sources"][0]["id"].startswith("src_")


@pytest.mark.parametrize(
    ("ranks", "category"),
    [
        ({G2C: "ambassador", C2G: "ambassador"}, "ambassadors_exchanged"),
        ({G2C: "ambassador"}, "limited_relations"),
        ({C2G: "ambassador"}, "limited_relations"),
        ({G2C: "ambassador", C2G: "charge_d_affaires"}, "limited_relations"),
        ({G2C: "political_office"}, "limited_relations"),
        ({G2C: "other"}, "limited_relations"),
    ],
)
def test_exchange_categories(client, db, ranks, category):
    make.government()
    for direction, rank in ranks.items():
        make.exchange("QA", direction, rank)
    make.commit()
    row = relations(client, "2025-01-01")["items"][0]
    assert row["category"] == category
    assert row["envoys"] == {G2C: ranks.get(G2C), C2G: ranks.get(C2G)}


def test_recognition_wins_over_exchanges(client, db):
    make.government()
    make.exchange("RU", G2C)
    make.exchange("RU", C2G)
    make.recognition("RU", "2010")
    make.commit()
    assert category_of(client, "RU", "2011-01-01") == "recognized"
    assert category_of(client, "RU", "2009-01-01") == "ambassadors_exchanged"


def test_highest_rank_in_force_is_reported(client, db):
    make.government()
    make.exchange("JP", G2C, "charge_d_affaires", start="2015")
    make.exchange("JP", G2C, "ambassador", start="2020")
    make.exchange("JP", C2G, "ambassador", start="2015", end="2019")
    make.commit()
    row = relations(client, "2021-01-01")["items"][0]
    assert row["envoys"] == {G2C: "ambassador", C2G: None}
    assert row["category"] == "limited_relations"
    assert len(row["exchanges"]) == 2


# --- cost --------------------------------------------------------------------------


def count_queries(app, action) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_relations_cost_a_fixed_number_of_queries(app, client, db):
    make.government()
    for code in ("RU", "CN", "AE"):
        make.recognition(code, "2020")
        make.exchange(code, G2C)
    make.commit()
    small = count_queries(app, lambda: relations(client, "2025-01-01"))
    for code in ("FR", "DE", "IT", "ES", "PT", "NL", "BE", "PL", "SE", "NO", "FI", "DK", "IE", "AT", "CH"):
        make.recognition(code, "2020")
        make.exchange(code, G2C, sources=[make.source(), make.source()])
        make.exchange(code, C2G)
    make.commit()
    large = count_queries(app, lambda: relations(client, "2025-01-01"))
    assert len(relations(client, "2025-01-01")["items"]) == 18
    assert large == small, f"{small} queries for 3 countries but {large} for 18"


def test_relations_validator_moves_with_the_data_and_the_answer_is_never_stale(client, seeded, editor):
    path = f"{RELATIONS}?as_of=2025-07-04"
    first = client.get(path)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    recognition = "/v1/recognitions/rcg_8c6475f1647032195d51"
    etag = client.get(recognition).headers["ETag"]
    assert (
        client.patch(recognition, json={"start": "2025-07-05"}, headers={**editor, "If-Match": etag}).status_code == 200
    )
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200, "a write anywhere moves the validator"
    assert again.headers["ETag"] != first.headers["ETag"]
    assert {row["country"]: row["category"] for row in again.json["items"]}["RU"] == "ambassadors_exchanged"


def test_default_as_of_is_part_of_the_validator(client, seeded):
    explicit = client.get(RELATIONS, query_string={"as_of": "2025-07-04"}).headers["ETag"]
    implicit = client.get(RELATIONS).headers["ETag"]
    assert explicit != implicit, "today's answer and 2025-07-04's never share a validator"


# --- answering a known request before parsing it ---------------------------------------


@pytest.fixture
def views_called(app):
    """Counts calls that reach the relations views (past the before_request answer)."""
    calls = []
    originals = {name: app.view_functions[name] for name in ("relations.get_relations", "relations.get_relation")}

    def counting(name):
        def view(*args, **kwargs):
            calls.append(name)
            return originals[name](*args, **kwargs)

        return view

    for name in originals:
        app.view_functions[name] = counting(name)
    yield calls
    app.view_functions.update(originals)


@pytest.mark.parametrize(
    "path",
    [
        f"{RELATIONS}?as_of=2025-07-04",
        f"{RELATIONS}?as_of=2025-07-04&format=csv",
        f"{RELATIONS}/RU?as_of=2025-07-04",
        RELATIONS,
    ],
)
def test_a_repeated_request_is_answered_before_the_view(client, seeded, views_called, path):
    first = client.get(path)
    assert first.status_code == 200 and views_called == [views_called[0]]
    again = client.get(path)
    assert (again.status_code, again.data, again.headers["ETag"]) == (200, first.data, first.headers["ETag"])
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers.get("Content-Disposition") == first.headers.get("Content-Disposition")
    revalidated = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == first.headers["ETag"]
    assert len(views_called) == 1, "the repeats never reached the view"


def test_a_write_sends_the_next_request_to_the_view(client, seeded, editor, views_called):
    path = f"{RELATIONS}?as_of=2025-07-04"
    first = client.get(path)
    recognition = "/v1/recognitions/rcg_8c6475f1647032195d51"
    etag = client.get(recognition).headers["ETag"]
    assert client.patch(recognition, json={"note": "edited"}, headers={**editor, "If-Match": etag}).status_code == 200
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert len(views_called) == 2


def test_a_request_never_validated_is_never_answered_early(app, client, seeded, views_called):
    """A validator for a request that would fail parsing, computed by anyone who knows
    the data version, still gets the parser's 422, not a 304."""

    path = f"{RELATIONS}?as_of=not-a-day"
    with app.test_request_context(path):
        forged = relations_etag("relations")
    response = client.get(path, headers={"If-None-Match": forged})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"


def test_builds_take_turns_on_sqlite_and_answer_as_a_lone_request_does(app, seeded, monkeypatch):
    """sqlite3 lets go of the GIL at every row, so concurrent builds in one worker would
    hand it back and forth row by row: on SQLite they take turns (PostgreSQL's do not),
    and each answer is the very one the same request gets alone."""
    from service.hotpath import Answers
    from service.views import relations as view

    days = ["2025-07-02", "2025-07-03", "2025-07-04", "2025-07-05"]
    running, most, count_lock = [0], [0], threading.Lock()
    classify = view.classify

    def slow_classify(*args, **kwargs):
        with count_lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.2)  # long enough for the other threads' builds to overlap, if they may
            return classify(*args, **kwargs)
        finally:
            with count_lock:
                running[0] -= 1

    monkeypatch.setattr(view, "classify", slow_classify)
    barrier = threading.Barrier(len(days))
    together: dict[str, bytes] = {}

    def ask(day: str) -> None:
        with app.test_client() as own_client:
            barrier.wait()
            response = own_client.get(f"{RELATIONS}?as_of={day}")
            assert response.status_code == 200
            together[day] = response.data

    threads = [threading.Thread(target=ask, args=(day,)) for day in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(together) == days
    if _db.engine.dialect.name == "sqlite":
        assert most[0] == 1, "builds ran side by side"
    else:
        assert most[0] > 1, "PostgreSQL builds need no turns"

    app.wsgi_app.answers = Answers(app.wsgi_app.answers.max_bytes)  # built again, not replayed
    with app.test_client() as alone:
        assert {day: alone.get(f"{RELATIONS}?as_of={day}").data for day in days} == together
