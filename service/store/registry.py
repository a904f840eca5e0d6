"""The registry of resources: each stored resource declared once, for everything to read.

A ``Resource`` says what the write path, the change feed and history, the seed and
synthetic loaders, the views, the contract's text and the tests need to know about
it: its name, its model, its wire format and words (``Wire``, declared beside its
schemas in ``service/schemas/<resource>.py``), how new ids are made, and which other
records it cites. What can be derived is derived:

- its labels, operation-id stem and path, from its name (``ambassador-exchanges``:
  "ambassador exchange", ``AmbassadorExchange``, ``/v1/ambassador-exchanges``);
- its page schema and its PATCH body (the body's fields, each optional);
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
from typing import Any

from marshmallow import Schema
from sqlalchemy import ColumnElement

from ..domain.vocabulary import CHANGE_RESOURCES
from ..schemas import ambassador_exchanges, governments, recognitions, sources
from ..schemas.fields import page_of
from ..schemas.wire import Wire
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
    link: Link | None = None


# Where a field of an answer is read from: a column of the table, or a link table.
WireValue = ColumnElement | Link


@dataclass(frozen=True, eq=False)
class Resource:
    name: str  # the URL segment (/v1/<name>) and the change log's name for it
    model: type
    wire: Wire
    id_prefix: str | None = None  # new ids are <prefix>_<random>; None: the body names the id
    id_parameter: str = "record_id"  # the name of its id in paths
    lists: dict[str, Link] = field(default_factory=dict)  # list fields kept in a link table of its own
    cites: dict[str, Citation] = field(default_factory=dict)  # fields naming records of other resources
    follow_ups: tuple[str, ...] = ()  # other operations that take its id (the contract's links)

    def __repr__(self) -> str:
        return f"Resource({self.name!r})"

    @property
    def path(self) -> str:
        return f"/v1/{self.name}"

    @property
    def key(self) -> str:
        """The name as a Python identifier: the seed file's key for it."""
        return self.name.replace("-", "_")

    @property
    def plural(self) -> str:
        return self.name.replace("-", " ")

    @property
    def label(self) -> str:
        """One record, in prose: "ambassador exchange"."""
        return self.plural.removesuffix("s")

    @property
    def title(self) -> str:
        """In operation ids and schema names: "AmbassadorExchange"."""
        return "".join(word.capitalize() for word in self.label.split())

    @property
    def schema(self) -> type[Schema]:
        return self.wire.response

    @property
    def body(self) -> type[Schema]:
        return self.wire.create_body or self.wire.body

    @property
    def query(self) -> type[Schema]:
        return self.wire.query

    @cached_property
    def patch_body(self) -> type[Schema]:
        """The body of PATCH: loaded partial from a request, and whole to check the merged
        record. A class of its own, so the contract shows the partial body under its name."""
        return type(f"{self.wire.body.__name__}Patch", (self.wire.body,), {})

    @cached_property
    def page(self) -> type[Schema]:
        return page_of(self.schema, f"{self.title}Page")

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
            (other, citation) for other in RESOURCES for citation in other.cites.values() if citation.target is self
        ]


def dated_record(name: str, model: type, wire: Wire, id_prefix: str, link_owner: Any) -> Resource:
    """A recognition or an exchange: it cites a government (``government_id``), and sources
    in the link table whose column ``link_owner`` names the record."""
    link = link_owner.class_
    cites = {
        "government": Citation(GOVERNMENTS, column=model.government_id),
        "sources": Citation(SOURCES, link=Link(link_owner, link.source_id, link.source_id)),
    }
    return Resource(name, model, wire, id_prefix=id_prefix, cites=cites)


SOURCES = Resource("sources", Source, sources.WIRE, id_prefix="src")
GOVERNMENTS = Resource(
    "governments",
    Government,
    governments.WIRE,
    id_parameter="government_id",
    lists={"aliases": Link(GovernmentAlias.government_id, GovernmentAlias.alias, GovernmentAlias.position)},
    follow_ups=("getRelations",),
)
RECOGNITIONS = dated_record("recognitions", Recognition, recognitions.WIRE, "rcg", RecognitionSource.recognition_id)
AMBASSADOR_EXCHANGES = dated_record(
    "ambassador-exchanges", AmbassadorExchange, ambassador_exchanges.WIRE, "amb", ExchangeSource.exchange_id
)

# In the order the change log's vocabulary lists them (and the contract's enums show).
RESOURCES = (GOVERNMENTS, RECOGNITIONS, AMBASSADOR_EXCHANGES, SOURCES)
BY_NAME = {resource.name: resource for resource in RESOURCES}
# The records whose relations a government has: dated, and citing a government.
RELATION_RECORDS = (RECOGNITIONS, AMBASSADOR_EXCHANGES)

if tuple(BY_NAME) != CHANGE_RESOURCES:  # a resource added here needs its name there too (and a migration)
    raise RuntimeError(f"domain.vocabulary.CHANGE_RESOURCES {CHANGE_RESOURCES} != the registry's {tuple(BY_NAME)}")
