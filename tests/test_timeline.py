"""The timeline as a picture of the in-force rule: each bar, sampled day by day, shows
what ``Span.state_on`` says (solid: in force; hatched: possibly; nothing: not), at any
day of the calendar, with its sources. The HTTP side is in tests/test_desk.py."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.dates import parse_bounds
from service.domain.in_force import IN_FORCE, NOT_IN_FORCE, POSSIBLY_IN_FORCE, Span
from service.pictures.statusmap import COLOURS
from service.pictures.timeline import Mark, TimelineInput, render_timeline

SVG = {"s": "http://www.w3.org/2000/svg"}
D = dt.date.fromisoformat
ONE_DAY = dt.timedelta(days=1)


def mark(start: str | None, end: str | None = None, reported: str | None = None, record: str = "rcg_1") -> Mark:
    start_bounds = parse_bounds(start) if start else None
    end_bounds = parse_bounds(end) if end else None
    span = Span(
        start_bounds and start_bounds.earliest,
        start_bounds and start_bounds.latest,
        end_bounds and end_bounds.earliest,
        end_bounds and end_bounds.latest,
        D(reported) if reported and not start else None,
    )
    return Mark(
        record, "FR", "recognition", "recognition (de jure)", COLOURS["recognized"], start_bounds, end_bounds, span
    )


def draw(marks: list[Mark], until: str, government_start: str | None = None, sources=(), width=1280) -> ET.Element:
    spec = TimelineInput(
        "Government X", government_start, D(until), marks, lambda c, r: f"/governments/x/{c}#{r}", sources=sources
    )
    return ET.fromstring(render_timeline(spec, width).split("?>", 1)[1])


def segments(root: ET.Element, record: str) -> list[dict]:
    link = root.find(f".//s:a[@data-record='{record}']", SVG)
    return [
        {
            "state": rect.get("data-state"),
            "class": rect.get("class"),
            "fill": rect.get("fill"),
            "first": D(rect.get("data-first")),
            "last": D(rect.get("data-last")),
            "x": float(rect.get("x")),
            "right": float(rect.get("x")) + float(rect.get("width")),
        }
        for rect in link.iterfind("s:rect", SVG)
    ]


def day_to_x(root: ET.Element):
    """The axis's own scale, read from its year labels (each at 1 January): day -> x."""
    ticks = [
        (dt.date(int(t.text), 1, 1).toordinal(), float(t.get("x")))
        for t in root.iterfind(".//s:g[@class='axis']/s:text", SVG)
    ]
    (d0, x0), (d1, x1) = ticks[0], ticks[-1]
    per_day = (x1 - x0) / (d1 - d0)
    return lambda ordinal: x0 + (ordinal - d0) * per_day


