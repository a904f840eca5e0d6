"""What a stored resource's schema module declares for the registry (``service.store.registry``)."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema


@dataclass(frozen=True)
class Wire:
    """A stored resource's wire format and its words in the contract."""

    response: type[Schema]  # the answer, and the change log's snapshots
    body: type[Schema]  # the body of PATCH (loaded partial) and, unless ``create_body``, of POST
    query: type[Schema]  # the list's query string
    description: str  # of the resource: its part of the contract
    list_description: str  # of its list operation
    search: tuple[str, ...] = ()  # the fields the list's ``q`` matches
    create_body: type[Schema] | None = None  # the body of POST, where it differs (the client names the id)
