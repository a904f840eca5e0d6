"""Deterministic synthetic data for load tests: ``python -m service synth --records N``.

Adds, to the database named by ``DATABASE_URL``:

- ``G`` governments (default one per 500 records), ids ``synth-s<seed>-g0001`` …,
  named "Synthetic government 0001 (seed S)" with the aliases "Synthetic" and
  "SYNTH-S<seed>-G0001", so they can never pass for real ones;
- ``N`` records: about 30 % recognitions (``rcg_s<seed>_0000001`` …) and 70 %
  ambassador exchanges (``amb_s<seed>_0000001`` …), spread uniformly over every ISO
  3166-1 country known to pycountry, with EDTF dates of day, month and year precision,
  some uncertain (``?``) or approximate (``~``), about 10 % with an unknown start and
  20 % ended. ``N`` counts recognitions plus exchanges only;
- sources on top of ``N`` (one per five records of a government, at least one):
  ``src_s<seed>_0000001`` …, kind ``dataset``, publisher "Synthetic", a note saying the
  record is synthetic, a ``.invalid`` URL and (90 %) a published date. Every record
  cites one to three sources of its own government;
- one ``create`` entry per record in the change log, actor ``synth``, whose ``after``
  is the record in the API's wire format (what ``service.store.writes.snapshot`` gives),
  so the change feed, history and ``as_known_at`` agree with the tables.

Same arguments and seed, same rows (ids, fields, links, change order); only the
timestamps (``created_at``, ``updated_at``, the changes' ``at``) are the time of the
run. The seed is part of every id, so data of different seeds live side by side;
running again with a seed whose data is already there fails (``SynthConflict``)
before writing anything. Everything is written in one transaction: a failed or
interrupted run leaves nothing behind. On PostgreSQL the transaction holds the
change-log lock (``service.store.changes.lock_change_log``) throughout, so change seqs stay in
commit order (other writers wait for it), and the tables are ANALYZEd afterwards.

Speed: rows go in with SQLAlchemy Core ``insert()`` executemany in batches of
``BATCH_ROWS``; EDTF day bounds come from ``service.domain.dates.parse_bounds`` (slow, some
milliseconds each), cached by text over a small pool of date strings.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pycountry
from sqlalchemy import insert, select, text

from ..domain.dates import DateBounds, parse_bounds
from .changes import CHANGE_LOG_LOCK
from .database import db
from .models import utcnow
from .registry import AMBASSADOR_EXCHANGES, GOVERNMENTS, RECOGNITIONS, RESOURCES, SOURCES, Resource

SYNTH_ACTOR = "synth"
SYNTH_REASON = "synthetic data"
DEFAULT_SEED = 1
RECORDS_PER_GOVERNMENT = 500
RECORDS_PER_SOURCE = 5
BATCH_ROWS = 5000
FIRST_YEAR, LAST_YEAR = 1946, 2025

# Tables in foreign-key order: a flush writes them in this order.
TABLES = tuple(
    (name, db.metadata.tables[name])
    for name in (
        "sources",
        "governments",
        "government_aliases",
        "recognitions",
        "recognition_sources",
        "ambassador_exchanges",
        "ambassador_exchange_sources",
        "changes",
    )
)
VERSIONED_TABLES = {resource.model.__tablename__ for resource in RESOURCES}
COUNTRIES = tuple(sorted(country.alpha_2 for country in pycountry.countries))
RANKS = (("ambassador", 50), ("charge_d_affaires", 25), ("political_office", 15), ("other", 10))


class SynthConflict(RuntimeError):
    """Data of this seed is in the database already."""


def ids_for(seed: int) -> dict[Resource, str]:
    """The id prefixes of a seed's data; the seed is in every id."""
    return {
        resource: f"{resource.id_prefix}_s{seed}_" if resource.id_prefix else f"synth-s{seed}-g"
        for resource in RESOURCES
    }


def default_governments(records: int) -> int:
    return max(1, math.ceil(records / RECORDS_PER_GOVERNMENT))


_BOUNDS: dict[str, DateBounds] = {}  # parse_bounds is pure: cache it by text for the process


