"""The three-state in-force rule (service.force), table-driven and as a property."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.dates import parse_bounds
from service.domain.in_force import IN_FORCE, NOT_IN_FORCE, POSSIBLY_IN_FORCE, Span

D = dt.date.fromisoformat


def span(start: str | None, end: str | None = None, reported: str | None = None) -> Span:
    start_bounds = parse_bounds(start) if start else None
    end_bounds = parse_bounds(end) if end else None
    return Span(
        start_bounds and start_bounds.earliest,
        start_bounds and start_bounds.latest,
        end_bounds and end_bounds.earliest,
        end_bounds and end_bounds.latest,
        D(reported) if reported else None,
    )


CASES = [
    # (start, end, first reported, day, state)
    ("2025-07-03", None, None, "2025-07-02", NOT_IN_FORCE),
    ("2025-07-03", None, None, "2025-07-03", IN_FORCE),
    ("2025-07", None, None, "2025-06-30", NOT_IN_FORCE),
    ("2025-07", None, None, "2025-07-02", POSSIBLY_IN_FORCE),  # the example
    ("2025-07", None, None, "2025-07-31", IN_FORCE),
    ("2021", None, None, "2021-06-01", POSSIBLY_IN_FORCE),
    ("2025-07-03?", None, None, "2025-07-02", POSSIBLY_IN_FORCE),  # widened by its qualifier
    ("2025-07-03?", None, None, "2025-07-04", POSSIBLY_IN_FORCE),
    ("2024?", None, None, "2022-12-31", NOT_IN_FORCE),  # 2024? spans 2023..2025
    ("2024?", None, None, "2023-01-01", POSSIBLY_IN_FORCE),
    ("2024?", None, None, "2025-12-31", IN_FORCE),
    ("2023~", None, None, "2024-12-30", POSSIBLY_IN_FORCE),
    ("2023~", None, None, "2024-12-31", IN_FORCE),
    ("2020", "2023-05-10", None, "2023-05-09", IN_FORCE),
    ("2020", "2023-05-10", None, "2023-05-10", NOT_IN_FORCE),  # not in force on its end day
    ("2020", "2023", None, "2022-12-31", IN_FORCE),
    ("2020", "2023", None, "2023-01-01", POSSIBLY_IN_FORCE),  # may have ended
    ("2020", "2023", None, "2023-12-31", NOT_IN_FORCE),
    ("2020", "2023?", None, "2022-01-01", POSSIBLY_IN_FORCE),
    # No start: in force from its first report, possibly in force before, never "not" for lack of a date.
    (None, None, "2025-07-03", "2025-07-02", POSSIBLY_IN_FORCE),
    (None, None, "2025-07-03", "1900-01-01", POSSIBLY_IN_FORCE),
    (None, None, "2025-07-03", "2025-07-03", IN_FORCE),
    (None, None, None, "2099-01-01", POSSIBLY_IN_FORCE),  # no dated source: never certain
    (None, "2024-05-01", "2025-07-03", "2024-05-01", NOT_IN_FORCE),  # an end still ends it
    (None, "2026", "2025-07-03", "2025-12-31", IN_FORCE),
    (None, "2026", "2025-07-03", "2026-02-01", POSSIBLY_IN_FORCE),
    ("2021", None, "2000-01-01", "2021-06-01", POSSIBLY_IN_FORCE),  # a known start overrides the report
]


@pytest.mark.parametrize(("start", "end", "reported", "day", "state"), CASES)
def test_state_on_a_day(start, end, reported, day, state):
    assert span(start, end, reported).state_on(D(day)) == state


def test_change_days_bound_every_change():
    record = span("2021", "2023-05")
    days = sorted(record.change_days())
    assert days == [D("2021-01-01"), D("2021-12-31"), D("2023-05-01"), D("2023-05-31")]
    unknown_start = span(None, None, "2025-07-03")
    assert unknown_start.change_days() == {D("2025-07-03")}


# --- the property: random EDTF bounds never give two states at once -----------------------

YEARS = st.integers(min_value=1990, max_value=2030)


@st.composite
def edtf_values(draw) -> str:
    year = draw(YEARS)
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        text = f"{year:04d}"
    elif precision == "month":
        text = f"{year:04d}-{draw(st.integers(1, 12)):02d}"
    else:
        text = D(f"{year:04d}-01-01") + dt.timedelta(days=draw(st.integers(0, 364)))
        text = text.isoformat()
    return text + draw(st.sampled_from(["", "", "?", "~", "%"]))


@st.composite
def spans(draw) -> Span:
    start = draw(st.none() | edtf_values())
    end = draw(st.none() | edtf_values())
    start_bounds = parse_bounds(start) if start else None
    end_bounds = parse_bounds(end) if end else None
    if start_bounds and end_bounds and end_bounds.latest < start_bounds.earliest:
        end_bounds = None  # the write path refuses an end surely before the start
    reported = draw(st.none() | st.dates(D("1990-01-01"), D("2031-12-31")))
    return Span(
        start_bounds and start_bounds.earliest,
        start_bounds and start_bounds.latest,
        end_bounds and end_bounds.earliest,
        end_bounds and end_bounds.latest,
        reported,
    )


@settings(max_examples=600, deadline=None)
@given(record=spans(), day=st.dates(D("1985-01-01"), D("2035-12-31")))
def test_a_record_is_never_in_two_states(record, day):
    begun_earliest, begun_latest = record.begun_earliest, record.begun_latest
    surely_in = (begun_latest is not None and begun_latest <= day) and (
        record.end_earliest is None or record.end_earliest > day
    )
    surely_not = (begun_earliest is not None and begun_earliest > day) or (
        record.end_latest is not None and record.end_latest <= day
    )
    assert not (surely_in and surely_not), "the definitions overlap"
    expected = IN_FORCE if surely_in else NOT_IN_FORCE if surely_not else POSSIBLY_IN_FORCE
    assert record.state_on(day) == expected
    if record.start_earliest is None:
        assert record.state_on(day) != NOT_IN_FORCE or record.end_latest is not None, (
            "no start never makes a record not in force"
        )


@settings(max_examples=300, deadline=None)
@given(record=spans(), day=st.dates(D("1985-01-02"), D("2035-12-31")))
def test_the_state_changes_only_on_a_change_day(record, day):
    if day not in record.change_days():
        assert record.state_on(day) == record.state_on(day - dt.timedelta(days=1))


@settings(max_examples=300, deadline=None)
@given(
    record=spans(),
    first=st.dates(D("1985-01-01"), D("2035-12-31")),
    length=st.integers(0, 20000),
)
def test_runs_cover_the_days_with_the_state_of_each(record, first, length):
    """``runs`` (what the timeline draws) tiles the days, each run one state, no two
    neighbours alike, every day's state that of ``state_on``."""
    last = min(first + dt.timedelta(days=length), dt.date.max)
    runs = record.runs(first, last)
    assert runs[0][1] == first and runs[-1][2] == last
    for (state, begin, end), following in zip(runs, [*runs[1:], None], strict=True):
        assert begin <= end
        assert record.state_on(begin) == state and record.state_on(end) == state
        if following:
            assert following[1] == end + dt.timedelta(days=1) and following[0] != state
    for day in {first, last, *(d for d in record.change_days() if first <= d <= last)}:
        assert next(state for state, begin, end in runs if begin <= day <= end) == record.state_on(day)


def test_runs_reach_the_calendars_edges():
    record = span(None, "9999-12-31", "0001-01-01")
    assert record.runs(dt.date.min, dt.date.max) == [
        (IN_FORCE, dt.date.min, D("9999-12-30")),
        (NOT_IN_FORCE, D("9999-12-31"), dt.date.max),
    ]
    assert span("2025-07").runs(dt.date.min, dt.date.min) == [(NOT_IN_FORCE, dt.date.min, dt.date.min)]
