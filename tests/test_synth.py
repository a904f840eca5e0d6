"""Synthetic data (``python -m service synth``): counts, determinism, sources, consistency."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from service.cli import cli
from service.schemas.ambassador_exchanges import AmbassadorExchangeSchema
from service.schemas.recognitions import RecognitionSchema
from service.schemas.sources import SourceSchema
from service.store.models import (
    AmbassadorExchange,
    Change,
    ExchangeSource,
    Government,
    GovernmentAlias,
    Recognition,
    RecognitionSource,
    Source,
)
from service.store.registry import AMBASSADOR_EXCHANGES, RECOGNITIONS, RESOURCES
from service.store.relations import cited_sources, wire_facts
from service.store.synth import TABLES, SynthConflict, generate, synth
from service.store.writes import snapshot
from tests.conftest import empty_all_tables

RECORDS = 2000
SEED = 7
TIMESTAMPS = {"created_at", "updated_at", "at"}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def table_rows(db) -> dict[str, list[tuple]]:
    """Every row of every table synth writes, without the run's timestamps, in key order."""
    dumped = {}
    for name, table in TABLES:
        columns = [column for column in table.columns if column.key not in TIMESTAMPS]
        order = list(table.primary_key.columns)
        dumped[name] = [tuple(row) for row in db.session.execute(select(*columns).order_by(*order))]
    return dumped


def busiest_government(db) -> str:
    totals = Counter()
    for model in (Recognition, AmbassadorExchange):
        for government_id, n in db.session.execute(
            select(model.government_id, func.count()).group_by(model.government_id)
        ):
            totals[government_id] += n
    return totals.most_common(1)[0][0]


def test_generate_is_deterministic_and_seeded():
    first = list(generate(500, seed=SEED))
    assert first == list(generate(500, seed=SEED))
    assert first != list(generate(500, seed=SEED + 1))
    records = sum(len(batch["recognitions"]) + len(batch["ambassador_exchanges"]) for batch in first)
    assert records == 500


def test_generate_spreads_varied_dates_over_every_country():
    rows = [
        row for batch in generate(RECORDS, seed=SEED) for row in batch["recognitions"] + batch["ambassador_exchanges"]
    ]
    starts = [row["start_edtf"] for row in rows]
    assert sum(start is None for start in starts) > RECORDS * 0.05, "some starts are unknown"
    assert sum(row["end_edtf"] is not None for row in rows) > RECORDS * 0.1, "some records ended"
    texts = [start for start in starts if start]
    assert any(text.endswith("?") for text in texts) and any(text.endswith("~") for text in texts)
    plain = [text.rstrip("?~") for text in texts]
    assert {len(text) for text in plain} == {4, 7, 10}, "year, month and day precision"
    assert len({row["country"] for row in rows}) > 200, "spread over the ISO countries"


def test_synth_writes_the_counted_records_and_a_create_for_each(db):
    counts = synth(RECORDS, seed=SEED)
    assert counts.records == RECORDS
    assert count(db, Recognition) == counts.recognitions > 0
    assert count(db, AmbassadorExchange) == counts.ambassador_exchanges > 0
    assert count(db, Government) == counts.governments == 4
    assert count(db, Source) == counts.sources > 0
    assert count(db, GovernmentAlias) == 2 * counts.governments
    created = counts.governments + counts.sources + RECORDS
    assert count(db, Change) == counts.changes == created
    assert set(db.session.execute(select(Change.actor, Change.action, Change.before)).all()) == {
        ("synth", "create", None)
    }
    for government in db.session.scalars(select(Government)):
        assert government.id.startswith(f"synth-s{SEED}-g")
        assert "Synthetic" in government.name and "Synthetic" in government.alias_names
    assert {source.publisher for source in db.session.scalars(select(Source))} == {"Synthetic"}
    assert {source.kind for source in db.session.scalars(select(Source))} == {"dataset"}
    assert all("synthetic" in source.note.lower() for source in db.session.scalars(select(Source)))


def test_every_synthetic_record_cites_a_source(db):
    synth(RECORDS, seed=SEED)
    unsourced_recognitions = (
        select(func.count())
        .select_from(Recognition)
        .where(~select(RecognitionSource.source_id).where(RecognitionSource.recognition_id == Recognition.id).exists())
    )
    unsourced_exchanges = (
        select(func.count())
        .select_from(AmbassadorExchange)
        .where(~select(ExchangeSource.source_id).where(ExchangeSource.exchange_id == AmbassadorExchange.id).exists())
    )
    assert db.session.scalar(unsourced_recognitions) == 0
    assert db.session.scalar(unsourced_exchanges) == 0


