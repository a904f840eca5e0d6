"""Writing records: the one path from wire-format fields to rows and change-log entries.

The write endpoints, the seed loader and the tests all use it, so a record written
any way is validated, stored and logged the same way. What a field means comes from
the registry: a field citing another resource is checked to name existing records.
Every function here only adds to the session; the caller commits, so a write and
its change entry land together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from .changes import log_change, next_version_for
from .database import db
from .models import utcnow
from .purges import note_change
from .registry import Citation, Resource
from .transitions import Watch, announce, watch


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


def snapshot(resource: Resource, record: Any) -> dict:
    """The record as the API shows it: what the change log keeps as before/after."""
    return resource.response.dump(record)


def cited_records(name: str, citation: Citation, value: Any) -> Any:
    """What the field ``name`` cites: the existing record(s), or InvalidReference naming the missing."""
    target = citation.target
    if citation.link is None:
        if db.session.get(target.model, value) is None:
            raise InvalidReference(name, f"no {target.label} has the id '{value}'; GET {target.path} lists them")
        return value
    ids = list(dict.fromkeys(value))
    found = db.session.scalars(select(target.model).where(target.model.id.in_(ids))).all()
    missing = sorted(set(ids) - {record.id for record in found})
    if missing:
        listed = ", ".join(repr(m) for m in missing)
        raise InvalidReference(name, f"no {target.label} has the id {listed}; GET {target.path} lists them")
    return sorted(found, key=lambda record: record.id)


def logged(
    action: str,
    resource: Resource,
    record: Any,
    before: dict | None,
    watched: Watch,
    *,
    actor: str,
    reason: str | None,
) -> None:
    """Append the change ``action`` made to ``record`` (it before, and after; nothing after a
    delete), and the status transitions it caused in the pairs ``watched``."""
    after = None if action == "delete" else snapshot(resource, record)
    change = log_change(action, resource.name, record.id, before, after, actor=actor, reason=reason)
    note_change(db.session, resource.name, record.id, before, after)
    if watched.before:
        db.session.flush()  # the change's seq, for its transitions
        announce(watched, change)


def assign_fields(resource: Resource, record: Any, fields: Mapping[str, Any]) -> None:
    """Set wire-format fields on a row, each on the attribute its response field reads."""
    for name, value in fields.items():
        if name in resource.cites:
            value = cited_records(name, resource.cites[name], value)
        setattr(record, resource.attribute(name), value)


def create_record(resource: Resource, fields: Mapping[str, Any], *, actor: str, reason: str | None = None) -> Any:
    """Add a new row and its change entry to the session."""
    record = resource.model()
    fields = dict(fields)
    record.id = fields.pop("id", None) or resource.new_id()
    watched = watch(resource, None, fields)
    assign_fields(resource, record, fields)
    record.version = next_version_for(resource.name, record.id)
    db.session.add(record)
    db.session.flush()
    logged("create", resource, record, None, watched, actor=actor, reason=reason)
    return record


def update_record(
    resource: Resource, record: Any, fields: Mapping[str, Any], *, actor: str, reason: str | None = None
) -> Any:
    """Apply validated fields; the flush fails with StaleDataError if the version moved."""
    before = snapshot(resource, record)
    watched = watch(resource, before, fields)
    assign_fields(resource, record, fields)
    record.version = record.version + 1
    record.updated_at = utcnow()
    db.session.flush()
    logged("update", resource, record, before, watched, actor=actor, reason=reason)
    return record


def dependents_of(resource: Resource, record: Any) -> dict[str, list[str]]:
    """The ids of the records citing ``record``, by their resource's name."""
    found: dict[str, list[str]] = {}
    for other, citation in resource.cited_by:
        referrer, reference = (
            (citation.link.owner, citation.link.value) if citation.link else (other.model.id, citation.column)
        )
        found[other.name] = list(db.session.scalars(select(referrer).where(reference == record.id).order_by(referrer)))
    return found


def delete_record(resource: Resource, record: Any, *, actor: str, reason: str | None = None) -> None:
    dependents = {kind: ids for kind, ids in dependents_of(resource, record).items() if ids}
    if dependents:
        listed = "; ".join(f"{kind}: {', '.join(ids[:20])}" for kind, ids in dependents.items())
        raise HasDependents(f"'{record.id}' is still referenced by {listed}", dependents)
    before = snapshot(resource, record)
    watched = watch(resource, before, None)
    db.session.delete(record)
    db.session.flush()
    logged("delete", resource, record, before, watched, actor=actor, reason=reason)
