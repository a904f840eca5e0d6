"""Writing records: one place that turns wire-format fields into rows and logs the change.

The seed loader uses it now; the write endpoints share it, so a record written either
way is validated, stored and logged the same.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from sqlalchemy import select

from .extensions import db
from .models import AmbassadorExchange, Change, Government, GovernmentAlias, Recognition, Source
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


class UnknownSources(ValueError):
    def __init__(self, missing: list[str]):
        super().__init__(f"unknown source ids: {', '.join(missing)}")
        self.missing = missing


def snapshot(resource: str, record: Any) -> dict:
    """The record as the API shows it: what the change log keeps as before/after."""
    return SNAPSHOT_SCHEMAS[resource].dump(record)


def existing_sources(source_ids: list[str]) -> list[Source]:
    found = db.session.scalars(select(Source).where(Source.id.in_(source_ids))).all()
    missing = sorted(set(source_ids) - {source.id for source in found})
    if missing:
        raise UnknownSources(missing)
    return sorted(found, key=lambda source: source.id)


def assign_fields(record: Any, fields: Mapping[str, Any]) -> None:
    """Set wire-format fields on a row; EDTF dates go through the models' parsing setters."""
    for name, value in fields.items():
        if name == "government":
            record.government_id = value
        elif name == "sources":
            record.sources = existing_sources(list(value))
        elif name == "aliases":
            record.aliases = [GovernmentAlias(alias=alias, position=i) for i, alias in enumerate(value)]
        else:
            setattr(record, name, value)


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
    change = Change(
        action=action,
        resource=resource,
        record_id=record_id,
        before=before,
        after=after,
        actor=actor,
        reason=reason,
    )
    db.session.add(change)
    return change


def create_record(resource: str, fields: Mapping[str, Any], *, actor: str, reason: Optional[str] = None) -> Any:
    """Add a new row with its change entry to the session; the caller commits."""
    record = MODELS[resource]()
    assign_fields(record, fields)
    db.session.add(record)
    db.session.flush()
    log_change(
        action="create",
        resource=resource,
        record_id=record.id,
        before=None,
        after=snapshot(resource, record),
        actor=actor,
        reason=reason,
    )
    return record
