"""The change log's replay: the state of every record at a moment, from its changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# resource, record id, action, the record after the change (None on delete)
ChangeRow = tuple[str, str, str, dict[str, Any] | None]


def replay(changes: Iterable[ChangeRow], resources: Iterable[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """Every record of ``resources`` as the changes (in seq order) leave it, by resource and id.

    The newest change of a record wins; a delete removes the record.
    """
    state: dict[str, dict[str, dict[str, Any]]] = {resource: {} for resource in resources}
    for resource, record_id, action, after in changes:
        if action == "delete":
            state[resource].pop(record_id, None)
        else:
            state[resource][record_id] = after
    return state
