"""Status transitions: the rule (domain) and what each write records (store)."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
import re
import threading
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from service.domain.relations import relation_row, today
from service.domain.transitions import Status, Timeline, status_words, transition
from service.store import transitions as store_transitions
from service.store.models import OutboxMessage, StatusTransition
from service.store.registry import AMBASSADOR_EXCHANGES, RECOGNITIONS, SOURCES
from service.store.subscriptions import create_subscription
from service.store.transitions import wire
from service.store.writes import create_record, delete_record, update_record
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


def status(s: dict) -> tuple:
    return s["category"], s["certainty"], s["possible_category"]


def brief(item: dict) -> tuple:
    """(country, from, to, effective day, the corrected day's from and to, or None)."""
    effective = item["effective"]["day"] if item["effective"] else None
    corrected = item["corrected"] and (status(item["corrected"]["from"]), status(item["corrected"]["to"]))
    return item["country"], status(item["from"]), status(item["to"]), effective, corrected


def assert_chained(items: list[dict]) -> None:
    """Each pair's first change starts from `no records`, and each next one from where the one before ended."""
    last: dict[tuple, tuple] = {}
    for item in items:
        pair = (item["government"]["id"], item["country"])
        assert status(item["from"]) == last.get(pair, NO_RECORDS), f"seq {item['seq']} does not chain"
        last[pair] = status(item["to"])


NO_RECORDS = ("none", "no_records", "none")
RECOGNIZED_W = ("recognized", "established", "recognized")
LIMITED_W = ("limited_relations", "established", "limited_relations")
AMBASSADORS_W = ("ambassadors_exchanged", "established", "ambassadors_exchanged")
# The seed walk-through (README, "Alerts"): loading the Taliban case into an empty database.
SEED_WALK_THROUGH = [
    ("RU", NO_RECORDS, RECOGNIZED_W, "2025-07-03", None),
    (
        "RU",
        RECOGNIZED_W,
        RECOGNIZED_W,
        None,
        (("none", "established", "none"), ("none", "uncertain", "limited_relations")),
    ),
    (
        "RU",
        RECOGNIZED_W,
        RECOGNIZED_W,
        None,
        (("none", "uncertain", "limited_relations"), ("none", "uncertain", "ambassadors_exchanged")),
    ),
    ("CN", NO_RECORDS, LIMITED_W, "2025-07-03", None),
    ("CN", LIMITED_W, AMBASSADORS_W, "2025-07-03", None),
    ("AE", NO_RECORDS, LIMITED_W, "2025-07-03", None),
    ("AE", LIMITED_W, AMBASSADORS_W, "2025-07-03", None),
    ("QA", NO_RECORDS, LIMITED_W, "2025-07-03", None),
]


def test_the_seed_records_exactly_these_transitions(seeded):
    """The walk-through of README's alerts section, one entry per seeded record that moved a pair."""
    items = transitions(seeded)
    assert [brief(item) for item in items] == SEED_WALK_THROUGH
    assert_chained(items)
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
    assert items[1]["corrects_another_day"] and items[1]["title"] == (
        "Russian Federation: still recognized; corrected, from an unknown day: "
        "none → possibly limited relations (uncertain)"
    )
    assert [item["change"] for item in items] == sorted(item["change"] for item in items)


def test_the_readme_lists_the_seed_walk_through_the_same_way():
    """README's table (alerts section) is SEED_WALK_THROUGH in the titles' words."""
    words = lambda wire: status_words(Status(*wire))  # noqa: E731
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if re.match(r"\| \d \| [A-Z]{2} \|", line)]
    shown = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    expected = [
        [
            str(number),
            country,
            f"{words(before)} → {words(after)}",
            effective or "unknown day",
            f"{words(corrected[0])} → {words(corrected[1])}" if corrected else "",
        ]
        for number, (country, before, after, effective, corrected) in enumerate(SEED_WALK_THROUGH, start=1)
    ]
    assert [[*row[:3], row[3].split(" (")[0], row[4]] for row in shown] == expected