def sample_days(span: Span, first: dt.date, last: dt.date) -> set[dt.date]:
    days = {first, last}
    for day in span.change_days():
        for near in (day - ONE_DAY if day > dt.date.min else day, day, day + ONE_DAY if day < dt.date.max else day):
            if first <= near <= last:
                days.add(near)
    step = max((last - first).days // 40, 1)
    days.update(first + dt.timedelta(days=n) for n in range(0, (last - first).days + 1, step))
    return days


def assert_bar_follows_the_rule(root: ET.Element, item: Mark, until: dt.date) -> None:
    drawn = segments(root, item.record_id)
    assert root.get("data-last-day") == until.isoformat()
    axis_first = D(root.get("data-first-day"))
    assert all(axis_first <= s["first"] <= s["last"] <= until for s in drawn)
    scale = day_to_x(root) if len(root.findall(".//s:g[@class='axis']/s:text", SVG)) > 1 else None
    for day in sample_days(item.span, axis_first, until):
        expected = item.span.state_on(day)
        covering = [s for s in drawn if s["first"] <= day <= s["last"]]
        if expected == NOT_IN_FORCE:
            assert covering == [], f"{day}: drawn although not in force"
            continue
        assert len(covering) == 1, f"{day}: {expected} but drawn {len(covering)} times"
        shown = covering[0]
        assert shown["state"] == expected, f"{day}: drawn {shown['state']}, the rule says {expected}"
        if expected == IN_FORCE:
            assert shown["class"] == "in-force" and shown["fill"] == item.colour
        else:
            assert shown["class"] == "possibly" and shown["fill"].startswith("url(#")
        if scale:  # and the day's middle is inside the drawn rectangle
            middle = scale(day.toordinal() + 0.5)
            assert shown["x"] - 0.2 <= middle <= shown["right"] + 0.2, f"{day}: x {middle} outside the bar"


# (start, end, first reported, day shown)
CASES = [
    (None, "2020", "2025-07-15", "2025-07-31"),  # reported after its end: never in force
    (None, "2020", "2025-07-15", "2026-01-01"),
    ("2027-03-01", None, None, "2025-01-01"),  # begins after the day shown
    ("2024?", None, None, "2025-01-01"),  # possibly in force on the day shown
    ("2024?", None, None, "2026-06-01"),
    ("2024-06", None, None, "2025-01-01"),
    ("2024-06", "2024-06", None, "2025-01-01"),  # may have ended before it surely began
    ("2020", "2023", None, "2025-01-01"),
    ("2020", "2023?", None, "2025-01-01"),
    (None, None, "2025-07-03", "2025-07-04"),  # the seed's China
    (None, None, "2025-07-03", "2025-07-02"),
    (None, None, None, "2025-07-04"),  # no dated source: possibly in force throughout
    (None, "2026", "2025-07-03", "2027-01-01"),
    ("2025-07-03", None, None, "2025-07-03"),  # in force on the day shown only
    ("2025-07-03", "2025-07-04", None, "2025-07-10"),  # in force one day
]


@pytest.mark.parametrize(("start", "end", "reported", "until"), CASES)
@pytest.mark.parametrize("government_start", [None, "2021-08-15"])
def test_each_bar_shows_the_rule_day_by_day(start, end, reported, until, government_start):
    item = mark(start, end, reported)
    root = draw([item], until, government_start)
    assert_bar_follows_the_rule(root, item, D(until))


@pytest.mark.parametrize(("start", "end", "reported", "until"), CASES)
def test_the_arrow_and_the_open_end_claim_no_more_than_the_rule(start, end, reported, until):
    item = mark(start, end, reported)
    root = draw([item], until)
    link = root.find(".//s:a[@class='mark']", SVG)
    on_the_day = item.span.state_on(D(until))
    arrow = link.find("s:path[@class='no-end']", SVG)
    if end is None and on_the_day != NOT_IN_FORCE:
        assert arrow is not None and arrow.get("data-state") == on_the_day
        assert (arrow.get("fill") == item.colour) == (on_the_day == IN_FORCE)
    else:
        assert arrow is None, "no arrow for a record not in force on the day shown"
    drawn = segments(root, item.record_id)
    if not drawn:
        assert link.find("s:text[@class='note']", SVG).text == "not in force on any day shown"
    # The title says "in force from" only of a day the rule says it is in force.
    title = link.find("s:title", SVG).text
    if "in force from" in title:
        said = D(title.split("in force from ", 1)[1][:10])
        assert item.span.state_on(said) == IN_FORCE
    known = link.get("data-known-from")
    assert not known or item.span.state_on(D(known)) == IN_FORCE


def test_a_record_reported_after_its_end_is_never_drawn_in_force():
    """The reviewer's case: no start, end 2020, first reported in July 2025."""
    item = mark(None, "2020", "2025-07-31")
    root = draw([item], "2025-08-01")
    drawn = segments(root, item.record_id)
    assert [s["state"] for s in drawn] == [POSSIBLY_IN_FORCE]
    assert drawn[0]["last"] == D("2020-12-30")  # the hatch stops at the end's latest day
    assert root.find(".//s:rect[@class='in-force']", SVG) is None
    title = root.find(".//s:a/s:title", SVG).text
    assert "in force from" not in title and "possibly in force" in title


@pytest.mark.parametrize(("start", "until"), [("2027-03-01", "2025-01-01"), ("2024?", "2025-01-01")])
def test_no_solid_tick_for_a_record_not_in_force_on_the_day(start, until):
    root = draw([mark(start)], until)
    assert root.find(".//s:rect[@class='in-force']", SVG) is None


def test_the_timeline_carries_its_sources():
    sources = [{"publisher": "CNN", "published": "2025-07-03"}, {"publisher": "Reuters", "published": None}]
    root = draw([mark("2025-07-03")], "2025-07-04", sources=sources)
    line = " ".join(t.text for t in root.iterfind("s:text[@class='source-line']", SVG))
    assert line == "Sources: CNN, 2025-07-03; Reuters"
    bare = draw([mark("2025-07-03")], "2025-07-04")
    assert bare.find("s:text[@class='source-line']", SVG).text == "Sources: none cited"


EDGES = [
    # (start, end, reported, day shown, government start)
    (None, None, "0001-03-01", "0001-01-01", None),
    (None, None, "0001-03-01", "0001-12-31", None),
    ("0001-06-01", None, None, "2025-07-04", None),
    ("0001-06-01", None, None, "0001-06-01", "0001-01-01"),
    ("0001", "9999", None, "9999-12-31", None),
    ("9999-12-31", None, None, "9999-12-31", None),
    (None, "9999-12-31", "9999-12-30", "9999-12-31", "9999"),
    ("2025-07-03", None, None, "0001-01-01", "2021"),  # the government begins after the day shown
]


@pytest.mark.parametrize(("start", "end", "reported", "until", "government_start"), EDGES)
@pytest.mark.parametrize("width", [640, 1280])
def test_the_calendars_edges_are_drawn(start, end, reported, until, government_start, width):
    item = mark(start, end, reported)
    root = draw([item], until, government_start, width=width)
    assert root.get("width") == str(width)
    assert_bar_follows_the_rule(root, item, D(until))


DAYS = st.dates(min_value=D("2000-01-01"), max_value=D("2030-12-31"))


@st.composite
def spans(draw_: st.DrawFn) -> Span:
    start = sorted(draw_(st.lists(DAYS, min_size=2, max_size=2))) if draw_(st.booleans()) else [None, None]
    end = sorted(draw_(st.lists(DAYS, min_size=2, max_size=2))) if draw_(st.booleans()) else [None, None]
    reported = draw_(st.none() | DAYS) if start[1] is None else None
    return Span(start[0], start[1], end[0], end[1], reported)


@settings(max_examples=150, deadline=None)
@given(span=spans(), until=DAYS, government_start=st.none() | st.sampled_from(["2001", "2015-06", "2024"]))
def test_any_bar_shows_the_rule(span, until, government_start):
    item = Mark("rcg_1", "FR", "recognition", "recognition", COLOURS["recognized"], None, None, span)
    root = draw([item], until.isoformat(), government_start)
    assert_bar_follows_the_rule(root, item, until)
