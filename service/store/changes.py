"""The change log: appended in each write's transaction, replayed to answer for a past moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func, select, text

from ..domain.replay import replay
from .database import db
from .models import Change, utcnow

# Any constant works: it names the one lock that orders change-log appends on PostgreSQL.
CHANGE_LOG_LOCK = 7_240_703


def lock_change_log() -> None:
    """Serialize change-log appends on PostgreSQL so seq order is commit order.

    Without it, a transaction holding seq 10 could commit after one holding seq 11,
    and a feed reader resuming after 11 would never see 10. SQLite has one writer
    at a time already. The lock is released when the transaction ends.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})


def log_change(
    action: str,
    resource: str,
    record_id: str,
    before: dict | None,
    after: dict | None,
    *,
    actor: str,
    reason: str | None = None,
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


def state_at(
    moment: dt.datetime, resources: Iterable[str], *only: ColumnElement[bool]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Every record of ``resources`` as it stood at ``moment``, by resource and id;
    ``only`` narrows the replay to the changes of the records wanted (every change of
    such a record must pass it, or the replay is wrong for that record).

    Replays the log in seq order (``service.domain.replay``). Changes are appended in
    commit order (``lock_change_log``), so seq order is the order the service saw them.
    """
    resources = tuple(resources)
    moment = moment.astimezone(dt.UTC)  # the log is kept in UTC
    statement = (
        select(Change.resource, Change.record_id, Change.action, Change.after)
        .where(Change.at <= moment, Change.resource.in_(resources), *only)
        .order_by(Change.seq)
    )
    return replay(db.session.execute(statement), resources)
