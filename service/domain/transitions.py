"""How a pair's status moves over time, and what one write changed about it.

A pair's **status** on a day is what the relations answer says about it
(``service.domain.relations``): its category, how sure that is, and the category it
could be. Statuses change only on the days its records' bounds give
(``Span.change_days``), so the status over all days is a **timeline**: a first status
holding on every day before the first such day (open toward the past), then a status
from each day on which it changes.

A write changes some pairs' timelines. ``transition`` compares a pair's timeline
before and after, and says what changed, once:

``from`` is always the status the pair was answered with (today) just before the
write, and ``to`` the one it is answered with after it, so a pair's transitions chain:
each one's ``from`` is the previous one's ``to``.

- when the status **today** differs, ``effective`` is the first day of the run, ending
  today, over which the new status holds and the old one differed from it (``None``
  when that run has no first day: the change holds "from an unknown day");
- otherwise the write corrected another day (a past one, or a future one the records
  now date): ``from`` equals ``to``, ``effective`` is the first day on which the two
  timelines differ, and ``corrected`` holds the statuses on that day, before and after.

Equal timelines change nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from .in_force import Span
from .relations import Fact, status_on
from .vocabulary import CATEGORY_WORDS, CERTAINTY_WORDS

NO_RECORDS = "no_records"


@dataclass(frozen=True)
class Status:
    category: str
    certainty: str
    possible_category: str

    def wire(self) -> dict[str, str]:
        return {"category": self.category, "certainty": self.certainty, "possible_category": self.possible_category}


def status_of(spans: dict[str, Span], facts: list[Fact], day: dt.date) -> Status:
    """The pair's status on ``day``, as its relations row gives it."""
    if not facts:
        return Status("none", NO_RECORDS, "none")
    category, possible = status_on(spans, facts, day)
    return Status(category, "established" if category == possible else "uncertain", possible)


@dataclass(frozen=True)
class Timeline:
    """``first`` holds before the first day of ``changes``; each (day, status) holds from that day on."""

    first: Status
    changes: tuple[tuple[dt.date, Status], ...] = ()

    @property
    def days(self) -> list[dt.date]:
        return [day for day, _status in self.changes]

    def status_on(self, day: dt.date | None) -> Status:
        """The status on ``day``; ``None`` stands for the days before every change."""
        if day is None:
            return self.first
        position = bisect.bisect_right(self.days, day)
        return self.first if position == 0 else self.changes[position - 1][1]


def timeline(facts: list[Fact], spans: dict[str, Span]) -> Timeline:
    """The pair's statuses over all days, from its records and their bounds."""
    days = sorted({day for fact in facts for day in spans[fact.id].change_days()})
    if not days:
        return Timeline(status_of(spans, facts, dt.date.min))  # no bounds: one status on every day
    first = status_of(spans, facts, days[0] - dt.timedelta(days=1)) if days[0] > dt.date.min else None
    changes: list[tuple[dt.date, Status]] = []
    current = first
    for day in days:
        status = status_of(spans, facts, day)
        if status != current:
            changes.append((day, status))
            current = status
    if first is None:  # records bounded on the first day there is: that day's status holds "before" too
        first, changes = changes[0][1], changes[1:]
    return Timeline(first, tuple(changes))


@dataclass(frozen=True)
class Change:
    """What a write changed in one pair's status: ``effective`` None means from an unknown day."""

    before: Status  # today's, just before the write
    after: Status  # today's, after it
    effective: dt.date | None
    corrects_another_day: bool  # the status today is unchanged
    corrected: tuple[Status, Status] | None = None  # a correction: the statuses on ``effective``, before and after

    @property
    def shown(self) -> Status:
        """The status the change is about: today's, or for a correction the corrected day's."""
        return self.corrected[1] if self.corrected else self.after


def segments(old: Timeline, new: Timeline) -> list[dt.date | None]:
    """The first days of the stretches over which neither timeline changes; None: the open start."""
    return [None, *sorted(set(old.days) | set(new.days))]


