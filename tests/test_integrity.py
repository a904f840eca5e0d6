"""Integrity lives in the database: it refuses bad rows even when code skips validation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DataError, IntegrityError

from service.store.models import AmbassadorExchange, Government, Recognition, RecognitionSource, Source

# PostgreSQL refuses an over-long value as a DataError, SQLite by the CHECK.
REFUSED = (IntegrityError, DataError)

GOOD_GOVERNMENT = {
    "id": "xx-test",
    "name": "Test authority",
    "country": "AF",
    "version": 1,
    "created_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    "updated_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
}
GOOD_RECOGNITION = {
    "id": "rcg_test",
    "government_id": "xx-test",
    "country": "RU",
    "form": "de_jure",
    "version": 1,
    "created_at": GOOD_GOVERNMENT["created_at"],
    "updated_at": GOOD_GOVERNMENT["created_at"],
}


def insert_row(db, model, values):
    db.session.execute(insert(model).values(**values))
    db.session.flush()


@pytest.mark.parametrize(
    ("model", "bad_values"),
    [
        (Government, {"country": "af"}),
        (Government, {"country": "AFG"}),
        (Government, {"name": ""}),
        (
            Government,
            {"start_edtf": "2021", "start_earliest": dt.date(2021, 12, 31), "start_latest": dt.date(2021, 1, 1)},
        ),
        (Government, {"start_edtf": "2021"}),
        (Recognition, {"form": "sort_of"}),
        (Recognition, {"government_id": "no-such-government"}),
        (
            Recognition,
            {
                "start_edtf": "2025",
                "start_earliest": dt.date(2025, 1, 1),
                "start_latest": dt.date(2025, 12, 31),
                "end_edtf": "2020",
                "end_earliest": dt.date(2020, 1, 1),
                "end_latest": dt.date(2020, 12, 31),
            },
        ),
    ],
)
def test_database_rejects(db, model, bad_values):
    insert_row(db, Government, GOOD_GOVERNMENT)
    values = {**(GOOD_GOVERNMENT if model is Government else GOOD_RECOGNITION), **bad_values}
    if model is Government:
        values["id"] = "xx-other"
    with pytest.raises(REFUSED):
        insert_row(db, model, values)
    db.session.rollback()


def test_enumerations_are_checked_for_exchanges(db):
    insert_row(db, Government, GOOD_GOVERNMENT)
    base = {**GOOD_RECOGNITION, "id": "amb_test", "direction": "government_to_country", "rank": "ambassador"}
    base.pop("form")
    insert_row(db, AmbassadorExchange, base)
    with pytest.raises(REFUSED):
        insert_row(db, AmbassadorExchange, {**base, "id": "amb_bad", "rank": "consul_general_maybe"})
    db.session.rollback()


def test_a_cited_source_cannot_be_deleted_underneath_its_record(db):
    insert_row(db, Government, GOOD_GOVERNMENT)
    insert_row(db, Recognition, GOOD_RECOGNITION)
    insert_row(
        db,
        Source,
        {
            "id": "src_test",
            "publisher": "P",
            "title": "T",
            "kind": "news",
            "version": 1,
            "created_at": GOOD_GOVERNMENT["created_at"],
            "updated_at": GOOD_GOVERNMENT["created_at"],
        },
    )
    insert_row(db, RecognitionSource, {"recognition_id": "rcg_test", "source_id": "src_test"})
    db.session.commit()
    with pytest.raises(REFUSED):
        db.session.execute(Source.__table__.delete().where(Source.id == "src_test"))
        db.session.flush()
    db.session.rollback()
