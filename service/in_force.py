"""When a record is in force: the one definition, as SQL, shared by every query.

A record is in force on day D when its start is known to be on or before D and its
end is null or certainly after D. "Known to be on or before D" uses the latest day
the start's EDTF value can mean; a record whose start is unknown counts from the
earliest ``published`` day of the sources that cite it (the latest day that value can
mean), and with no dated source it is never counted as in force.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, func, or_, select

from .models import AmbassadorExchange, ExchangeSource, Recognition, RecognitionSource, Source

SOURCE_LINKS = {
    Recognition: (RecognitionSource, RecognitionSource.recognition_id),
    AmbassadorExchange: (ExchangeSource, ExchangeSource.exchange_id),
}


def earliest_source_day(model) -> ColumnElement:
    link, record_key = SOURCE_LINKS[model]
    return (
        select(func.min(Source.published_latest))
        .join(link, link.source_id == Source.id)
        .where(record_key == model.id)
        .correlate(model)
        .scalar_subquery()
    )


def known_from(model) -> ColumnElement:
    """The first day the record is known to be in force (null when never known)."""
    return func.coalesce(model.start_latest, earliest_source_day(model))


def in_force_on(model, day: dt.date) -> ColumnElement:
    return and_(
        known_from(model) <= day,
        or_(model.end_earliest.is_(None), model.end_earliest > day),
    )
