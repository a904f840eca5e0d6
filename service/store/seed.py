"""Load the seed case shipped in ``seed_data/``: idempotent, every record sourced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .database import db
from .models import Government
from .registry import AMBASSADOR_EXCHANGES, GOVERNMENTS, RECOGNITIONS, SOURCES
from .writes import create_record

SEED_FILE = Path(__file__).with_name("seed_data") / "afghanistan.json"
SEED_ACTOR = "seed"

# Sources first: records cite them; governments before the records that name them.
LOAD_ORDER = (SOURCES, GOVERNMENTS, RECOGNITIONS, AMBASSADOR_EXCHANGES)


def load_seed_file(path: Path = SEED_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def seed(path: Path = SEED_FILE, *, only_if_empty: bool = False) -> int:
    """Insert every seed record whose id is not present yet; return how many were added.

    Records already present are left as they are, so editors' changes survive a re-run.
    """
    if only_if_empty and db.session.scalar(select(Government.id).limit(1)) is not None:
        return 0
    data = load_seed_file(path)
    added = 0
    for resource in LOAD_ORDER:
        for fields in data.get(resource.key, []):
            if db.session.get(resource.model, fields["id"]) is None:
                create_record(resource, fields, actor=SEED_ACTOR, reason="seed case")
                added += 1
    db.session.commit()
    return added
