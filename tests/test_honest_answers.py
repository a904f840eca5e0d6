"""Answers never surer than their sources: certainty, basis, known_since, the SQL form of
the rule, CSV, bad input and the seed's corrections, on both engines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random

import pytest
from sqlalchemy import select

from service.domain.dates import parse_bounds
from service.domain.in_force import Span
from service.domain.vocabulary import FORCE_STATES
from service.store.database import db as _db
from service.store.in_force import force_state, in_force_on
from service.store.models import Change, Source
from service.store.registry import AMBASSADOR_EXCHANGES, RECOGNITIONS, SOURCES
from service.store.seed import SEED_ACTOR, load_seed_file, seed
from service.store.writes import update_record
from tests.support import factories as make
from tests.support.constants import C2G, CNN, G2C, RELATIONS

SEED = RELATIONS


def rows_of(client, as_of, government="af-islamic-emirate"):
    response = client.get(f"/v1/governments/{government}/relations", query_string={"as_of": as_of})
    assert response.status_code == 200, response.json
    return response.json, {row["country"]: row for row in response.json["items"]}


# --- the seed questions -------------------------------------------------------------------


def test_the_day_before_the_report_is_unknown_not_none(client, seeded):
    answer, rows = rows_of(client, "2025-07-02")
    expected = {
        "CN": "ambassadors_exchanged",
        "AE": "ambassadors_exchanged",
        "QA": "limited_relations",
        "RU": "ambassadors_exchanged",
    }
    for country, possible in expected.items():
        row = rows[country]
        assert row["category"] == "none" and row["certainty"] == "uncertain", country
        assert row["possible_category"] == possible, country
        assert row["known_since"] is None
        assert row["basis"] and {entry["state"] for entry in row["basis"]} == {"possibly_in_force"}
        assert row["sources"], f"{country} answers without the sources that make it uncertain"
    assert answer["uncertain"] == 4
    assert answer["first_recognized_by"] is None, "Russia's recognition is dated 3 July: not begun on the 2nd"
    assert all(row["certainty"] != "established" for row in rows.values()), "no established none on 2 July"


def test_the_day_after_the_report_is_established(client, seeded):
    answer, rows = rows_of(client, "2025-07-04")
    assert {code: (row["category"], row["certainty"]) for code, row in rows.items()} == {
        "RU": ("recognized", "established"),
        "CN": ("ambassadors_exchanged", "established"),
        "AE": ("ambassadors_exchanged", "established"),
        "QA": ("limited_relations", "established"),
    }
    assert answer["uncertain"] == 0
    assert {row["known_since"] for row in rows.values()} == {"2025-07-03"}
    assert rows["RU"]["basis"] == [{"id": "rcg_8c6475f1647032195d51", "resource": "recognitions", "state": "in_force"}]
    assert {entry["id"] for entry in rows["CN"]["basis"]} == {"amb_282baa660b1a189c62de", "amb_50c2de51c6f967bfcb21"}
    first = answer["first_recognized_by"]
    assert (first["country"], first["start"], first["certainty"], first["known_since"]) == (
        "RU",
        "2025-07-03",
        "established",
        "2025-07-03",
    )
    assert {source["kind"] for source in first["sources"]} == {"news", "official_statement", "social_post"}


def test_no_records_is_said(client, seeded):
    response = client.get(f"{SEED}/US", query_string={"as_of": "2025-07-04"})
    assert response.status_code == 200
    body = response.json
    assert (body["category"], body["certainty"], body["possible_category"]) == ("none", "no_records", "none")
    assert body["basis"] == [] and body["known_since"] is None and body["sources"] == []


def test_an_ended_relation_is_an_established_none_with_its_basis(client, db):
    make.government()
    ended = make.recognition("FR", "2022-01-01", "2024-06-30", end_reason="withdrawn")
    make.commit()
    _, rows = rows_of(client, "2025-01-01", "xx-test")
    row = rows["FR"]
    assert (row["category"], row["certainty"], row["possible_category"]) == ("none", "established", "none")
    assert row["basis"] == [{"id": ended, "resource": "recognitions", "state": "not_in_force"}]
    assert row["known_since"] == "2024-06-30"
    assert row["sources"], "an established none still cites what establishes it"


def test_a_month_start_is_uncertain_inside_the_month(client, db):
    make.government()
    record = make.recognition("RU", "2025-07")
    make.commit()
    _, rows = rows_of(client, "2025-07-02", "xx-test")
    assert (rows["RU"]["category"], rows["RU"]["certainty"], rows["RU"]["possible_category"]) == (
        "none",
        "uncertain",
        "recognized",
    )
    assert rows["RU"]["basis"] == [{"id": record, "resource": "recognitions", "state": "possibly_in_force"}]
    _, rows = rows_of(client, "2025-08-01", "xx-test")
    assert (rows["RU"]["certainty"], rows["RU"]["known_since"]) == ("established", "2025-07-31")


def test_certainty_is_about_the_category_not_every_record(client, db):
    """A possibly-in-force record that cannot change the category leaves it established."""
    make.government()
    make.recognition("DE", "2010")
    make.exchange("DE", G2C, start="2025-07")
    make.commit()
    _, rows = rows_of(client, "2025-07-02", "xx-test")
    assert (rows["DE"]["category"], rows["DE"]["certainty"]) == ("recognized", "established")
    assert [entry["resource"] for entry in rows["DE"]["basis"]] == ["recognitions"]
    assert rows["DE"]["known_since"] == "2010-12-31"


def test_one_possible_ambassador_can_lift_limited_relations(client, db):
    make.government()
    held = make.exchange("JP", G2C, "ambassador", start="2015")
    maybe = make.exchange("JP", C2G, "ambassador", start="2021")
    make.commit()
    _, rows = rows_of(client, "2021-06-01", "xx-test")
    row = rows["JP"]
    assert (row["category"], row["certainty"], row["possible_category"]) == (
        "limited_relations",
        "uncertain",
        "ambassadors_exchanged",
    )
    assert row["basis"] == [
        {"id": held, "resource": "ambassador-exchanges", "state": "in_force"},
        {"id": maybe, "resource": "ambassador-exchanges", "state": "possibly_in_force"},
    ]


def test_known_since_follows_the_run_of_the_same_status(client, db):
    make.government()
    make.exchange("QA", G2C, "political_office", start="2013-06-18")
    make.exchange("QA", G2C, "ambassador", start="2020-01-01", end="2022-01-01")
    make.exchange("QA", C2G, "ambassador", start="2020-01-01", end="2022-01-01")
    make.commit()
    _, rows = rows_of(client, "2021-01-01", "xx-test")
    assert (rows["QA"]["category"], rows["QA"]["known_since"]) == ("ambassadors_exchanged", "2020-01-01")
    _, rows = rows_of(client, "2023-01-01", "xx-test")
    assert (rows["QA"]["category"], rows["QA"]["known_since"]) == ("limited_relations", "2022-01-01")
    _, rows = rows_of(client, "2019-01-01", "xx-test")
    assert (rows["QA"]["category"], rows["QA"]["known_since"]) == ("limited_relations", "2013-06-18")


def test_first_recognized_by_is_uncertain_when_another_may_have_come_first(client, db):
    make.government()
    make.recognition("BR", "2022-03-01")
    make.recognition("AR", "2022")  # any day of 2022: perhaps before Brazil
    make.commit()
    first = rows_of(client, "2022-06-01", "xx-test")[0]["first_recognized_by"]
    assert (first["country"], first["certainty"]) == ("BR", "uncertain")
    first = rows_of(client, "2023-06-01", "xx-test")[0]["first_recognized_by"]
    assert (first["country"], first["certainty"]) == ("BR", "uncertain"), "Argentina may still have been first"


def test_first_recognized_by_names_a_possible_one_as_uncertain(client, db):
    make.government()
    record = make.recognition("BR", None, sources=[make.source("2024-05-01")])
    make.commit()
    first = rows_of(client, "2020-01-01", "xx-test")[0]["first_recognized_by"]
    assert (first["recognition"], first["start"], first["certainty"], first["known_since"]) == (
        record,
        None,
        "uncertain",
        None,
    )
    first = rows_of(client, "2024-05-02", "xx-test")[0]["first_recognized_by"]
    assert (first["start"], first["certainty"], first["known_since"]) == (None, "established", "2024-05-01")


def test_as_known_at_gives_the_same_certainty(client, seeded):
    live = client.get(SEED, query_string={"as_of": "2025-07-02"}).json
    replayed = client.get(SEED, query_string={"as_of": "2025-07-02", "as_known_at": "2999-01-01T00:00:00Z"}).json
    assert replayed == live


# --- CSV --------------------------------------------------------------------------------


def test_csv_carries_certainty_names_and_source_titles(client, seeded):
    response = client.get(SEED, query_string={"as_of": "2025-07-04", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="relations-af-islamic-emirate-2025-07-04.csv"'
    )
    rows = {row["country"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    russia = rows["RU"]
    assert (russia["as_of"], russia["certainty"], russia["possible_category"], russia["known_since"]) == (
        "2025-07-04",
        "established",
        "recognized",
        "2025-07-03",
    )
    assert (russia["envoy_name_government_to_country"], russia["envoy_name_country_to_government"]) == (
        "Gul Hassan Hassan",
        "Dmitry Zhirnov",
    )
    titles = russia["source_titles"].split(" | ")
    assert "Russia becomes first nation to recognize Taliban government of Afghanistan since 2021 takeover" in titles
    assert len(titles) == len(russia["sources"].split(";")) == len(russia["source_urls"].split(" | "))
    day_before = client.get(SEED, query_string={"as_of": "2025-07-02", "format": "csv"})
    china = next(r for r in csv.DictReader(io.StringIO(day_before.get_data(as_text=True))) if r["country"] == "CN")
    assert (china["category"], china["certainty"], china["possible_category"]) == (
        "none",
        "uncertain",
        "ambassadors_exchanged",
    )
    assert china["source_titles"]


# --- the collections use the same rule ---------------------------------------------------------


def test_force_filter_lists_possibly_in_force_records(client, seeded):
    query = {"as_of": "2025-07-02", "government": "af-islamic-emirate"}
    in_force = client.get("/v1/ambassador-exchanges", query_string=query).json["items"]
    possible = client.get("/v1/ambassador-exchanges", query_string={**query, "force": "possibly_in_force"})
    assert in_force == []
    assert possible.status_code == 200 and len(possible.json["items"]) == 7
    rejected = client.get("/v1/recognitions", query_string={"force": "possibly_in_force"})
    assert rejected.status_code == 422 and "force" in rejected.json["errors"]
    assert "as_of" in rejected.json["errors"]["force"][0]


def random_edtf(rng: random.Random) -> str:
    year = rng.randint(2000, 2010)
    text = rng.choice(
        [
            f"{year}",
            f"{year}-{rng.randint(1, 12):02d}",
            (dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))).isoformat(),
        ]
    )
    return text + rng.choice(["", "", "?", "~"])


def test_sql_and_python_forms_agree_on_random_data(app, db):
    rng = random.Random(20250703)
    make.government()
    published = [None] + [random_edtf(rng).rstrip("?~") for _ in range(5)]
    sources = [make.source(value) for value in published]
    for _ in range(120):
        start = rng.choice([None, random_edtf(rng)])
        end = rng.choice([None, None, random_edtf(rng)])
        if start and end and parse_bounds(end).latest < parse_bounds(start).earliest:
            end = None
        cited = rng.sample(sources, rng.randint(1, 3))
        if rng.random() < 0.5:
            make.recognition(rng.choice(["RU", "CN"]), start, end, sources=cited)
        else:
            make.exchange("QA", rng.choice([G2C, C2G]), start=start, end=end, sources=cited)
    make.commit()
    days = [dt.date(1999, 12, 31)] + [dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 4400)) for _ in range(40)]
    source_day = {s.id: s.published_latest for s in _db.session.scalars(select(Source))}
    seen = set()
    for resource in (RECOGNITIONS, AMBASSADOR_EXCHANGES):
        model = resource.model
        records = _db.session.scalars(select(model)).all()
        for day in days:
            in_sql = dict(_db.session.execute(select(model.id, force_state(resource, day))).all())
            plain_in = set(_db.session.scalars(select(model.id).where(in_force_on(resource, day))))
            for record in records:
                reported = min((source_day[s.id] for s in record.sources if source_day[s.id]), default=None)
                python_state = Span(
                    record.start_earliest,
                    record.start_latest,
                    record.end_earliest,
                    record.end_latest,
                    None if record.start_latest else reported,
                ).state_on(day)
                assert in_sql[record.id] == python_state, (record.start, record.end, reported, day)
                assert (record.id in plain_in) == (python_state == "in_force")
                seen.add(python_state)
    assert seen == set(FORCE_STATES), "the random data reached every state"


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["0000-12-31", "10000-01-01", "2025-02-30", "soon", "2025-07"])
def test_a_bad_as_of_names_the_form(client, seeded, as_of):
    before = _db.session.scalar(select(Change.seq).order_by(Change.seq.desc()).limit(1))
    for path in (SEED, f"{SEED}/RU", "/v1/recognitions"):
        response = client.get(path, query_string={"as_of": as_of})
        assert response.status_code == 422, (path, as_of)
        assert response.headers["Content-Type"] == "application/problem+json"
        assert "YYYY-MM-DD" in response.json["errors"]["as_of"][0]
    assert _db.session.scalar(select(Change.seq).order_by(Change.seq.desc()).limit(1)) == before


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        ("2025", "2025-03", 201),  # could have started in January: allowed
        ("2025-03", "2025", 201),
        ("2025-06", "2025-03", 422),  # surely after its end
        ("2026", "2025-03", 422),
        ("2025-04-01", "2025-03", 422),
        ("2025?", "2023-06", 422),  # widened to 2024..2026: still surely after June 2023
        ("2025?", "2024-06", 201),
    ],
)
def test_a_start_surely_after_the_end_is_refused(client, seeded, editor, start, end, status):
    body = {
        "government": "af-islamic-emirate",
        "country": "FR",
        "form": "de_jure",
        "start": start,
        "end": end,
        "sources": [CNN],
    }
    count = _db.session.scalar(select(Change.seq).order_by(Change.seq.desc()).limit(1))
    response = client.post("/v1/recognitions", json=body, headers=editor)
    assert response.status_code == status, response.json
    if status == 422:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert _db.session.scalar(select(Change.seq).order_by(Change.seq.desc()).limit(1)) == count


# --- the seed in its sources' own words ---------------------------------------------------------


def test_seed_titles_are_the_sources_own_or_bracketed(seeded):
    titles = {source.id: source.title for source in seeded.session.scalars(select(Source))}
    assert titles[CNN] == (
        "Russia becomes first nation to recognize Taliban government of Afghanistan since 2021 takeover"
    )
    for source_id in ("src_c53a87cd60d5702cb419", "src_e77f5dfedf5b6b4805ca"):
        assert titles[source_id].startswith("[") and titles[source_id].endswith("]"), "a devised title"
    assert all(source.url is None for source in seeded.session.scalars(select(Source))), "no URL is invented"


def test_seeding_an_older_seed_corrects_it_through_the_change_feed(db, tmp_path):
    old = load_seed_file()
    for source in old["sources"]:
        source["title"] = f"Old description of {source['id']}"
    old_file = tmp_path / "old-seed.json"
    old_file.write_text(json.dumps(old), encoding="utf-8")
    seed(old_file)
    edited = db.session.get(Source, "src_e77f5dfedf5b6b4805ca")
    update_record(SOURCES, edited, {"note": "checked by the desk"}, actor="desk-editor")
    db.session.commit()
    report = seed()
    assert sorted(report.corrected) == [CNN, "src_c53a87cd60d5702cb419"]
    assert report.kept == ["src_e77f5dfedf5b6b4805ca"], "an editor's record is left alone"
    corrections = db.session.scalars(select(Change).where(Change.action == "update", Change.actor == SEED_ACTOR)).all()
    assert {change.record_id for change in corrections} == set(report.corrected)
    for change in corrections:
        assert change.before["title"].startswith("Old description")
        assert change.after["title"] != change.before["title"]
    assert seed().writes == 0, "a second run finds nothing to correct"


def test_a_recognition_that_ended_before_its_first_report_had_begun_by_its_end(client, db):
    make.government()
    make.recognition("FR", None, "2020", sources=[make.source("2025-07-31")])
    make.commit()
    answer, rows = rows_of(client, "2025-08-01", "xx-test")
    assert (rows["FR"]["category"], rows["FR"]["certainty"]) == ("none", "established")
    first = answer["first_recognized_by"]
    assert (first["country"], first["certainty"], first["known_since"]) == ("FR", "established", "2020-12-31")
