"""Reading the change log: the feed, one record's history, and state at a past moment."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import ColumnElement, select

from .extensions import db
from .models import Change


def state_at(moment: dt.datetime, resources: Iterable[str],
             *only: ColumnElement[bool]) -> dict[str, dict[str, dict[str, Any]]]:
    """Every record of ``resources`` as it stood at ``moment``, by resource and id;
    ``only`` narrows the replay to the changes of the records wanted (every change of
    such a record must pass it, or the replay is wrong for that record).

    Replays the log in seq order: the newest entry at or before the moment wins; a
    delete removes the record. Changes are appended in commit order (see
    ``records.lock_change_log``), so seq order is the order the service saw them.
    """
    resources = tuple(resources)
    moment = moment.astimezone(dt.timezone.utc)  # the log is kept in UTC
    state: dict[str, dict[str, dict[str, Any]]] = {resource: {} for resource in resources}
    statement = (
        select(Change.resource, Change.record_id, Change.action, Change.after)
        .where(Change.at <= moment, Change.resource.in_(resources), *only)
        .order_by(Change.seq)
    )
    for resource, record_id, action, after in db.session.execute(statement):
        if action == "delete":
            state[resource].pop(record_id, None)
        else:
            state[resource][record_id] = after
    return state
