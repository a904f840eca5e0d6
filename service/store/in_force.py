"""The in-force rule of ``service.domain.in_force`` as SQL: the collections' ``as_of`` filter.

``force_state`` gives the three states as a CASE expression over the stored day
bounds; ``in_force_on`` is the same test for ``in_force`` alone, written so that the
relation indexes serve it. A record whose start is unknown has surely begun by the
earliest ``published_latest`` of the sources it cites. Tests keep both equal to
``Span.state_on`` on random data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from ..domain.in_force import IN_FORCE, NOT_IN_FORCE, POSSIBLY_IN_FORCE
from .models import Source
from .registry import Resource


def earliest_source_day(resource: Resource) -> ColumnElement:
    link, model = resource.cites["sources"].link, resource.model
    return (
        select(func.min(Source.published_latest))
        .join(link.value.class_, link.value == Source.id)
        .where(link.owner == model.id)
        .correlate(model)
        .scalar_subquery()
    )


def known_from(resource: Resource) -> ColumnElement:
    """The day by which the record had surely begun (null when no such day is known)."""
    return func.coalesce(resource.model.start_latest, earliest_source_day(resource))


def in_force_on(resource: Resource, day: dt.date) -> ColumnElement:
    return and_(
        known_from(resource) <= day,
        or_(resource.model.end_earliest.is_(None), resource.model.end_earliest > day),
    )


def force_state(resource: Resource, day: dt.date) -> ColumnElement[str]:
    """``in_force``, ``not_in_force`` or ``possibly_in_force`` on ``day``, row by row."""
    model = resource.model
    return case(
        (or_(model.start_earliest > day, model.end_latest <= day), NOT_IN_FORCE),
        (in_force_on(resource, day), IN_FORCE),
        else_=POSSIBLY_IN_FORCE,
    )
