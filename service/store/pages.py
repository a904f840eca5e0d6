"""Reading a collection's rows as their wire dicts: filtered, in keyset pages or in batches.

``WireReader`` reads the columns the registry names for each field of the response
schema, so a page or an export costs no ORM objects and no schema dumps;
tests/test_exports.py keeps both equal to the schemas' dumps, key order included.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, exists, func, or_, select

from .. import heartbeat
from ..domain.in_force import IN_FORCE
from ..schemas.fields import MAX_LIMIT
from .database import db
from .in_force import force_state, in_force_on
from .registry import Link, Resource, WireValue

# Query parameters that choose a page or a representation rather than rows
# (``force`` qualifies ``as_of``).
NOT_FILTERS = frozenset({"limit", "cursor", "format", "force"})


def matches(value: WireValue, needle: str, model: Any):
    """Whether a field contains ``needle``, case-insensitive (for a list field: any item)."""
    if isinstance(value, Link):
        return exists().where(value.owner == model.id, func.lower(value.value).contains(needle, autoescape=True))
    return func.lower(value).contains(needle, autoescape=True)


def filtered(resource: Resource, args: Mapping[str, Any]) -> Select:
    """The resource's rows that a list's query keeps: ``q`` matches its search fields,
    ``as_of`` keeps what is in force that day (or in the state ``force`` names), and any
    other parameter is a field's value."""
    model = resource.model
    statement = select(model)
    for name, value in args.items():
        if name in NOT_FILTERS:
            continue
        if name == "q":
            needle = value.lower()
            statement = statement.where(
                or_(*(matches(resource.columns[f], needle, model) for f in resource.wire.search))
            )
        elif name == "as_of":
            wanted = args.get("force", IN_FORCE)
            if wanted == IN_FORCE:
                statement = statement.where(in_force_on(resource, value))  # the form the relation index serves
            else:
                statement = statement.where(force_state(resource, value) == wanted)
        else:
            statement = statement.where(resource.columns[name] == value)
    return statement


class WireReader:
    """Rows of a filtered statement as their wire dicts, read column by column."""

    def __init__(self, statement: Select, key_column, columns: Mapping[str, WireValue]):
        self.key_column = key_column
        self.names = tuple(columns)
        self.plain = {name: value for name, value in columns.items() if not isinstance(value, Link)}
        self.linked = {name: value for name, value in columns.items() if isinstance(value, Link)}
        self.statement = statement.with_only_columns(key_column, *self.plain.values())

    @classmethod
    def of(cls, resource: Resource, statement: Select) -> WireReader:
        return cls(statement, resource.model.id, resource.columns)

    def read(self, after: Any | None, limit: int) -> tuple[list[dict[str, Any]], list[Any]]:
        """Up to ``limit`` rows after the key ``after`` (from the start when None), and their keys."""
        statement = self.statement if after is None else self.statement.where(self.key_column > after)
        rows = db.session.execute(statement.order_by(self.key_column).limit(limit)).all()
        keys = [row[0] for row in rows]
        lists = {name: linked_values(link, keys) for name, link in self.linked.items()}
        items = []
        for row in rows:
            values = dict(zip(self.plain, row[1:], strict=True))
            for name, by_owner in lists.items():
                values[name] = by_owner.get(row[0], [])
            items.append({name: values[name] for name in self.names})
        return items, keys


def batched_rows(reader: WireReader, batch_size: int = MAX_LIMIT) -> Iterator[dict[str, Any]]:
    """Every row in key order, one keyset batch at a time (memory stays flat)."""
    last_key = None
    while True:
        batch, keys = reader.read(last_key, batch_size)
        # The pooled connection goes back while the batch is sent: a slow reader holds
        # a thread, never a database connection (each batch is its own read, as it was
        # under READ COMMITTED anyway).
        db.session.close()
        yield from batch
        # Once per batch: the export may run far longer than the worker timeout.
        heartbeat.beat()
        if len(batch) < batch_size:
            return
        last_key = keys[-1]


def linked_values(link: Link, owners: Sequence[Any]) -> dict[Any, list[Any]]:
    if not owners:
        return {}
    found: dict[Any, list[Any]] = {}
    rows = db.session.execute(
        select(link.owner, link.value).where(link.owner.in_(owners)).order_by(link.owner, link.order)
    )
    for owner, value in rows:
        found.setdefault(owner, []).append(value)
    return found
