"""The shipped seed case: idempotent, and every record cites its sources."""

from __future__ import annotations

from sqlalchemy import func, select

from service.store.models import AmbassadorExchange, Change, Government, Recognition, Source
from service.store.seed import load_seed_file, seed

SEED = load_seed_file()


def row_counts(db) -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Government, Source, Recognition, AmbassadorExchange, Change)
    }


def test_seed_loads_every_record_once(db):
    report = seed()
    expected = sum(len(SEED[key]) for key in ("sources", "governments", "recognitions", "ambassador_exchanges"))
    assert len(report.added) == expected and not report.corrected and not report.kept
    counts = row_counts(db)
    assert counts["governments"] == 1
    assert counts["recognitions"] == len(SEED["recognitions"])
    assert counts["ambassador_exchanges"] == len(SEED["ambassador_exchanges"])
    assert counts["changes"] == expected, "each seeded record is one create in the change log"


def test_running_seed_twice_changes_nothing(db):
    seed()
    before = row_counts(db)
    versions = db.session.execute(select(Recognition.id, Recognition.version)).all()
    assert seed().writes == 0
    assert row_counts(db) == before
    assert db.session.execute(select(Recognition.id, Recognition.version)).all() == versions


def test_seed_if_empty_skips_a_database_with_data(db):
    seed()
    db.session.delete(db.session.get(AmbassadorExchange, SEED["ambassador_exchanges"][0]["id"]))
    db.session.commit()
    assert seed(only_if_empty=True).writes == 0
    assert seed().added == [SEED["ambassador_exchanges"][0]["id"]]


def test_every_seeded_record_cites_an_existing_source(seeded):
    records = (
        seeded.session.scalars(select(Recognition)).all() + seeded.session.scalars(select(AmbassadorExchange)).all()
    )
    assert records
    for record in records:
        assert record.sources, f"{record.id} has no source"


def test_seed_keeps_unknown_dates_unknown(seeded):
    starts = {
        (exchange.country, exchange.direction): exchange.start
        for exchange in seeded.session.scalars(select(AmbassadorExchange))
    }
    assert starts[("CN", "government_to_country")] is None
    assert starts[("QA", "government_to_country")] is None
    recognition = seeded.session.scalars(select(Recognition).where(Recognition.country == "RU")).one()
    assert recognition.start == "2025-07-03"
    assert recognition.form == "de_jure"
    assert {source.kind for source in recognition.sources} == {"news", "official_statement", "social_post"}


def test_seed_has_no_united_states_record(seeded):
    for model in (Recognition, AmbassadorExchange):
        assert seeded.session.scalars(select(model).where(model.country == "US")).first() is None