def test_the_seed_and_its_corrections_chain(seeded):
    """`from` is what the pair was answered with just before the write: the seed, then Russia's
    start moved to 2 July, then the CNN report found to be of 1 July, chain pair by pair."""
    update_record(
        RECOGNITIONS,
        seeded.session.get(RECOGNITIONS.model, RECOGNITION_ID),
        {"start": "2025-07-02"},
        actor="desk",
    )
    update_record(SOURCES, seeded.session.get(SOURCES.model, CNN), {"published": "2025-07-01"}, actor="desk")
    seeded.session.commit()
    assert_chained(transitions(seeded))


def test_a_corrected_start_date_is_a_transition_in_the_past(seeded):
    record = seeded.session.get(RECOGNITIONS.model, RECOGNITION_ID)
    before = len(transitions(seeded))
    update_record(RECOGNITIONS, record, {"start": "2025-07-02"}, actor="desk", reason="ministry gave the day")
    seeded.session.commit()
    items = transitions(seeded)[before:]
    assert [brief(item) for item in items] == [
        (
            "RU",
            RECOGNIZED_W,
            RECOGNIZED_W,
            "2025-07-02",
            (("none", "uncertain", "ambassadors_exchanged"), RECOGNIZED_W),
        ),
    ]
    assert items[0]["corrects_another_day"] and items[0]["reason"] == "ministry gave the day"
    assert items[0]["title"] == (
        "Russian Federation: still recognized; corrected, from 2 July 2025: "
        "possibly ambassadors exchanged (uncertain) → recognized"
    )
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
        AMBASSADORS_W,
        AMBASSADORS_W,
        "2025-07-01",
        (("none", "uncertain", "ambassadors_exchanged"), AMBASSADORS_W),
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
    assert (change.before, change.after, change.effective, change.corrects_another_day) == (
        NONE,
        NONE,
        D(2030, 1, 1),
        True,
    )
    assert change.corrected == (NONE, RECOGNIZED)


STATUSES = [NONE, KNOWN_NONE, UNSETTLED_AMB, UNSETTLED_LTD, RECOGNIZED, AMBASSADORS, LIMITED]


@st.composite
def timelines(draw) -> Timeline:
    days = sorted(draw(st.sets(st.dates(D(2020, 1, 1), D(2027, 12, 31)), max_size=4)))
    statuses = [draw(st.sampled_from(STATUSES)) for _ in range(len(days) + 1)]
    changes, current = [], statuses[0]
    for day, status in zip(days, statuses[1:], strict=True):
        if status != current:
            changes.append((day, status))
            current = status
    return Timeline(statuses[0], tuple(changes))


@settings(max_examples=300, deadline=None)
@given(st.lists(timelines(), min_size=2, max_size=8))
def test_transitions_of_random_writes_chain(lines):
    """Whatever the writes do to a pair's timeline, each change starts where the previous ended,
    and says today's status before and after the write."""
    last = lines[0].status_on(TODAY)
    for old, new in itertools.pairwise(lines):
        change = transition(old, new, TODAY)
        if change is None:
            assert old.status_on(TODAY) == new.status_on(TODAY)
            continue
        assert (change.before, change.after) == (old.status_on(TODAY), new.status_on(TODAY))
        assert change.before == last
        assert change.corrects_another_day == (change.before == change.after) == (change.corrected is not None)
        last = change.after


