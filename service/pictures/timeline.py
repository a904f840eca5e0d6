"""The timeline: one lane per country with records, one bar per record.

Drawing rules: the bar shows the record's state on each day of the axis, as
``service.domain.in_force`` decides it (``Span.runs``, read from ``Span.state_on``), so
the picture is never surer than the relations answer:

- solid where the record is in force, hatched where it is possibly in force, nothing
  where it is not in force; a record in force on no day shown gets a line of text
  instead of a bar;
- a partial or uncertain date (``2025-07``, ``2024?``) is a range: the hatch fades in
  across the start's earliest..latest days (or out across the end's), never a point;
- an unknown start means "began on an unknown day no later than the first citing
  source's publication": hatched, with an open left end, back to the axis start, and
  solid from that day if the record is in force then (an end before the first report
  leaves it possibly in force up to its end, never in force);
- an arrow at the axis end means no end is recorded, drawn only when the record is in
  force (solid) or possibly in force (hatched) on the day shown;
- the axis runs from the government's start (else a year before the earliest day a
  record's dates give, no earlier than 1 January of year 1) to the answer's day, and is measured in
  day numbers, so no date arithmetic can leave the calendar;
- each bar links to its record on the pair page (``record_url``); the picture carries
  its sources, like the map.
"""

from __future__ import annotations

import datetime as dt

# ElementTree only builds and serializes SVG here; it parses nothing.
import xml.etree.ElementTree as ET  # nosec B405
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..domain.countries import ENGLISH, is_rtl, localized_name
from ..domain.dates import DateBounds, parse_bounds
from ..domain.in_force import IN_FORCE, NOT_IN_FORCE, POSSIBLY_IN_FORCE, Span
from ..domain.relations import Records
from .statusmap import COLOURS, FONT, INK, MUTED_INK, OUTLINE, SVG_NS, WIDTHS, sources_line, wrap

XLINK_NS = "http://www.w3.org/1999/xlink"
ARROW = "\u2192"
YEAR = dt.timedelta(days=365)
FAINT = "0.15"  # the opacity at a faded edge: the hatch stays visible
STATE_CLASSES = {IN_FORCE: "in-force", POSSIBLY_IN_FORCE: "possibly"}


@dataclass(frozen=True)
class Mark:
    """One record as a bar."""

    record_id: str
    country: str
    kind: str  # recognition | exchange
    label: str
    colour: str
    start: DateBounds | None  # None: no start given
    end: DateBounds | None
    span: Span  # what decides its state on each day

    @property
    def known_from(self) -> dt.date | None:
        """The day by which it had surely begun: its start's latest day, or its first report."""
        return self.span.begun_latest

    @property
    def surely_from(self) -> dt.date | None:
        """The first day it is surely in force; None when no day is (an end that may come
        before its start has surely come, say)."""
        day = self.span.begun_latest
        return day if day is not None and self.span.state_on(day) == IN_FORCE else None


def marks_of(records: Records) -> list[Mark]:
    """A mark per recognition and exchange of the government."""
    marks = []
    for fact in records.recognitions + records.exchanges:
        data = fact.data
        if fact.is_recognition:
            label, colour = f"recognition ({data['form'].replace('_', ' ')})", COLOURS["recognized"]
        else:
            toward = (
                ("government", "country") if data["direction"] == "government_to_country" else ("country", "government")
            )
            way = f" {ARROW} ".join(toward)
            label = f"{data['rank'].replace('_', ' ')}, {way}" + (f": {data['envoy']}" if data.get("envoy") else "")
            colour = COLOURS["ambassadors_exchanged"] if data["rank"] == "ambassador" else COLOURS["limited_relations"]
        marks.append(
            Mark(
                data["id"],
                data["country"],
                "recognition" if fact.is_recognition else "exchange",
                label,
                colour,
                parse_bounds(data["start"]) if data.get("start") else None,
                parse_bounds(data["end"]) if data.get("end") else None,
                fact.span(records.published),
            )
        )
    return marks


@dataclass
class TimelineInput:
    government_name: str
    government_start: str | None  # EDTF
    until: dt.date  # the axis end: the answer's day
    marks: Sequence[Mark]
    record_url: Callable[[str, str], str]  # (country, record id) -> the record on its pair page
    languages: Sequence[str] = (ENGLISH,)
    sources: Sequence[Mapping[str, str]] = ()  # cited by the marks: publisher, published


