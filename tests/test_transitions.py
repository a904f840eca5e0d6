"""Status transitions: the rule (domain) and what each write records (store)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from service.domain.transitions import Status, Timeline, transition
from service.store.models import OutboxMessage, StatusTransition
from service.store.registry import RECOGNITIONS, SOURCES
from service.store.subscriptions import create_subscription
from service.store.transitions import wire
from service.store.writes import create_record, update_record
from tests.support import factories as make
from tests.support.constants import CNN, GOVERNMENT, RECOGNITION_ID

D = dt.date
NONE = Status("none", "no_records", "none")
UNSETTLED_AMB = Status("none", "uncertain", "ambassadors_exchanged")
UNSETTLED_LTD = Status("none", "uncertain", "limited_relations")
KNOWN_NONE = Status("none", "established", "none")
RECOGNIZED = Status("recognized", "established", "recognized")
AMBASSADORS = Status("ambassadors_exchanged", "established", "ambassadors_exchanged")
LIMITED = Status("limited_relations", "established", "limited_relations")
TODAY = D(2026, 1, 1)


def transitions(db) -> list[dict]:
    return [wire(row) for row in db.session.scalars(select(StatusTransition).order_by(StatusTransition.seq))]


def brief(item: dict) -> tuple:
    status = lambda s: (s["category"], s["certainty"], s["possible_category"])  # noqa: E731
    effective = item["effective"]["day"] if item["effective"] else None
    return item["country"], status(item["from"]), status(item["to"]), effective


def test_the_seed_records_exactly_these_transitions(seeded):
    """The walk-through of README's alerts section, one entry per seeded record that moved a pair."""
    shown = [brief(item) for item in transitions(seeded)]
    recognized = ("recognized", "established", "recognized")
    assert shown == [
        ("RU", ("none", "no_records", "none"), recognized, "2025-07-03"),
        ("RU", ("none", "established", "none"), ("none", "uncertain", "limited_relations"), None),
        ("RU", ("none", "uncertain", "limited_relations"), ("none", "uncertain", "ambassadors_exchanged"), None),
        (
            "CN",
            ("none", "no_records", "none"),
            ("limited_relations", "established", "limited_relations"),
            "2025-07-03",
        ),
        (
            "CN",
            ("limited_relations", "established", "limited_relations"),
            ("ambassadors_exchanged", "established", "ambassadors_exchanged"),
            "2025-07-03",
        ),
        ("AE", ("none", "no_records", "none"), ("limited_relations", "established", "limited_relations"), "2025-07-03"),
        (
            "AE",
            ("limited_relations", "established", "limited_relations"),
            ("ambassadors_exchanged", "established", "ambassadors_exchanged"),
            "2025-07-03",
        ),
        ("QA", ("none", "no_records", "none"), ("limited_relations", "established", "limited_relations"), "2025-07-03"),
    ]
    items = transitions(seeded)
    russia = items[0]
    assert russia["title"] == "Russian Federation: no records → recognized, from 3 July 2025"
    assert russia["effective"] == {
        "day": "2025-07-03",
        "edtf": "2025-07-03",
        "dated_by": {"resource": "recognitions", "id": RECOGNITION_ID, "field": "start"},
    }
    assert russia["actor"] == "seed" and russia["reason"] == "seed case" and not russia["corrects_another_day"]
    assert [b["id"] for b in russia["basis"]] == [RECOGNITION_ID]
    assert {s["id"] for s in russia["sources"]} >= {CNN}
    china = items[3]
    assert china["effective"]["dated_by"] == {"resource": "sources", "id": CNN, "field": "published"}
    assert china["title"] == (
        "China: no records → limited relations, known from 3 July 2025, when first reported (its start is not given)"
    ), "a first report's day is never presented as the day relations began"
    assert items[1]["title"].endswith("possibly limited relations (uncertain), from an unknown day")
    assert [item["change"] for item in items] == sorted(item["change"] for item in items)


def test_a_corrected_start_date_is_a_transition_in_the_past(seeded):
    record = seeded.session.get(RECOGNITIONS.model, RECOGNITION_ID)
    before = len(transitions(seeded))
    update_record(RECOGNITIONS, record, {"start": "2025-07-02"}, actor="desk", reason="ministry gave the day")
    seeded.session.commit()
    items = transitions(seeded)[before:]
    assert [brief(item) for item in items] == [
        (
            "RU",
            ("none", "uncertain", "ambassadors_exchanged"),
            ("recognized", "established", "recognized"),
            "2025-07-02",
        ),
    ]
    assert items[0]["corrects_another_day"] and items[0]["reason"] == "ministry gave the day"
    assert items[0]["basis"] == [{"id": RECOGNITION_ID, "resource": "recognitions", "state": "in_force"}]


def test_a_vaguer_date_gives_its_day_and_its_precision(db):
    make.government()
    make.recognition("FR", "2020-07", sources=[make.source("2021-01-01")])
    db.session.commit()
    (item,) = transitions(db)
    assert item["effective"]["day"] == "2020-07-31" and item["effective"]["edtf"] == "2020-07"
    assert item["title"] == "France: no records → recognized, from 31 July 2020 (the date given is 2020-07)"


