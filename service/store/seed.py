"""Load the seed case shipped in ``seed_data/``: idempotent, every record sourced.

Seeding is safe to repeat on a live database. A seed record is created when its id
has no record and was never deleted; a record still as the seed last wrote it (its
newest change is by actor ``seed``) is corrected through a normal update where the
shipped file now says otherwise, so the change feed records each correction; a
record an editor has changed or deleted since is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .changes import lock_change_log
from .database import db
from .models import Change, Government
from .registry import AMBASSADOR_EXCHANGES, GOVERNMENTS, RECOGNITIONS, SOURCES, Resource
from .writes import create_record, snapshot, update_record

SEED_FILE = Path(__file__).with_name("seed_data") / "afghanistan.json"
SEED_ACTOR = "seed"
SEED_REASON = "seed case"
CORRECTION_REASON = "seed case corrected"

# Sources first: records cite them; governments before the records that name them.
LOAD_ORDER = (SOURCES, GOVERNMENTS, RECOGNITIONS, AMBASSADOR_EXCHANGES)


@dataclass
class SeedReport:
    """What a run did, by record id."""

    added: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # changed or deleted by an editor: left as they are

    @property
    def writes(self) -> int:
        return len(self.added) + len(self.corrected)


def load_seed_file(path: Path = SEED_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def newest_change(resource: Resource, record_id: str) -> Change | None:
    return db.session.scalars(
        select(Change)
        .where(Change.resource == resource.name, Change.record_id == record_id)
        .order_by(Change.seq.desc())
        .limit(1)
    ).first()


def differing_fields(resource: Resource, record: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    """The seed's fields whose values the stored record does not have (the order of cited ids aside)."""
    shown = snapshot(resource, record)
    differing = {}
    for name, value in wanted.items():
        have = shown.get(name)
        if name in resource.cites and isinstance(value, list):  # cited ids: the API lists them sorted
            have, value = sorted(have or []), sorted(value)
        if name != "id" and have != value:
            differing[name] = wanted[name]
    return differing


def seed(path: Path = SEED_FILE, *, only_if_empty: bool = False) -> SeedReport:
    """Create the missing seed records and correct the ones no editor has touched."""
    report = SeedReport()
    if only_if_empty and db.session.scalar(select(Government.id).limit(1)) is not None:
        return report
    lock_change_log()  # replicas starting together seed one after the other
    data = load_seed_file(path)
    for resource in LOAD_ORDER:
        for fields in data.get(resource.key, []):
            record = db.session.get(resource.model, fields["id"])
            last = newest_change(resource, fields["id"])
            if record is None:
                if last is not None and last.action == "delete":
                    report.kept.append(fields["id"])
                else:
                    create_record(resource, fields, actor=SEED_ACTOR, reason=SEED_REASON)
                    report.added.append(fields["id"])
            elif last is None or last.actor != SEED_ACTOR:
                report.kept.append(fields["id"])
            elif correction := differing_fields(resource, record, fields):
                update_record(resource, record, correction, actor=SEED_ACTOR, reason=CORRECTION_REASON)
                report.corrected.append(fields["id"])
    db.session.commit()
    return report