def test_random_writes_through_the_write_path_chain(db):
    """Random creates, date edits and deletes of one pair's records (a fixed seed, 40 writes):
    the transitions recorded chain, and the last `to` is what the relations answer says today."""
    rng = random.Random(14)
    make.government()
    days = ["2020-01-01", "2021-06", "2022", "2024-03-05", "2026-01-01?", None]
    records: list[tuple] = []
    for _ in range(40):
        action = rng.choice(["create", "edit", "edit", "delete"]) if records else "create"
        if action == "create":
            if rng.random() < 0.5:
                records.append((RECOGNITIONS, make.recognition("FR", rng.choice(days))))
            else:
                direction = rng.choice(["government_to_country", "country_to_government"])
                rank = rng.choice(["ambassador", "political_office"])
                records.append((AMBASSADOR_EXCHANGES, make.exchange("FR", direction, rank, rng.choice(days))))
        else:
            resource, record_id = rng.choice(records)
            record = db.session.get(resource.model, record_id)
            if action == "edit":
                update_record(resource, record, {"start": rng.choice(days), "end": None}, actor="desk")
            else:
                records.remove((resource, record_id))
                delete_record(resource, record, actor="desk")
        db.session.commit()
    items = transitions(db)
    assert len(items) >= 10
    assert_chained(items)
    answer = relation_row_today("xx-test", "FR")
    assert status(items[-1]["to"]) == (answer["category"], answer["certainty"], answer["possible_category"])


def relation_row_today(government: str, country: str) -> dict:
    from service.store.transitions import pair_state

    state = pair_state((government, country))
    return relation_row(country, state.facts, state.sources, state.published, today())


def test_concurrent_writes_about_one_pair_on_postgresql_chain(app, db):
    """Two writers add records to one pair at once, each pausing (bounded, 1 s) right after it
    read the pair's status: without a lock before that read, both read the same "before" and the
    second transition's `from` is wrong. With it, the second reads after the first committed."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: BEGIN IMMEDIATE")
    make.government()
    db.session.commit()
    read_both = threading.Barrier(2, timeout=1)
    original = store_transitions.Watch.add

    def add_then_wait(self, pairs):
        original(self, pairs)
        with contextlib.suppress(threading.BrokenBarrierError):
            read_both.wait()  # a lock held by the other writer keeps us from getting here: then it times out

    def write(index: int) -> None:
        with app.app_context():
            if index == 0:
                make.recognition("FR", "2020-01-01", sources=[SEEDLESS_SOURCE])
            else:
                make.exchange("FR", "government_to_country", "ambassador", "2010-01-01", sources=[SEEDLESS_SOURCE])
            db.session.commit()
            db.session.remove()

    make.source(id=SEEDLESS_SOURCE)
    db.session.commit()
    with mock.patch.object(store_transitions.Watch, "add", add_then_wait):
        threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    db.session.expire_all()
    items = [item for item in transitions(db) if item["country"] == "FR"]
    assert len(items) == 2
    assert_chained(items)
    assert status(items[-1]["to"]) == RECOGNIZED_W


SEEDLESS_SOURCE = "src_concurrent"


def test_the_words_for_categories_and_certainties_are_defined_once():
    """Titles, Atom, pages and the status map read one table (service.domain.vocabulary)."""
    from service.domain import transitions as domain_transitions
    from service.domain import vocabulary
    from service.http import atom
    from service.pictures import statusmap
    from service.views import pages

    assert set(vocabulary.CATEGORY_WORDS) == set(vocabulary.CATEGORIES)
    assert set(vocabulary.CERTAINTY_WORDS) == set(vocabulary.CERTAINTIES)
    assert set(vocabulary.FORCE_STATE_WORDS) == set(vocabulary.FORCE_STATES)
    for module in (domain_transitions, atom, pages):
        assert module.CATEGORY_WORDS is vocabulary.CATEGORY_WORDS, module.__name__
    assert pages.CERTAINTY_WORDS is atom.CERTAINTY_WORDS is vocabulary.CERTAINTY_WORDS
    assert pages.STATE_WORDS is vocabulary.FORCE_STATE_WORDS
    shown = {key.removeprefix("short."): words for key, words in statusmap.ENGLISH_LABELS.items() if "short." in key}
    assert shown == {**vocabulary.CATEGORY_WORDS, "no_records": vocabulary.CERTAINTY_WORDS["no_records"]}
