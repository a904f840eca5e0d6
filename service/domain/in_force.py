"""When a record is in force: the rule, in Python (``service.store.in_force`` has its SQL form).

A record is in force on day D when its start is known to be on or before D and its
end is null or certainly after D. "Known to be on or before D" uses the latest day
the start's EDTF value can mean; a record whose start is unknown counts from the
earliest ``published`` day of the sources that cite it (the latest day that value can
mean), and with no dated source it is never counted as in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def known_from(start_latest: dt.date | None, cited_published: Iterable[dt.date | None]) -> dt.date | None:
    """The first day the record is known to be in force; None when it never is."""
    if start_latest is not None:
        return start_latest
    return min((day for day in cited_published if day is not None), default=None)


def in_force(known: dt.date | None, end_earliest: dt.date | None, day: dt.date) -> bool:
    """Whether a record known from ``known`` and ending no earlier than ``end_earliest`` holds on ``day``."""
    return known is not None and known <= day and (end_earliest is None or end_earliest > day)