class DatePool:
    """EDTF strings per year, drawn at random, parsed once each (``parse_bounds`` is slow).

    Each year has a fixed handful of strings (four days, two months, the year, and one
    uncertain or approximate value), so a run parses at most a few hundred distinct
    strings however many records it writes.
    """

    def __init__(self, rng: random.Random):
        self.by_year: dict[int, list[str]] = {}
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            days = [f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(4)]
            months = [f"{year}-{rng.randint(1, 12):02d}" for _ in range(2)]
            qualified = rng.choice([f"{year}", days[0], months[0]]) + rng.choice("?~")
            self.by_year[year] = days + months + [str(year), qualified]

    @staticmethod
    def bounds(edtf: str) -> DateBounds:
        found = _BOUNDS.get(edtf)
        if found is None:
            found = _BOUNDS[edtf] = parse_bounds(edtf)
        return found

    def draw(self, rng: random.Random, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> DateBounds:
        # Weights: day precision 50 %, month 25 %, year 12.5 %, uncertain/approximate 12.5 %.
        choices = self.by_year[rng.randint(first_year, last_year)]
        return self.bounds(choices[rng.choice((0, 1, 2, 3, 4, 5, 6, 7))])


def period(rng: random.Random, dates: DatePool) -> tuple[DateBounds | None, DateBounds | None]:
    """A start (10 % unknown) and an end (20 % of records; always after the start can begin)."""
    start = None if rng.random() < 0.10 else dates.draw(rng)
    end = None
    if rng.random() < 0.20:
        first = FIRST_YEAR + 1 if start is None else start.latest.year + 1
        if first <= LAST_YEAR:
            end = dates.draw(rng, first, LAST_YEAR)
            if start is not None and end.latest < start.earliest:  # cannot happen with the pool; be safe
                end = None
    return start, end


def period_columns(start: DateBounds | None, end: DateBounds | None) -> dict[str, Any]:
    return {
        "start_edtf": start.text if start else None,
        "start_earliest": start.earliest if start else None,
        "start_latest": start.latest if start else None,
        "end_edtf": end.text if end else None,
        "end_earliest": end.earliest if end else None,
        "end_latest": end.latest if end else None,
    }


def change(resource: Resource, row: dict[str, Any], **lists: list[str]) -> dict[str, Any]:
    """The ``create`` entry of a row: its ``after`` is the row's wire form, read as the API reads it
    (a column the generator does not fill, such as a field added since, is null in both)."""
    after = {
        name: lists[name] if name in lists else row.get(column.expression.name)
        for name, column in resource.columns.items()
    }
    return {
        "actor": SYNTH_ACTOR,
        "action": "create",
        "resource": resource.name,
        "record_id": row["id"],
        "before": None,
        "after": after,
        "reason": SYNTH_REASON,
    }


def add_record(batch: dict[str, list[dict[str, Any]]], resource: Resource, row: dict[str, Any], cited: list[str]):
    """A recognition's or an exchange's row, its links to the sources it cites, and its change."""
    link = resource.cites["sources"].link
    batch[resource.model.__tablename__].append(row)
    batch[link.owner.class_.__tablename__].extend({link.owner.key: row["id"], link.value.key: s} for s in cited)
    batch["changes"].append(change(resource, row, sources=cited))


@dataclass
class Counts:
    governments: int = 0
    sources: int = 0
    recognitions: int = 0
    ambassador_exchanges: int = 0
    changes: int = 0
    seconds: float = 0.0
    by_table: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return self.recognitions + self.ambassador_exchanges


def generate(
    records: int, governments: int | None = None, seed: int = DEFAULT_SEED, batch_rows: int = BATCH_ROWS
) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The rows to insert, by table, in batches of about ``batch_rows`` rows.

    Pure: it touches no database, and the same arguments give the same batches.
    Rows carry no timestamps or versions (``write`` adds them); change rows come in
    the order their seqs will be handed out.
    """
    if records < 1:
        raise ValueError("records must be at least 1")
    governments = governments or default_governments(records)
    if governments < 1 or governments > records:
        raise ValueError("governments must be between 1 and the number of records")
    rng = random.Random(seed)
    dates = DatePool(rng)
    prefix = ids_for(seed)
    gov_width = max(4, len(str(governments)))
    rec_width = max(7, len(str(records)))
    src_width = max(7, len(str(records)))

    # Records per government: around records/governments, varied by ±50 %, summing to records.
    weights = [rng.uniform(0.5, 1.5) for _ in range(governments)]
    total = sum(weights)
    per_government = [max(1, int(records * w / total)) for w in weights]
    surplus = sum(per_government) - records
    index = 0
    while surplus != 0:  # spread the rounding difference, keeping every government at ≥ 1
        step = -1 if surplus > 0 else 1
        if per_government[index] + step >= 1:
            per_government[index] += step
            surplus += step
        index = (index + 1) % governments

    batch: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in TABLES}
    size = 0
    numbers = dict.fromkeys(RESOURCES, 0)

    def next_id(resource: Resource, width: int) -> str:
        numbers[resource] += 1
        return f"{prefix[resource]}{numbers[resource]:0{width}d}"

    for g in range(1, governments + 1):
        gov_id = f"{prefix[GOVERNMENTS]}{g:0{gov_width}d}"
        n_records = per_government[g - 1]

        # The government's sources, cited only by its own records.
        source_ids = []
        for _ in range(max(1, math.ceil(n_records / RECORDS_PER_SOURCE))):
            source_id = next_id(SOURCES, src_width)
            number = numbers[SOURCES]
            published = None if rng.random() < 0.10 else dates.draw(rng)
            row = {
                "id": source_id,
                "url": f"https://synthetic.invalid/s{seed}/sources/{number}",
                "publisher": "Synthetic",
                "title": f"Synthetic dataset entry {number} (seed {seed})",
                "published_edtf": published.text if published else None,
                "published_earliest": published.earliest if published else None,
                "published_latest": published.latest if published else None,
                "kind": "dataset",
                "note": f"Synthetic: generated by `python -m service synth` (seed {seed}); not a real source.",
            }
            batch["sources"].append(row)
            batch["changes"].append(change(SOURCES, row))
            source_ids.append(source_id)
            size += 2

        country = rng.choice(COUNTRIES)
        start = dates.draw(rng, 1990, LAST_YEAR) if rng.random() < 0.8 else None
        aliases = ["Synthetic", f"SYNTH-S{seed}-G{g:0{gov_width}d}"]
        name = f"Synthetic government {g:0{gov_width}d} (seed {seed})"
        row = {"id": gov_id, "name": name, "country": country, **period_columns(start, None)}
        batch["governments"].append(row)
        batch["government_aliases"].extend(
            {"government_id": gov_id, "alias": alias, "position": position} for position, alias in enumerate(aliases)
        )
        batch["changes"].append(change(GOVERNMENTS, row, aliases=aliases))
        size += 4

        for _ in range(n_records):
            country = rng.choice(COUNTRIES)
            start, end = period(rng, dates)
            cited = sorted(rng.sample(source_ids, min(len(source_ids), rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 3)))))
            note = f"Synthetic note {rng.randint(1, 10**6)}." if rng.random() < 0.2 else None
            shared = {"government_id": gov_id, "country": country, "note": note, **period_columns(start, end)}
            if rng.random() < 0.3:
                form = "de_jure" if rng.random() < 0.7 else "de_facto"
                end_reason = "Synthetic: recognition withdrawn." if end is not None else None
                row = {"id": next_id(RECOGNITIONS, rec_width), "form": form, "end_reason": end_reason, **shared}
                add_record(batch, RECOGNITIONS, row, cited)
            else:
                direction = "government_to_country" if rng.random() < 0.5 else "country_to_government"
                rank = rng.choices([r for r, _ in RANKS], [w for _, w in RANKS])[0]
                envoy = f"Synthetic Envoy {rng.randint(1, 10**6)}" if rng.random() < 0.6 else None
                row = {"id": next_id(AMBASSADOR_EXCHANGES, rec_width), "direction": direction, "rank": rank}
                add_record(batch, AMBASSADOR_EXCHANGES, {**row, "envoy": envoy, **shared}, cited)
            size += 2 + len(cited)
            if size >= batch_rows:
                yield batch
                batch = {name: [] for name, _ in TABLES}
                size = 0
    if size:
        yield batch


def existing_synthetic(seed: int) -> str | None:
    """An id of this seed's data already in the database, or None."""
    for resource, start in ids_for(seed).items():
        model = resource.model
        stop = start[:-1] + chr(ord(start[-1]) + 1)  # every id with the prefix sorts in [start, stop)
        found = db.session.scalar(select(model.id).where(model.id >= start, model.id < stop).limit(1))
        if found is not None:
            return found
    return None


def synth(
    records: int, governments: int | None = None, seed: int = DEFAULT_SEED, batch_rows: int = BATCH_ROWS
) -> Counts:
    """Write ``generate(...)``'s rows in one transaction; ``SynthConflict`` if the seed's data exists."""
    began = time.perf_counter()
    found = existing_synthetic(seed)
    if found is not None:
        db.session.rollback()
        raise SynthConflict(
            f"synthetic data of seed {seed} is in the database already ('{found}'); "
            "use a fresh database or another --seed"
        )
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
    now = utcnow()
    stamps = {"version": 1, "created_at": now, "updated_at": now}
    counts = Counts()
    try:
        for batch in generate(records, governments, seed, batch_rows):
            for name, table in TABLES:
                rows = batch[name]
                if not rows:
                    continue
                if name in VERSIONED_TABLES:
                    for row in rows:
                        row.update(stamps)
                elif name == "changes":
                    for row in rows:
                        row["at"] = now
                connection.execute(insert(table), rows)
                counts.by_table[name] = counts.by_table.get(name, 0) + len(rows)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if connection.dialect.name == "postgresql":
        # Planner statistics now, as autovacuum would give them later: without them a freshly
        # loaded million rows make the relations query about 15 times slower.
        db.session.execute(text("ANALYZE " + ", ".join(table.name for _, table in TABLES)))
        db.session.commit()
    counts.governments = counts.by_table.get("governments", 0)
    counts.sources = counts.by_table.get("sources", 0)
    counts.recognitions = counts.by_table.get("recognitions", 0)
    counts.ambassador_exchanges = counts.by_table.get("ambassador_exchanges", 0)
    counts.changes = counts.by_table.get("changes", 0)
    counts.seconds = time.perf_counter() - began
    return counts
