"""When a record is in force, as SQL: the collections' ``as_of`` filter.

The same rule as ``service.domain.in_force`` (which the relations answer uses), over
the stored day bounds: known from the start's latest day, or else from the earliest
``published_latest`` of the sources it cites; in force until its end's earliest day.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, func, or_, select

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
    """The first day the record is known to be in force (null when never known)."""
    return func.coalesce(resource.model.start_latest, earliest_source_day(resource))


def in_force_on(resource: Resource, day: dt.date) -> ColumnElement:
    return and_(
        known_from(resource) <= day,
        or_(resource.model.end_earliest.is_(None), resource.model.end_earliest > day),
    )
