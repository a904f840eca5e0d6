"""Declarations several views share: their answers' headers and media types, and the
checks a write makes, each with the statuses it can answer.

Names of header components (``service.openapi.texts.HEADERS``) stand for references
to them; ``service.openapi.plugin`` adds what every operation has.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping

from flask import redirect, request, url_for
from marshmallow import Schema

from ..http import auth
from ..http.api import Blueprint
from ..http.negotiation import CSV, HTML, JSON, SVG, representation
from ..http.preconditions import json_body
from ..openapi.texts import CSV_SCHEMA, SVG_SCHEMA

# A collection page: negotiated (JSON or CSV), paged with a Link to the next page.
PAGE_HEADERS = {"Vary": "Vary", "Link": "Link", "Content-Disposition": "Content-Disposition"}
# A negotiated answer without pages.
NEGOTIATED_HEADERS = {"Vary": "Vary", "Content-Disposition": "Content-Disposition"}
# Answers with country names in the reader's language (relations, pictures).
NAMED_HEADERS = {"Vary": "Vary", "Content-Language": "Content-Language"}
PICTURE_HEADERS = NAMED_HEADERS
CREATED_HEADERS = {"Location": "Location", "ETag": "ETag"}
UPDATED_HEADERS = {"ETag": "ETag"}


def csv_alternative(blp: Blueprint) -> Callable:
    """The success answer is also offered as CSV (``format=csv`` or ``Accept: text/csv``)."""
    return blp.alt_response(200, schema=dict(CSV_SCHEMA), content_type=CSV, success=True)


def svg_alternative(blp: Blueprint) -> Callable:
    """The success answer is also offered as an SVG picture (``Accept: image/svg+xml``)."""
    return blp.alt_response(200, schema=dict(SVG_SCHEMA), content_type=SVG, success=True)


def picture(blp: Blueprint, query: type[Schema], headers: Mapping[str, str]) -> Callable:
    """A GET answering an SVG picture only."""
    return composed(
        blp.arguments(query, location="query"),
        may_not_find(blp),
        blp.response(200, schema=dict(SVG_SCHEMA), content_type=SVG, headers=headers),
    )


def browsers_go_to_page(blp: Blueprint) -> Callable:
    """A browser (``Accept`` preferring ``text/html``) is sent to the government's page: 303."""
    return blp.alt_response(
        303,
        description="See Other: the caller prefers HTML; `Location` is the government's page for people.",
        headers={"Location": "PageLocation"},
    )


def redirects_browsers(view: Callable) -> Callable:
    """Answer 303 to the government's page when the caller prefers HTML to JSON."""

    @functools.wraps(view)
    def negotiated(*args, **kwargs):
        if representation(None, (JSON, HTML)) == HTML:
            response = redirect(url_for("pages.government", government_id=request.view_args["government_id"]), 303)
            response.vary.add("Accept")
            return response
        answer = view(*args, **kwargs)
        if isinstance(answer, tuple) and len(answer) == 3:  # (record, status, headers): it too depends on Accept
            answer[2]["Vary"] = "Accept"
        return answer

    return negotiated


def may_not_find(blp: Blueprint) -> Callable:
    """The path names something that may not exist: 404."""
    return blp.alt_response(404, response="NOT_FOUND")


def declared(function: Callable, *decorators: Callable) -> Callable:
    """``function`` under ``decorators``, the first outermost."""
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def may_conflict(blp: Blueprint, when: bool) -> tuple[Callable, ...]:
    """409, where a record can clash with others (an id taken, a record still cited)."""
    return (blp.alt_response(409, response="CONFLICT"),) if when else ()


def composed(*decorators: Callable) -> Callable:
    """One decorator applying ``decorators``, the first outermost."""
    return lambda function: declared(function, *decorators)


def listing(blp: Blueprint, query: type[Schema], page: type[Schema], headers: Mapping[str, str]) -> Callable:
    """A GET of rows filtered by ``query``: a ``page`` of JSON, or the rows as CSV."""
    return composed(
        blp.arguments(query, location="query"), csv_alternative(blp), blp.response(200, page, headers=headers)
    )


def writing(
    blp: Blueprint, body: Schema | type[Schema], status: int, answer: type[Schema], headers: Mapping
) -> Callable:
    """A write: a ``write`` token, then a JSON body loaded with ``body``; the record answered with ``answer``."""
    return composed(
        auth.requires("write"),
        json_body,
        blp.arguments(body, location="json"),
        blp.response(status, answer, headers=headers),
    )


def editing(blp: Blueprint) -> Callable:
    """A change to a record named in the path, with ``If-Match``: 404, 412, 428."""
    return composed(
        # A list given by hand replaces flask-smorest's: fine, as writes take no query string.
        blp.doc(parameters=["If-Match"]),
        may_not_find(blp),
        blp.alt_response(412, response="PRECONDITION_FAILED"),
        blp.alt_response(428, response="PRECONDITION_REQUIRED"),
    )


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
