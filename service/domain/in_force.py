"""Whether a record is in force on a day: the one rule, in pure Python.

A record's start and end are EDTF values, each standing for a range of days (its
earliest and latest day; see ``service.domain.dates``). On day D a record is in one of
three states:

- ``in_force``: its start's latest day is on or before D, and it has no end or its
  end's earliest day is after D;
- ``not_in_force``: its start's earliest day is after D, or its end's latest day is
  on or before D;
- ``possibly_in_force``: anything else (the bounds straddle D).

A record with no start began on an unknown day no later than its earliest source's
publication (the latest day that ``published`` value can mean): it is in force from
that day and possibly in force before it, never "not in force" for lack of a start.
With no dated source it is possibly in force until its end says otherwise.

``service.store.in_force`` holds the same rule as SQL for the collections' ``as_of``
filters; tests keep the two equal on random data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .vocabulary import FORCE_STATES

IN_FORCE, POSSIBLY_IN_FORCE, NOT_IN_FORCE = FORCE_STATES


@dataclass(frozen=True)
class Span:
    """The day bounds that decide a record's state; ``None`` where a value is unknown.

    ``first_reported`` is the latest day its earliest source can have been published:
    it only matters when the start is unknown.
    """

    start_earliest: dt.date | None
    start_latest: dt.date | None
    end_earliest: dt.date | None = None
    end_latest: dt.date | None = None
    first_reported: dt.date | None = None

    @property
    def begun_earliest(self) -> dt.date | None:
        """The earliest day it can have begun; ``None``: any day, however early."""
        return self.start_earliest

    @property
    def begun_latest(self) -> dt.date | None:
        """The day by which it had certainly begun; ``None``: no such day is known."""
        return self.start_latest if self.start_latest is not None else self.first_reported

    def state_on(self, day: dt.date) -> str:
        earliest, latest = self.begun_earliest, self.begun_latest
        if (earliest is not None and earliest > day) or (self.end_latest is not None and self.end_latest <= day):
            return NOT_IN_FORCE
        if latest is not None and latest <= day and (self.end_earliest is None or self.end_earliest > day):
            return IN_FORCE
        return POSSIBLY_IN_FORCE

    def change_days(self) -> set[dt.date]:
        """The days on which its state can differ from the day before."""
        bounds = (self.begun_earliest, self.begun_latest, self.end_earliest, self.end_latest)
        return {day for day in bounds if day is not None}

    def runs(self, first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
        """Its states from ``first`` to ``last`` (both included) as (state, first day, last
        day) runs, each as long as the state stays the same; read from ``state_on`` on the
        days ``change_days`` names, so a picture of them cannot disagree with the rule."""
        cuts = sorted(day for day in self.change_days() if first < day <= last)
        runs: list[tuple[str, dt.date, dt.date]] = []
        for begin, following in zip([first, *cuts], [*cuts, None], strict=True):
            # A cut is later than ``first``, so the day before it is a real date.
            end = following - dt.timedelta(days=1) if following is not None else last
            state = self.state_on(begin)
            if runs and runs[-1][0] == state:
                runs[-1] = (state, runs[-1][1], end)
            else:
                runs.append((state, begin, end))
        return runs
