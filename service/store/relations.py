"""The records a relations answer is built from: one government's, and the sources they cite.

From the live tables in a fixed number of queries (``live_records``), or as the change
log had them at a moment (``known_records``). Either way they come as the records'
wire dicts (``Fact``) for ``service.domain.relations.classify``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import ColumnElement, or_, select, union

from ..domain.dates import parse_bounds
from ..domain.relations import Fact, Records
from .changes import state_at
from .database import db
from .models import Change, Government, Source
from .registry import AMBASSADOR_EXCHANGES, GOVERNMENTS, RECOGNITIONS, RELATION_RECORDS, SOURCES, Resource


def of_government(statement, resource: Resource, government_id: str, only_country: str | None):
    model = resource.model
    statement = statement.where(model.government_id == government_id)
    return statement.where(model.country == only_country) if only_country else statement


def wire_facts(resource: Resource, government_id: str, only_country: str | None) -> list[Fact]:
    """The government's records of one kind with the ids of the sources they cite: two queries."""
    model, link = resource.model, resource.cites["sources"].link
    cited: dict[str, list[str]] = defaultdict(list)
    links = of_government(
        select(link.owner, link.value).join(model, model.id == link.owner), resource, government_id, only_country
    )
    for record_id, source_id in db.session.execute(links.order_by(link.owner, link.value)):
        cited[record_id].append(source_id)
    columns = resource.plain_columns
    names = tuple(columns)
    rows = of_government(
        select(*columns.values(), model.start_earliest, model.start_latest, model.end_earliest, model.end_latest),
        resource,
        government_id,
        only_country,
    )
    facts = []
    for row in db.session.execute(rows.order_by(model.id)):
        data = dict(zip(names, row, strict=False))  # the day bounds follow the fields
        data["sources"] = cited.get(data["id"], [])
        facts.append(Fact(resource.name, data, *row[len(names) :]))
    return facts


def cited_sources(government_id: str, only_country: str | None) -> tuple[dict, dict]:
    """The sources any of the government's records cite, as wire dicts, and their latest published days."""
    cited_ids = union(
        *(
            of_government(
                select(link.value).join(resource.model, resource.model.id == link.owner),
                resource,
                government_id,
                only_country,
            )
            for resource in RELATION_RECORDS
            for link in (resource.cites["sources"].link,)
        )
    ).subquery()
    columns = SOURCES.plain_columns
    names = tuple(columns)
    statement = select(*columns.values(), Source.published_latest).where(Source.id.in_(select(cited_ids.c[0])))
    sources, published = {}, {}
    for row in db.session.execute(statement):
        sources[row[0]] = dict(zip(names, row, strict=False))  # published_latest follows
        published[row[0]] = row[len(names)]
    return sources, published


def live_records(government_id: str, only_country: str | None) -> Records | None:
    """The government's records from the tables: a fixed number of queries; None without the government."""
    government = db.session.get(Government, government_id)
    if government is None:
        return None
    sources, published = cited_sources(government.id, only_country)
    return Records(
        government={
            "id": government.id,
            "name": government.name,
            "country": government.country,
            "start": government.start,
        },
        recognitions=wire_facts(RECOGNITIONS, government.id, only_country),
        exchanges=wire_facts(AMBASSADOR_EXCHANGES, government.id, only_country),
        sources=sources,
        published=published,
    )


def names_government(government_id: str) -> ColumnElement[bool]:
    """The changes that put a record in, or take it out of, the government's answer.

    A record's state at a moment is the ``after`` of its newest change by then. If
    that names the government, the change passes; if it does not, any earlier change
    that did name it was followed by one taking the record away (``before`` names the
    government), which passes too. So the narrowed replay ends with a state naming
    the government exactly when the full replay does.
    """
    return or_(
        Change.after["government"].as_string() == government_id,
        Change.before["government"].as_string() == government_id,
    )


def known_records(government_id: str, moment: dt.datetime) -> Records | None:
    """The government's records as the change log had them at ``moment``: the replay
    reads only the changes of the government, its records and the sources they cite.
    None when no government had the id then."""
    governments = state_at(moment, (GOVERNMENTS.name,), Change.record_id == government_id)[GOVERNMENTS.name]
    government = governments.get(government_id)
    if government is None:
        return None
    kinds = tuple(resource.name for resource in RELATION_RECORDS)
    state = state_at(moment, kinds, names_government(government_id))

    def facts_of(resource: Resource) -> list[Fact]:
        records = sorted(state[resource.name].values(), key=lambda r: r["id"])
        return [Fact.from_wire(resource.name, r) for r in records if r["government"] == government_id]

    recognitions = facts_of(RECOGNITIONS)
    exchanges = facts_of(AMBASSADOR_EXCHANGES)
    cited = sorted({source for fact in recognitions + exchanges for source in fact.data["sources"]})
    sources = state_at(moment, (SOURCES.name,), Change.record_id.in_(cited))[SOURCES.name] if cited else {}
    return Records(
        government=government,
        recognitions=recognitions,
        exchanges=exchanges,
        sources=sources,
        published={
            key: parse_bounds(s["published"]).latest if s.get("published") else None for key, s in sources.items()
        },
    )


def record_changes(ids_by_resource: dict[str, list[str]]) -> list[Change]:
    """Every change of the named records (by resource name), oldest first: their history."""
    conditions = [
        (Change.resource == resource) & Change.record_id.in_(ids) for resource, ids in ids_by_resource.items() if ids
    ]
    if not conditions:
        return []
    return list(db.session.scalars(select(Change).where(or_(*conditions)).order_by(Change.seq)))
