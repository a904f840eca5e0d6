"""The registry of resources: each stored resource declared once, for everything to read.

A ``Resource`` says what the write path, the change feed and history, the seed and
synthetic loaders, the views, the contract's text and the tests need to know about
it: its model, its names (path, labels, operation ids), its schemas, how new ids are
made, and which other records it cites. What can be derived is derived:

- ``columns``, where pages, exports and the relations answer read each field of the
  response schema: the model attribute the field reads (``attribute`` or its name;
  EDTF dates are synonyms of their text columns), or a ``Link`` for a list field;
- ``cited_by``: who cites a record, from the other resources' ``cites``.

Adding a field to a resource is then: its column in ``models``, a migration, and the
field in its response and body schemas (``service/schemas/<resource>.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional, Union

from marshmallow import Schema
from sqlalchemy import ColumnElement

from ..domain.vocabulary import CHANGE_RESOURCES
from ..schemas import ambassador_exchanges, governments, recognitions, sources
from .models import (
    AmbassadorExchange,
    ExchangeSource,
    Government,
    GovernmentAlias,
    Recognition,
    RecognitionSource,
    Source,
    new_record_id,
)


@dataclass(frozen=True)
class Link:
    """A list field of a record: ``value`` of every row of a link table whose ``owner``
    is the record's id, in ``order`` (the order the response schema lists them)."""

    owner: Any
    value: Any
    order: Any


@dataclass(frozen=True)
class Citation:
    """A field naming records of ``target``: one id in ``column``, or a list in ``link``."""

    target: Resource
    column: Any = None
    link: Optional[Link] = None


# Where a field of an answer is read from: a column of the table, or a link table.
WireValue = Union[ColumnElement, Link]


@dataclass(frozen=True, eq=False)
class Resource:
    name: str  # the URL segment (/v1/<name>) and the change log's name for it
    model: type
    label: str  # one record, in prose: "ambassador exchange"
    plural: str  # "ambassador exchanges"
    title: str  # in operation ids and schema names: "AmbassadorExchange"
    description: str  # of its part of the contract (the tag)
    list_description: str  # of its list operation
    schema: type[Schema]  # the answer: the wire format, also of change-log snapshots
    body: type[Schema]  # the body of POST
    patch_body: type[Schema]  # the body of PATCH, loaded partial
    query: type[Schema]  # the list's query string
    page: type[Schema]
    id_prefix: Optional[str] = None  # new ids are <prefix>_<random>; None: the body names the id
    id_parameter: str = "record_id"  # the name of its id in paths
    lists: dict[str, Link] = field(default_factory=dict)  # list fields kept in a link table
    cites: dict[str, Citation] = field(default_factory=dict)
    search: tuple[str, ...] = ()  # the fields the list's ``q`` matches
    dated: bool = False  # has start and end, so ``as_of`` filters it
    follow_ups: tuple[str, ...] = ()  # other operations that take its id (contract links)

    @property
    def path(self) -> str:
        return f"/v1/{self.name}"

    @property
    def key(self) -> str:
        """The name as a Python identifier: the seed file's key for it."""
        return self.name.replace("-", "_")

    def __repr__(self) -> str:
        return f"Resource({self.name!r})"

    @cached_property
    def response(self) -> Schema:
        return self.schema()

    def attribute(self, name: str) -> str:
        """The model attribute that holds the field ``name`` of the wire format."""
        field = self.response.fields.get(name)
        return (field.attribute if field else None) or name

    def new_id(self) -> str:
        if self.id_prefix is None:
            raise ValueError(f"a new {self.label} needs an id")
        return new_record_id(self.id_prefix)

    @cached_property
    def columns(self) -> dict[str, WireValue]:
        """Each field of the response schema, in its order, with where it is read from."""
        links = {**self.lists, **{name: c.link for name, c in self.cites.items() if c.link is not None}}
        return {
            name: links[name] if name in links else getattr(self.model, self.attribute(name))
            for name in self.response.fields
        }

    @cached_property
    def plain_columns(self) -> dict[str, ColumnElement]:
        """The fields read straight from the record's own table."""
        return {name: column for name, column in self.columns.items() if not isinstance(column, Link)}

    def column_of(self, name: str) -> Any:
        """The table column that stores the field ``name`` (a list field: its link table's values)."""
        column = self.columns[name]
        return (column.value if isinstance(column, Link) else column).expression

    @property
    def cited_by(self) -> list[tuple[Resource, Citation]]:
        """The resources whose records cite records of this one, and how."""
        return [
            (other, citation)
            for other in RESOURCES
            for citation in other.cites.values()
            if citation.target is self
        ]