def test_a_write_that_changes_no_status_records_nothing(seeded):
    before = len(transitions(seeded))
    record = seeded.session.get(RECOGNITIONS.model, RECOGNITION_ID)
    update_record(RECOGNITIONS, record, {"note": "checked again"}, actor="desk")
    seeded.session.commit()
    assert len(transitions(seeded)) == before


def test_a_rolled_back_write_leaves_no_transition_and_no_outbox_message(seeded):
    create_subscription({"url": "https://93.184.215.14/hook"}, "desk")
    seeded.session.commit()
    counts = lambda: (  # noqa: E731
        seeded.session.scalar(select(func.count()).select_from(StatusTransition)),
        seeded.session.scalar(select(func.count()).select_from(OutboxMessage)),
    )
    before = counts()
    create_record(
        RECOGNITIONS,
        {"government": GOVERNMENT, "country": "CN", "form": "de_jure", "start": "2026-01-01", "sources": [CNN]},
        actor="desk",
    )
    assert counts()[0] == before[0] + 1 and counts()[1] == before[1] + 1, "written in the write's transaction"
    seeded.session.rollback()
    assert counts() == before


def test_a_source_date_reaches_every_pair_whose_records_it_dates(seeded):
    source = seeded.session.get(SOURCES.model, CNN)
    before = len(transitions(seeded))
    update_record(SOURCES, source, {"published": "2025-07-01"}, actor="desk", reason="earlier edition found")
    seeded.session.commit()
    items = transitions(seeded)[before:]
    assert sorted(item["country"] for item in items) == ["AE", "CN", "QA", "RU"]
    assert all(item["corrects_another_day"] for item in items)
    assert {item["effective"]["day"] for item in items} == {"2025-07-01"}
    china = next(item for item in items if item["country"] == "CN")
    assert brief(china) == (
        "CN",
        ("none", "uncertain", "ambassadors_exchanged"),
        ("ambassadors_exchanged", "established", "ambassadors_exchanged"),
        "2025-07-01",
    )
    assert china["effective"]["edtf"] == "2025-07-01" and china["effective"]["dated_by"]["id"] == CNN


def test_moving_a_record_to_another_country_changes_both_pairs(db):
    make.government()
    record_id = make.recognition("FR", "2020-01-01")
    db.session.commit()
    record = db.session.get(RECOGNITIONS.model, record_id)
    update_record(RECOGNITIONS, record, {"country": "DE"}, actor="desk")
    db.session.commit()
    moved = transitions(db)[1:]
    assert sorted((item["country"], item["to"]["certainty"]) for item in moved) == [
        ("DE", "established"),
        ("FR", "no_records"),
    ]


# --- the rule alone -------------------------------------------------------------------------


def test_equal_timelines_change_nothing():
    line = Timeline(KNOWN_NONE, ((D(2025, 7, 3), RECOGNIZED),))
    assert transition(line, Timeline(KNOWN_NONE, ((D(2025, 7, 3), RECOGNIZED),)), TODAY) is None


def test_today_changed_effective_is_where_the_new_run_began():
    old = Timeline(UNSETTLED_LTD, ((D(2025, 7, 3), LIMITED),))
    new = Timeline(UNSETTLED_AMB, ((D(2025, 7, 3), AMBASSADORS),))
    change = transition(old, new, TODAY)
    assert (change.before, change.after, change.effective, change.corrects_another_day) == (
        LIMITED,
        AMBASSADORS,
        D(2025, 7, 3),
        False,
    )


def test_today_changed_effective_skips_days_the_old_status_already_agreed():
    """Old: recognized from 2020 until it ended in 2024; new: the end was wrong. The news is
    that it holds again from 2024, not since 2020 (which was already said)."""
    old = Timeline(KNOWN_NONE, ((D(2020, 1, 1), RECOGNIZED), (D(2024, 1, 1), KNOWN_NONE)))
    new = Timeline(KNOWN_NONE, ((D(2020, 1, 1), RECOGNIZED),))
    change = transition(old, new, TODAY)
    assert (change.before, change.after, change.effective) == (KNOWN_NONE, RECOGNIZED, D(2024, 1, 1))


def test_a_change_from_an_unknown_day():
    change = transition(Timeline(KNOWN_NONE), Timeline(UNSETTLED_LTD, ((D(2025, 7, 3), LIMITED),)), D(2025, 7, 1))
    assert (change.before, change.after, change.effective) == (KNOWN_NONE, UNSETTLED_LTD, None)


def test_a_future_day_is_a_correction_with_a_future_effective_day():
    change = transition(Timeline(NONE), Timeline(NONE, ((D(2030, 1, 1), RECOGNIZED),)), TODAY)
    assert (change.after, change.effective, change.corrects_another_day) == (RECOGNIZED, D(2030, 1, 1), True)
