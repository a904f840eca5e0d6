"""Writing records: the one path from wire-format fields to rows and change-log entries.

The write endpoints and the seed loader both use it, so a record written either way
is validated, stored and logged the same way. Every function here only adds to the
session; the caller commits, so a write and its change entry land together or not
at all.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from sqlalchemy import func, select, text

from .extensions import db
from .models import (
    AmbassadorExchange,
    Change,
    ExchangeSource,
    Government,
    GovernmentAlias,
    Recognition,
    RecognitionSource,
    Source,
    new_record_id,
    utcnow,
)
from .schemas import AmbassadorExchangeSchema, GovernmentSchema, RecognitionSchema, SourceSchema

MODELS = {
    "governments": Government,
    "recognitions": Recognition,
    "ambassador-exchanges": AmbassadorExchange,
    "sources": Source,
}
SNAPSHOT_SCHEMAS = {
    "governments": GovernmentSchema(),
    "recognitions": RecognitionSchema(),
    "ambassador-exchanges": AmbassadorExchangeSchema(),
    "sources": SourceSchema(),
}
ID_PREFIXES = {"recognitions": "rcg", "ambassador-exchanges": "amb", "sources": "src"}
# Any constant works: it names the one lock that orders change-log appends on PostgreSQL.
CHANGE_LOG_LOCK = 7_240_703


class InvalidReference(ValueError):
    """A field names a record that does not exist."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class HasDependents(ValueError):
    """The record is still referenced; deleting it would orphan others."""

    def __init__(self, message: str, dependents: dict[str, list[str]]):
        super().__init__(message)
        self.dependents = dependents


def get_or_404(model: type, record_id: str, label: str) -> Any:
    """The row with this id, or a 404 problem naming what was looked for."""
    from flask_smorest import abort

    record = db.session.get(model, record_id)
    if record is None:
        abort(404, message=f"No {label} has the id '{record_id}'.")
    return record


def snapshot(resource: str, record: Any) -> dict:
    """The record as the API shows it: what the change log keeps as before/after."""
    return SNAPSHOT_SCHEMAS[resource].dump(record)


def existing_sources(source_ids: list[str]) -> list[Source]:
    found = db.session.scalars(select(Source).where(Source.id.in_(source_ids))).all()
    missing = sorted(set(source_ids) - {source.id for source in found})
    if missing:
        raise InvalidReference("sources", f"no source has the id {', '.join(repr(m) for m in missing)}")
    return sorted(found, key=lambda source: source.id)


def assign_fields(record: Any, fields: Mapping[str, Any]) -> None:
    """Set wire-format fields on a row; EDTF dates go through the models' parsing setters."""
    for name, value in fields.items():
        if name == "government":
            if db.session.get(Government, value) is None:
                raise InvalidReference("government", f"no government has the id '{value}'")
            record.government_id = value
        elif name == "sources":
            record.sources = existing_sources(list(dict.fromkeys(value)))
        elif name == "aliases":
            replace_aliases(record, value or [])
        else:
            setattr(record, name, value)


def replace_aliases(government: Government, aliases: list[str]) -> None:
    kept = {alias.alias: alias for alias in government.aliases}
    government.aliases = [kept.get(name) or GovernmentAlias(alias=name) for name in aliases]
    for position, alias in enumerate(government.aliases):
        alias.position = position


def lock_change_log() -> None:
    """Serialize change-log appends on PostgreSQL so seq order is commit order.

    Without it, a transaction holding seq 10 could commit after one holding seq 11,
    and a feed reader resuming after 11 would never see 10. SQLite has one writer
    at a time already. The lock is released when the transaction ends.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})


def log_change(
    *,
    action: str,
    resource: str,
    record_id: str,
    before: Optional[dict],
    after: Optional[dict],
    actor: str,
    reason: Optional[str] = None,
) -> Change:
    lock_change_log()
    change = Change(
        action=action,
        resource=resource,
        record_id=record_id,
        before=before,
        after=after,
        actor=actor,
        reason=reason,
        at=utcnow(),
    )
    db.session.add(change)
    return change


def next_version_for(resource: str, record_id: str) -> int:
    """1 for a new id; for an id used before, one past every version it had."""
    earlier = db.session.scalar(
        select(func.count()).select_from(Change).where(Change.resource == resource, Change.record_id == record_id)
    )
    return earlier + 1


def create_record(resource: str, fields: Mapping[str, Any], *, actor: str, reason: Optional[str] = None) -> Any:
    """Add a new row and its change entry to the session."""
    record = MODELS[resource]()
    fields = dict(fields)
    record.id = fields.pop("id", None) or new_record_id(ID_PREFIXES[resource])
    assign_fields(record, fields)
    record.version = next_version_for(resource, record.id)
    db.session.add(record)
    db.session.flush()
    log_change(action="create", resource=resource, record_id=record.id, before=None,
               after=snapshot(resource, record), actor=actor, reason=reason)
    return record


def update_record(resource: str, record: Any, fields: Mapping[str, Any], *, actor: str,
                  reason: Optional[str] = None) -> Any:
    """Apply validated fields; the flush fails with StaleDataError if the version moved."""
    before = snapshot(resource, record)
    assign_fields(record, fields)
    record.version = record.version + 1
    record.updated_at = utcnow()
    db.session.flush()
    log_change(action="update", resource=resource, record_id=record.id, before=before,
               after=snapshot(resource, record), actor=actor, reason=reason)
    return record


# Who refers to a record: (id of the referring row, its reference column, its collection).
REFERENCES = {
    "sources": (
        (RecognitionSource.recognition_id, RecognitionSource.source_id, "recognitions"),
        (ExchangeSource.exchange_id, ExchangeSource.source_id, "ambassador-exchanges"),
    ),
    "governments": (
        (Recognition.id, Recognition.government_id, "recognitions"),
        (AmbassadorExchange.id, AmbassadorExchange.government_id, "ambassador-exchanges"),
    ),
}


def dependents_of(resource: str, record: Any) -> dict[str, list[str]]:
    return {
        collection: list(db.session.scalars(select(referrer).where(reference == record.id).order_by(referrer)))
        for referrer, reference, collection in REFERENCES.get(resource, ())
    }


def delete_record(resource: str, record: Any, *, actor: str, reason: Optional[str] = None) -> None:
    dependents = {kind: ids for kind, ids in dependents_of(resource, record).items() if ids}
    if dependents:
        listed = "; ".join(f"{kind}: {', '.join(ids[:20])}" for kind, ids in dependents.items())
        raise HasDependents(f"'{record.id}' is still referenced by {listed}", dependents)
    before = snapshot(resource, record)
    db.session.delete(record)
    db.session.flush()
    log_change(action="delete", resource=resource, record_id=record.id, before=before, after=None,
               actor=actor, reason=reason)
