"""Surrogate keys: what each answer depends on, and what each write purges from a CDN.

The scheme (README "Behind a CDN"):

- ``all``: every answer;
- ``<name>`` (``governments``, ``recognitions``, ``ambassador-exchanges``, ``sources``):
  the collection's pages and exports;
- ``gov:<id>``, ``rec:<id>``, ``amb:<id>``, ``src:<id>``: one record's answer and history;
- ``rel:<government id>``: what is derived from a government's records (its relations,
  map, timeline, status changes, pages);
- ``changes``: the change log's feeds.

A write purges the keys of what it touched: its record, its collection, ``changes``,
and ``rel:`` of each government whose derived answers show it (before and after an
edit, or citing an edited source). The keys are gathered as the write path logs each
change (``note_change``) and enqueued as one ``purge`` message of the outbox just
before the transaction commits, so a write that rolls back purges nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .database import db
from .models import AmbassadorExchange, ExchangeSource, Recognition, RecognitionSource
from .outbox import enqueue

PURGE = "purge"  # the outbox kind (service.delivery.purges sends it)
ALL = "all"
CHANGES = "changes"
SHORT = {"governments": "gov", "recognitions": "rec", "ambassador-exchanges": "amb", "sources": "src"}
SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")
KEYS = "service.purge_keys"  # in Session.info: the keys of the transaction's writes so far
# More keys than this in one transaction (a seed, a bulk load): purge everything instead.
MAX_KEYS = 100


def safe(part: str) -> str:
    """An id as it appears in a key: as is when it is plain, else a digest (keys go in
    headers, space-separated, and into Varnish ban expressions)."""
    if SAFE.fullmatch(part):
        return part
    return "h-" + hashlib.sha256(part.encode()).hexdigest()[:24]


def record_key(resource: str, record_id: str) -> str:
    return f"{SHORT[resource]}:{safe(record_id)}"


def relations_key(government_id: str) -> str:
    return f"rel:{safe(government_id)}"


def answer_keys(path: str) -> list[str]:
    """The surrogate keys of the answer to a GET of ``path`` (a path of the API or of the pages)."""
    parts = [p for p in path.split("/") if p]
    keys: list[str] = []
    if parts[:1] == ["v1"]:
        parts = parts[1:]
        name = parts[0] if parts else ""
        if name in SHORT and len(parts) == 1:
            keys.append(name)
        elif name == "governments" and len(parts) >= 3:  # relations, map, timeline, status changes
            keys += [record_key(name, parts[1]), relations_key(parts[1])]
            if parts[2].startswith("status-changes"):
                keys.append(CHANGES)
        elif name in SHORT and len(parts) >= 2:  # a record, its history
            keys.append(record_key(name, parts[1]))
        elif name in ("changes", "status-changes", "status-changes.atom"):
            keys.append(CHANGES)
        elif name == "countries":
            keys.append("countries")
    elif parts[:1] == ["governments"] and len(parts) >= 2:  # a government's pages
        keys += [record_key("governments", parts[1]), relations_key(parts[1])]
    elif not parts:  # the home page lists governments
        keys.append("governments")
    keys.append(ALL)
    return keys


def governments_citing(source_id: str) -> set[str]:
    """The governments whose records cite the source (their derived answers show it)."""
    found: set[str] = set()
    for model, link, owner in (
        (Recognition, RecognitionSource, RecognitionSource.recognition_id),
        (AmbassadorExchange, ExchangeSource, ExchangeSource.exchange_id),
    ):
        found.update(
            db.session.scalars(
                select(model.government_id).join(link, owner == model.id).where(link.source_id == source_id)
            )
        )
    return found


def change_keys(resource: str, record_id: str, before: dict | None, after: dict | None) -> set[str]:
    """What a change to a record makes stale."""
    keys = {resource, record_key(resource, record_id), CHANGES}
    if resource == "governments":
        keys.add(relations_key(record_id))
    elif resource == "sources":
        keys.update(relations_key(g) for g in governments_citing(record_id))
    else:  # a recognition or an exchange: its government's (before and after an edit)
        keys.update(relations_key(side["government"]) for side in (before, after) if side and side.get("government"))
    return keys


def purging() -> bool:
    """Whether a purge endpoint is configured (else no purge is enqueued)."""
    return has_app_context() and bool(current_app.config.get("PURGE_ADAPTER"))


def note_change(session: Session, resource: str, record_id: str, before: dict | None, after: dict | None) -> None:
    """Remember what the change makes stale, to be purged once the transaction commits."""
    if purging():
        session.info.setdefault(KEYS, set()).update(change_keys(resource, record_id, before, after))


def purge_payload(keys: Iterable[str]) -> dict[str, Any]:
    keys = sorted(set(keys))
    return {"keys": [ALL] if len(keys) > MAX_KEYS else keys}


@event.listens_for(Session, "before_commit")
def _enqueue_purge(session: Session) -> None:
    """One purge message per committed transaction, added before its last flush."""
    keys = session.info.pop(KEYS, None)
    if keys and purging():
        if session is db.session():
            enqueue(PURGE, current_app.config["PURGE_ADAPTER"], purge_payload(keys))


@event.listens_for(Session, "after_rollback")
def _forget_keys(session: Session) -> None:
    session.info.pop(KEYS, None)