def axis_start(spec: TimelineInput) -> dt.date:
    """The government's first possible day; without one (or when it comes after the day
    shown), a year before the earliest day a mark's dates give, but never before year 1."""
    if spec.government_start:
        start = parse_bounds(spec.government_start).earliest
        if start <= spec.until:
            return start
    days = [day for mark in spec.marks for day in mark.span.change_days()]
    earliest = min([*days, spec.until])
    return earliest - YEAR if earliest.toordinal() > YEAR.days else dt.date.min


def phrase(mark: Mark) -> str:
    """The mark's dates in words (its text alternative), saying no more than its states do."""
    reported = mark.known_from
    if mark.start is None and reported is None:
        begin = "start unknown and no dated source: possibly in force"
    elif mark.start is None and mark.surely_from is None:
        begin = f"start unknown, first reported by {reported.isoformat()} (not before its end): possibly in force"
    elif mark.start is None:
        begin = f"start unknown, in force from {reported.isoformat()} (first report), possibly before"
    elif mark.start.earliest == mark.start.latest:
        begin = f"from {mark.start.earliest.isoformat()}"
    else:
        begin = f"from a day between {mark.start.earliest.isoformat()} and {mark.start.latest.isoformat()}"
    if mark.end is None:
        end = "no end recorded"
    elif mark.end.earliest == mark.end.latest:
        end = f"until {mark.end.earliest.isoformat()}"
    else:
        end = f"until a day between {mark.end.earliest.isoformat()} and {mark.end.latest.isoformat()}"
    return f"{begin}, {end}"