def transition(old: Timeline, new: Timeline, today: dt.date) -> Change | None:
    """What changed between ``old`` and ``new`` (see the module's text); None when nothing did."""
    starts = segments(old, new)
    differ = [start for start in starts if old.status_on(start) != new.status_on(start)]
    if not differ:
        return None
    was, now = old.status_on(today), new.status_on(today)
    if was != now:
        current = bisect.bisect_right(starts[1:], today)  # index in starts of the stretch holding today
        effective = starts[current]
        for index in range(current, -1, -1):
            start = starts[index]
            if new.status_on(start) != now or old.status_on(start) == now:
                break
            effective = start
        return Change(was, now, effective, corrects_another_day=False)
    first = differ[0]
    return Change(was, now, first, corrects_another_day=True, corrected=(old.status_on(first), new.status_on(first)))


def representative_day(line: Timeline, start: dt.date | None, today: dt.date) -> dt.date:
    """A day on which the stretch beginning ``start`` holds (for the open start: the day before the first change)."""
    if start is not None:
        return start
    days = line.days
    return days[0] - dt.timedelta(days=1) if days and days[0] > dt.date.min else (days[0] if days else today)


@dataclass(frozen=True)
class DatedBy:
    """The record date a change day comes from: its EDTF text, and whose date it is."""

    edtf: str
    resource: str
    id: str
    field: str  # start, end, or (for a record without a start) its source's published


def dated_by(
    day: dt.date, facts: list[Fact], spans: dict[str, Span], sources: dict[str, dict], prefer: list[str]
) -> DatedBy | None:
    """Which record date puts a change on ``day`` (the records in ``prefer`` first, then by id)."""
    ranked = sorted(facts, key=lambda f: (f.id not in prefer, f.id))
    for fact in ranked:
        span = spans[fact.id]
        if day in (fact.start_earliest, fact.start_latest) and fact.data.get("start"):
            return DatedBy(fact.data["start"], fact.resource, fact.id, "start")
        if day in (fact.end_earliest, fact.end_latest) and fact.data.get("end"):
            return DatedBy(fact.data["end"], fact.resource, fact.id, "end")
        if fact.start_latest is None and span.first_reported == day:
            for source_id in sorted(fact.data["sources"]):
                published = sources.get(source_id, {}).get("published")
                if published:
                    return DatedBy(published, "sources", source_id, "published")
    return None


# --- in words, for feed titles --------------------------------------------------------------

MONTHS = ("January February March April May June July August September October November December").split()


def status_words(status: Status) -> str:
    """A status in plain words; an uncertain one says so, and what it could be."""
    if status.certainty == NO_RECORDS:
        return CERTAINTY_WORDS[NO_RECORDS]
    words = CATEGORY_WORDS[status.category]
    if status.certainty == "uncertain":
        possibly = f"possibly {CATEGORY_WORDS[status.possible_category]} ({CERTAINTY_WORDS['uncertain']})"
        return possibly if status.category == "none" else f"{words}, possibly {possibly.removeprefix('possibly ')}"
    return words


def day_words(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def effective_words(day: dt.date | None, dated: DatedBy | None) -> str:
    """ "from 3 July 2025"; a day drawn from a vaguer date names that date too, and a day
    that is only a first report's says so: the status may have held before it."""
    if day is None:
        return "from an unknown day"
    if dated is not None and dated.field == "published":
        return f"known from {day_words(day)}, when first reported (its start is not given)"
    if dated is None or dated.edtf == day.isoformat():
        return f"from {day_words(day)}"
    return f"from {day_words(day)} (the date given is {dated.edtf})"


def title(country_name: str, change: Change, dated: DatedBy | None) -> str:
    """ "Russian Federation: ambassadors exchanged → recognized, from 3 July 2025"; a correction
    says today's status stands, then what changed on the corrected day."""
    if change.corrected is not None:
        was, now = change.corrected
        arrow = f"{status_words(was)} → {status_words(now)}"
        return (
            f"{country_name}: still {status_words(change.after)}; corrected, "
            f"{effective_words(change.effective, dated)}: {arrow}"
        )
    arrow = f"{status_words(change.before)} → {status_words(change.after)}"
    return f"{country_name}: {arrow}, {effective_words(change.effective, dated)}"