def test_change_log_snapshots_match_the_records(db):
    """The bulk-built ``after`` is exactly what ``writes.snapshot`` gives for the stored row."""
    synth(300, seed=SEED)
    db.session.expire_all()
    afters = {(c.resource, c.record_id): c.after for c in db.session.scalars(select(Change))}
    checked = 0
    for resource in RESOURCES:
        for record in db.session.scalars(select(resource.model)):
            assert afters[(resource.name, record.id)] == snapshot(resource, record), record.id
            checked += 1
    assert checked == len(afters)


def test_same_seed_gives_the_same_rows_in_a_fresh_database(db):
    synth(RECORDS, seed=SEED)
    first = table_rows(db)
    empty_all_tables()
    synth(RECORDS, seed=SEED)
    assert table_rows(db) == first
    assert len(first["changes"]) > RECORDS


def test_rerunning_a_seed_fails_and_writes_nothing_but_another_seed_adds(db):
    synth(200, seed=SEED)
    before = count(db, Change)
    with pytest.raises(SynthConflict, match=f"seed {SEED}"):
        synth(200, seed=SEED)
    assert count(db, Change) == before
    synth(200, seed=SEED + 1)
    assert count(db, Recognition) + count(db, AmbassadorExchange) == 400


def test_relations_answer_for_a_synthetic_government(db, client):
    synth(RECORDS, seed=SEED)
    government_id = busiest_government(db)
    response = client.get(f"/v1/governments/{government_id}/relations?as_of=2025-07-04")
    assert response.status_code == 200
    body = response.get_json()
    assert body["items"], "the government has relations"
    assert sum(body["counts"].values()) == len(body["items"])
    assert {"recognized", "limited_relations"} <= {item["category"] for item in body["items"]}
    etag = response.headers["ETag"]
    assert (
        client.get(
            f"/v1/governments/{government_id}/relations?as_of=2025-07-04", headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    country = body["items"][0]["country"]
    assert client.get(f"/v1/governments/{government_id}/relations/{country}?as_of=2025-07-04").status_code == 200
    page = client.get("/v1/ambassador-exchanges?country=FR&rank=ambassador&limit=50")
    assert page.status_code == 200 and page.get_json()["items"]


def test_as_known_at_rebuilds_the_same_answer_from_the_change_log(db, client):
    synth(150, governments=1, seed=SEED)
    url = f"/v1/governments/synth-s{SEED}-g0001/relations?as_of=2025-07-04"
    live = client.get(url).get_json()
    known = client.get(url + "&as_known_at=2999-01-01T00:00:00Z").get_json()
    assert known == live


def test_history_of_a_synthetic_record_is_its_create(db, client):
    synth(50, seed=SEED)
    record_id = db.session.scalar(select(AmbassadorExchange.id).order_by(AmbassadorExchange.id).limit(1))
    record = client.get(f"/v1/ambassador-exchanges/{record_id}").get_json()
    history = client.get(f"/v1/ambassador-exchanges/{record_id}/history").get_json()
    assert [(entry["action"], entry["actor"], entry["after"]) for entry in history["items"]] == [
        ("create", "synth", record)
    ]


def test_synth_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(cli, args=["synth", "--records", "60", "--governments", "2", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert "synth: seed 9: 2 government(s)" in result.output
    again = runner.invoke(cli, args=["synth", "--records", "60", "--seed", "9"])
    assert again.exit_code != 0
    assert "already" in again.output
    assert count(db, Recognition) + count(db, AmbassadorExchange) == 60


def test_relations_read_each_record_exactly_as_its_schema_dumps_it(db, client, app):
    """The relations answer reads wire dicts straight from the columns; they must stay
    the records' own representation, key order included."""
    synth(300, governments=2, seed=SEED)
    government_id = busiest_government(db)
    for resource, schema in ((RECOGNITIONS, RecognitionSchema()), (AMBASSADOR_EXCHANGES, AmbassadorExchangeSchema())):
        model = resource.model
        facts = wire_facts(resource, government_id, None)
        stored = db.session.scalars(select(model).where(model.government_id == government_id).order_by(model.id)).all()
        assert facts and len(facts) == len(stored)
        for fact, record in zip(facts, stored, strict=True):
            dumped = schema.dump(record)
            assert list(fact.data.items()) == list(dumped.items())
            assert (fact.start_earliest, fact.start_latest, fact.end_earliest) == (
                record.start_earliest,
                record.start_latest,
                record.end_earliest,
            )
    sources, published = cited_sources(government_id, None)
    cited = {
        source
        for resource in (RECOGNITIONS, AMBASSADOR_EXCHANGES)
        for fact in wire_facts(resource, government_id, None)
        for source in fact.data["sources"]
    }
    assert set(sources) == cited
    for source in db.session.scalars(select(Source).where(Source.id.in_(cited))):
        assert list(sources[source.id].items()) == list(SourceSchema().dump(source).items())
        assert published[source.id] == source.published_latest