class _Drawing:
    def __init__(self, spec: TimelineInput, width: int, prefix: str):
        if width not in WIDTHS:
            raise ValueError("width is 640 or 1280")
        self.spec, self.width, self.prefix = spec, width, prefix
        scale = width / 640
        self.margin, self.label_width = 16 * scale, 150 * scale
        self.text_size, self.small = 13 + 2 * (scale - 1), 12 + (scale - 1)
        self.bar_height, self.bar_gap, self.lane_gap = 12 * scale, 3 * scale, 12 * scale
        self.min_width = 2 * scale  # a day on a long axis stays visible
        self.start = axis_start(spec)
        # Day numbers, not dates: the axis ends after its last day, which may be 9999-12-31.
        self.first_day = self.start.toordinal()
        self.days = spec.until.toordinal() + 1 - self.first_day
        self.left, self.right = self.margin + self.label_width, width - self.margin - 10 * scale
        self.made: set[str] = set()  # ids of the shared patterns and masks drawn so far

    def at(self, day_number: int) -> float:
        day_number = min(max(day_number, self.first_day), self.first_day + self.days)
        return self.left + (self.right - self.left) * (day_number - self.first_day) / self.days

    def x(self, day: dt.date) -> float:
        """Where ``day`` begins."""
        return self.at(day.toordinal())

    def x_after(self, day: dt.date) -> float:
        """Where ``day`` ends."""
        return self.at(day.toordinal() + 1)

    def text(self, parent: ET.Element, x: float, y: float, content: str, size: float, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": f"{size:g}", **attrs})
        element.text = content
        return element

    def build(self) -> ET.Element:
        spec, width, margin = self.spec, self.width, self.margin
        root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "xmlns:xlink": XLINK_NS,
                "role": "group",
                "lang": ENGLISH,
                "direction": "ltr",  # inlined in a right-to-left page, it keeps its own direction
                "aria-labelledby": f"{self.prefix}title {self.prefix}desc",
                "font-family": FONT,
                "fill": INK,
                "class": "timeline",
                # The days the axis covers, for scripts reading the bars' data-first and data-last.
                "data-first-day": self.start.isoformat(),
                "data-last-day": spec.until.isoformat(),
            },
        )
        title = f"Recognitions and ambassador exchanges of {spec.government_name}"
        subtitle = (
            f"From the government's start ({spec.government_start or 'not recorded'}) to {spec.until.isoformat()}"
        )
        ET.SubElement(root, "title", {"id": f"{self.prefix}title"}).text = f"{title}. {subtitle}."
        desc = ET.SubElement(root, "desc", {"id": f"{self.prefix}desc"})
        self.defs = ET.SubElement(root, "defs")
        ET.SubElement(root, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
        y = margin
        for line in wrap(title, self.text_size + 3, width - 2 * margin):
            y += (self.text_size + 3) * 1.3
            self.text(root, margin, y, line, self.text_size + 3, **{"font-weight": "bold"})
        y += self.text_size * 1.3
        self.text(root, margin, y, subtitle, self.small, fill=MUTED_INK)
        y += self.text_size * 1.2
        y = self.axis(root, y)
        grid_top = y
        texts: list[str] = []
        y = self.lanes(root, y, texts)
        if not texts:
            y += self.small * 1.4
            self.text(root, margin, y, "No recognition or exchange is on record.", self.small, fill=MUTED_INK)
        # The end of the answer's day: the bars stop here, not necessarily the records.
        until = f"{self.x_after(spec.until):.1f}"
        ET.SubElement(
            root,
            "line",
            {"x1": until, "x2": until, "y1": f"{grid_top - 4:.1f}", "y2": f"{y:.1f}", "stroke": MUTED_INK},
        ).set("stroke-dasharray", "3 3")
        legend = (
            "Solid: in force. Hatched: possibly in force (a date known only as a range, or a start not given); "
            "its edge fades across the range of a partial or uncertain date. No bar: not in force. "
            "Open left end: possibly in force before the axis begins. Arrow: no end recorded."
        )
        for paragraph, attrs in ((legend, {}), (sources_line(spec.sources), {"class": "source-line"})):
            for line in wrap(paragraph, self.small, width - 2 * margin):
                y += self.small * 1.4
                self.text(root, margin, y, line, self.small, fill=MUTED_INK, **attrs)
        desc.text = ("; ".join(texts) + ".") if texts else "No recognition or exchange is on record."
        height = round(y + margin)
        root.set("width", str(width))
        root.set("height", str(height))
        root.set("viewBox", f"0 0 {width} {height}")
        return root

    def axis(self, root: ET.Element, top: float) -> float:
        ticks = ET.SubElement(root, "g", {"font-size": f"{self.small:g}", "fill": MUTED_INK, "class": "axis"})
        years = range(self.start.year, self.spec.until.year + 1)
        step = max(1, len(years) // (8 if self.width == 640 else 16))  # labels that do not overlap
        for year in years[::step]:
            tick = dt.date(year, 1, 1)
            if tick >= self.start:
                self.text(ticks, self.x(tick), top + self.small, str(year), self.small, **{"text-anchor": "middle"})
        return top + self.small * 1.8

    def lanes(self, root: ET.Element, y: float, texts: list[str]) -> float:
        by_country: dict[str, list[Mark]] = {}
        for mark in sorted(self.spec.marks, key=lambda m: (m.known_from or dt.date.max, m.record_id)):
            by_country.setdefault(mark.country, []).append(mark)
        lanes = sorted(by_country.items(), key=lambda item: (item[1][0].known_from or dt.date.max, item[0]))
        for index, (country, marks) in enumerate(lanes):
            name, used = localized_name(country, self.spec.languages)
            lane = ET.SubElement(root, "g", {"class": "lane", "data-country": country})
            if index % 2 == 0:
                ET.SubElement(
                    lane,
                    "rect",
                    {
                        "x": "0",
                        "y": f"{y - self.bar_gap:.1f}",
                        "width": str(self.width),
                        "height": f"{len(marks) * (self.bar_height + self.bar_gap) + self.bar_gap:.1f}",
                        "fill": "#f5f5f5",
                    },
                )
            if is_rtl(used):
                # Right-aligned in the label column: with direction rtl, "start" is the text's right end.
                x, attrs = self.left - 6, {"lang": used, "direction": "rtl"}
            else:
                x, attrs = self.margin, {"lang": used}
            self.text(lane, x, y + self.bar_height - 2, name, self.text_size, **attrs)
            for mark in marks:
                texts.append(f"{name}: {mark.label}, {phrase(mark)}")
                self.bar(lane, mark, y, name)
                y += self.bar_height + self.bar_gap
            y += self.lane_gap
        return y

    def bar(self, lane: ET.Element, mark: Mark, y: float, country_label: str) -> None:
        href = self.spec.record_url(mark.country, mark.record_id)
        surely_from = mark.surely_from
        # href for SVG 2 readers, xlink:href for the older editors graphics desks still use.
        link = ET.SubElement(
            lane,
            "a",
            {
                "href": href,
                "xlink:href": href,
                "class": "mark",
                "data-record": mark.record_id,
                "data-kind": mark.kind,
                "data-known-from": surely_from.isoformat() if surely_from else "",
            },
        )
        ET.SubElement(link, "title").text = f"{country_label}: {mark.label}, {phrase(mark)}"
        runs = mark.span.runs(self.start, self.spec.until)
        if all(state == NOT_IN_FORCE for state, _, _ in runs):
            # Nothing to draw, but the record is on file: say so, and keep its link.
            note = "not in force on any day shown"
            self.text(
                link, self.left + 4, y + self.bar_height - 2, note, self.small, fill=MUTED_INK, **{"class": "note"}
            )
            return
        for index, (state, first, last) in enumerate(runs):
            if state == NOT_IN_FORCE:
                continue
            fill = mark.colour if state == IN_FORCE else self.hatch(mark.colour)
            left = self.x(first)
            segment = self.rect(link, left, y, max(self.x_after(last) - left, self.min_width), fill, state)
            segment.set("data-first", first.isoformat())
            segment.set("data-last", last.isoformat())
            # A possibly-in-force run beside a not-in-force one spans a date's range: it fades out there.
            rising = index > 0 and runs[index - 1][0] == NOT_IN_FORCE
            falling = index + 1 < len(runs) and runs[index + 1][0] == NOT_IN_FORCE
            if state == POSSIBLY_IN_FORCE and (rising or falling):
                segment.set("mask", self.fade(rising, falling))
        begun = mark.span.begun_earliest
        if runs[0][0] != NOT_IN_FORCE and (begun is None or begun < self.start):
            # Possibly (or surely) in force before the axis begins: an open left end.
            left = self.x(self.start)
            ET.SubElement(
                link,
                "path",
                {"d": f"M{left + 6:.1f} {y:.1f} l-6 {self.bar_height / 2:.1f} l6 {self.bar_height / 2:.1f}"},
            ).attrib.update({"fill": "none", "stroke": OUTLINE, "class": "open-start"})
        last_state = runs[-1][0]
        if mark.end is None and last_state != NOT_IN_FORCE:
            tip, half = self.x_after(self.spec.until), self.bar_height / 2 + 1
            ET.SubElement(
                link,
                "path",
                {"d": f"M{tip:.1f} {y - 1:.1f} l{half + 1:.1f} {half:.1f} l{-(half + 1):.1f} {half:.1f}z"},
            ).attrib.update(
                {
                    "fill": mark.colour if last_state == IN_FORCE else self.hatch(mark.colour),
                    "stroke": mark.colour,
                    "class": "no-end",
                    "data-state": last_state,
                }
            )

    def rect(self, parent: ET.Element, x: float, y: float, width: float, fill: str, state: str) -> ET.Element:
        attrs = {"x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{width:.1f}", "height": f"{self.bar_height:.1f}"}
        return ET.SubElement(
            parent, "rect", {**attrs, "fill": fill, "class": STATE_CLASSES[state], "data-state": state}
        )

    def hatch(self, colour: str) -> str:
        """Diagonal stripes of ``colour``: possibly in force. One pattern per colour."""
        pid = f"{self.prefix}hatch-{colour.lstrip('#')}"
        if pid not in self.made:
            self.made.add(pid)
            pattern = ET.SubElement(
                self.defs,
                "pattern",
                {
                    "id": pid,
                    "width": "6",
                    "height": "6",
                    "patternUnits": "userSpaceOnUse",
                    "patternTransform": "rotate(45)",
                },
            )
            ET.SubElement(pattern, "rect", {"width": "6", "height": "6", "fill": "#ffffff"})
            ET.SubElement(pattern, "rect", {"width": "2.5", "height": "6", "fill": colour})
        return f"url(#{pid})"

    def fade(self, rising: bool, falling: bool) -> str:
        """A mask fading a run in from its left edge, out to its right edge, or both."""
        name = "fade-in-out" if rising and falling else "fade-in" if rising else "fade-out"
        mid, gid = f"{self.prefix}{name}", f"{self.prefix}{name}-gradient"
        if mid not in self.made:
            self.made.add(mid)
            gradient = ET.SubElement(
                self.defs, "linearGradient", {"id": gid, "x1": "0", "x2": "1", "y1": "0", "y2": "0"}
            )
            stops = [("0", FAINT if rising else "1")]
            if rising and falling:
                stops.append(("0.5", "1"))
            stops.append(("1", FAINT if falling else "1"))
            for offset, opacity in stops:
                ET.SubElement(gradient, "stop", {"offset": offset, "stop-color": "#ffffff", "stop-opacity": opacity})
            # In the masked run's own box, so one mask serves every run of any length.
            mask = ET.SubElement(self.defs, "mask", {"id": mid, "maskContentUnits": "objectBoundingBox"})
            ET.SubElement(mask, "rect", {"width": "1", "height": "1", "fill": f"url(#{gid})"})
        return f"url(#{mid})"


def render_timeline(spec: TimelineInput, width: int = 1280, id_prefix: str = "timeline-") -> str:
    """A standalone SVG document (UTF-8 text with its XML declaration)."""
    root = _Drawing(spec, width, id_prefix).build()
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
