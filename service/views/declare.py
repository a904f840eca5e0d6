"""Declarations several views share: the headers and media types of their answers.

Names of header components (``service.openapi.texts.HEADERS``) stand for references
to them; ``service.openapi.plugin`` adds what every operation has.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Callable

from ..http.api import Blueprint
from ..http.negotiation import CSV
from ..openapi.texts import CSV_SCHEMA

# A collection page: negotiated (JSON or CSV), paged with a Link to the next page.
PAGE_HEADERS = {"Vary": "Vary", "Link": "Link", "Content-Disposition": "Content-Disposition"}
# A negotiated answer without pages.
NEGOTIATED_HEADERS = {"Vary": "Vary", "Content-Disposition": "Content-Disposition"}
CREATED_HEADERS = {"Location": "Location", "ETag": "ETag"}
UPDATED_HEADERS = {"ETag": "ETag"}


def csv_alternative(blp: Blueprint) -> Callable:
    """The success answer is also offered as CSV (``format=csv`` or ``Accept: text/csv``)."""
    return blp.alt_response(200, schema=dict(CSV_SCHEMA), content_type=CSV, success=True)


def may_not_find(blp: Blueprint) -> Callable:
    """The path names something that may not exist: 404."""
    return blp.alt_response(404, response="NOT_FOUND")


def declared(function: Callable, *decorators: Callable) -> Callable:
    """``function`` under ``decorators``, the first outermost."""
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def templated_doc(blp: Blueprint, function: Callable, operation_id: str, names: Mapping[str, str]) -> Callable:
    """Document a view shared by several resources: its docstring's summary and
    description with ``names`` filled in (a paragraph's lines joined into one line),
    under ``operation_id``."""
    summary, _, description = inspect.cleandoc(function.__doc__ or "").partition("\n\n")
    paragraphs = [" ".join(paragraph.split("\n")) for paragraph in description.split("\n\n")]
    return blp.doc(
        operationId=operation_id,
        summary=summary.format_map(names),
        description="\n\n".join(paragraphs).format_map(names),
    )(function)
