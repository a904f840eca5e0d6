"""The timeline: one lane per country with records, one bar per record.

Drawing rules (the in-force rule of ``service.domain.in_force``):

- a bar runs from the record's start to its end, or to the axis end (the answer's day)
  with an arrow when it has no end;
- a partial or uncertain date (``2025-07``, ``2024?``) is a range: the bar fades in
  (or out) across the date's earliest..latest days, never a point;
- an unknown start means "began on an unknown day no later than the first citing
  source's publication": the bar is solid from that day and hatched, with an open
  end, back to the government's start ("possibly in force before"); with no dated
  source at all, the whole bar is hatched;
- each bar links to its record on the pair page (``record_url``).
"""

from __future__ import annotations

import datetime as dt

# ElementTree only builds and serializes SVG here; it parses nothing.
import xml.etree.ElementTree as ET  # nosec B405
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..domain.countries import ENGLISH, is_rtl, localized_name
from ..domain.dates import DateBounds, parse_bounds
from ..domain.relations import Records
from .statusmap import COLOURS, FONT, INK, MUTED_INK, OUTLINE, SVG_NS, WIDTHS, wrap

XLINK_NS = "http://www.w3.org/1999/xlink"
ARROW = "\u2192"


@dataclass(frozen=True)
class Mark:
    """One record as a bar."""

    record_id: str
    country: str
    kind: str  # recognition | exchange
    label: str
    colour: str
    start: DateBounds | None  # None: no start given
    known_from: dt.date | None  # the day it was surely in force: start's latest, or its first report
    end: DateBounds | None


def marks_of(records: Records) -> list[Mark]:
    """A mark per recognition and exchange of the government."""
    marks = []
    for fact in records.recognitions + records.exchanges:
        data = fact.data
        span = fact.span(records.published)
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
                span.begun_latest,
                parse_bounds(data["end"]) if data.get("end") else None,
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


def axis_start(spec: TimelineInput) -> dt.date:
    """The government's first possible day; without one, a year before the earliest mark."""
    if spec.government_start:
        return parse_bounds(spec.government_start).earliest
    days = [d for m in spec.marks for d in (m.start.earliest if m.start else None, m.known_from) if d]
    return min([*days, spec.until]) - dt.timedelta(days=365)


def phrase(mark: Mark) -> str:
    """The mark's dates in words (its text alternative)."""
    if mark.start is None and mark.known_from is None:
        begin = "start unknown, not yet reported as in force"
    elif mark.start is None:
        begin = f"start unknown, in force from {mark.known_from.isoformat()} (first report), possibly before"
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
        self.start = axis_start(spec)
        self.span = max((spec.until - self.start).days, 1)
        self.left, self.right = self.margin + self.label_width, width - self.margin - 10 * scale

    def x(self, day: dt.date) -> float:
        day = min(max(day, self.start), self.spec.until)
        return self.left + (self.right - self.left) * (day - self.start).days / self.span

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
        # The answer's day: the bars stop here, not necessarily the records.
        until = f"{self.x(spec.until):.1f}"
        ET.SubElement(
            root,
            "line",
            {"x1": until, "x2": until, "y1": f"{grid_top - 4:.1f}", "y2": f"{y:.1f}", "stroke": MUTED_INK},
        ).set("stroke-dasharray", "3 3")
        legend = (
            "Solid: in force. Faded edge: a partial or uncertain date (its range). "
            "Hatched, open left end: start unknown, possibly in force before the first report. "
            "Arrow: no end recorded."
        )
        for line in wrap(legend, self.small, width - 2 * margin):
            y += self.small * 1.4
            self.text(root, margin, y, line, self.small, fill=MUTED_INK)
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
                "data-known-from": mark.known_from.isoformat() if mark.known_from else "",
            },
        )
        ET.SubElement(link, "title").text = f"{country_label}: {mark.label}, {phrase(mark)}"
        height = self.bar_height
        solid_from = mark.known_from
        solid_to = mark.end.earliest if mark.end else self.spec.until
        if mark.start is None:
            # Open-ended: hatched back to the government's start, without a left edge.
            pid = f"{self.prefix}hatch-{mark.record_id}"
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
            ET.SubElement(pattern, "rect", {"width": "2.5", "height": "6", "fill": mark.colour})
            left = self.x(self.start)
            hatched_to = self.x(solid_from) if solid_from else self.x(solid_to)
            self.rect(link, left, y, max(hatched_to - left, 0), f"url(#{pid})", "possibly")
            ET.SubElement(
                link,
                "path",
                {"d": f"M{left + 6:.1f} {y:.1f} l-6 {height / 2:.1f} l6 {height / 2:.1f}", "fill": "none"},
            ).set("stroke", OUTLINE)
        elif mark.start.earliest < mark.start.latest:
            self.fade(link, f"in-{mark.record_id}", mark.start.earliest, mark.start.latest, y, mark.colour, True)
        if solid_from is not None:
            if solid_to > solid_from:
                self.rect(link, self.x(solid_from), y, max(self.x(solid_to) - self.x(solid_from), 1.5), mark.colour)
            else:
                # In force only from the axis end or after: a thin tick keeps it visible.
                self.rect(link, self.x(solid_from) - 1, y, 2, mark.colour)
        if mark.end is None:
            tip, half = self.x(self.spec.until), height / 2 + 1
            ET.SubElement(
                link,
                "path",
                {"d": f"M{tip:.1f} {y - 1:.1f} l{half + 1:.1f} {half:.1f} l{-(half + 1):.1f} {half:.1f}z"},
            ).set("fill", mark.colour)
        elif mark.end.earliest < mark.end.latest:
            self.fade(link, f"out-{mark.record_id}", mark.end.earliest, mark.end.latest, y, mark.colour, False)

    def rect(self, parent: ET.Element, x: float, y: float, width: float, fill: str, kind: str = "in-force") -> None:
        attrs = {"x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{width:.1f}", "height": f"{self.bar_height:.1f}"}
        ET.SubElement(parent, "rect", {**attrs, "fill": fill, "class": kind})

    def fade(self, link, name: str, first: dt.date, last: dt.date, y: float, colour: str, rising: bool) -> None:
        gid = f"{self.prefix}{name}"
        gradient = ET.SubElement(self.defs, "linearGradient", {"id": gid, "x1": "0", "x2": "1", "y1": "0", "y2": "0"})
        faint, full = "0.08", "1"
        ET.SubElement(
            gradient, "stop", {"offset": "0", "stop-color": colour, "stop-opacity": faint if rising else full}
        )
        ET.SubElement(
            gradient, "stop", {"offset": "1", "stop-color": colour, "stop-opacity": full if rising else faint}
        )
        left, right = self.x(first), self.x(last)
        self.rect(link, left, y, max(right - left, 1), f"url(#{gid})", "date-range")


def render_timeline(spec: TimelineInput, width: int = 1280, id_prefix: str = "timeline-") -> str:
    """A standalone SVG document (UTF-8 text with its XML declaration)."""
    root = _Drawing(spec, width, id_prefix).build()
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