SOURCES = Resource(
    name="sources",
    model=Source,
    label="source",
    plural="sources",
    title="Source",
    description="Citations behind every record.",
    list_description="Ordered by id. `q` matches publisher and title, case-insensitive.",
    schema=sources.SourceSchema,
    body=sources.SourceBody,
    patch_body=sources.SourceBodyPatch,
    query=sources.SourceQuery,
    page=sources.SourcePageSchema,
    id_prefix="src",
    search=("publisher", "title"),
)

GOVERNMENTS = Resource(
    name="governments",
    model=Government,
    label="government",
    plural="governments",
    title="Government",
    description="Governments and authorities that govern or claim a country, with their aliases.",
    list_description=(
        "Ordered by id. `q` matches names and aliases, case-insensitive; `country` takes\n"
        "alpha-2 or alpha-3 in any case."
    ),
    schema=governments.GovernmentSchema,
    body=governments.GovernmentCreateBody,
    patch_body=governments.GovernmentBodyPatch,
    query=governments.GovernmentQuery,
    page=governments.GovernmentPageSchema,
    id_parameter="government_id",
    lists={"aliases": Link(GovernmentAlias.government_id, GovernmentAlias.alias, GovernmentAlias.position)},
    search=("name", "aliases"),
    follow_ups=("getRelations",),
)

RECOGNITIONS = Resource(
    name="recognitions",
    model=Recognition,
    label="recognition",
    plural="recognitions",
    title="Recognition",
    description="Formal recognitions of a government by a country.",
    list_description="Ordered by id. `as_of` keeps the records in force on that day.",
    schema=recognitions.RecognitionSchema,
    body=recognitions.RecognitionBody,
    patch_body=recognitions.RecognitionBodyPatch,
    query=recognitions.RecognitionQuery,
    page=recognitions.RecognitionPageSchema,
    id_prefix="rcg",
    cites={
        "government": Citation(GOVERNMENTS, column=Recognition.government_id),
        "sources": Citation(
            SOURCES,
            link=Link(RecognitionSource.recognition_id, RecognitionSource.source_id, RecognitionSource.source_id),
        ),
    },
    dated=True,
)

AMBASSADOR_EXCHANGES = Resource(
    name="ambassador-exchanges",
    model=AmbassadorExchange,
    label="ambassador exchange",
    plural="ambassador exchanges",
    title="AmbassadorExchange",
    description="Accreditations between a country and a government, one direction each.",
    list_description="Ordered by id. `as_of` keeps the accreditations in force on that day.",
    schema=ambassador_exchanges.AmbassadorExchangeSchema,
    body=ambassador_exchanges.AmbassadorExchangeBody,
    patch_body=ambassador_exchanges.AmbassadorExchangeBodyPatch,
    query=ambassador_exchanges.AmbassadorExchangeQuery,
    page=ambassador_exchanges.AmbassadorExchangePageSchema,
    id_prefix="amb",
    cites={
        "government": Citation(GOVERNMENTS, column=AmbassadorExchange.government_id),
        "sources": Citation(
            SOURCES, link=Link(ExchangeSource.exchange_id, ExchangeSource.source_id, ExchangeSource.source_id)
        ),
    },
    dated=True,
)

# In the order the change log's vocabulary lists them (and the contract's enums show).
RESOURCES = (GOVERNMENTS, RECOGNITIONS, AMBASSADOR_EXCHANGES, SOURCES)
BY_NAME = {resource.name: resource for resource in RESOURCES}
# The records whose relations a government has: dated, and citing a government.
RELATION_RECORDS = (RECOGNITIONS, AMBASSADOR_EXCHANGES)

if tuple(BY_NAME) != CHANGE_RESOURCES:  # pragma: no cover - a resource added here needs its name there
    raise RuntimeError(f"domain.vocabulary.CHANGE_RESOURCES {CHANGE_RESOURCES} != the registry's {tuple(BY_NAME)}")
