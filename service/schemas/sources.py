"""Sources: the citations behind every record."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import SOURCE_KINDS
from .fields import EXAMPLE_SOURCE, LONG_TEXT, TEXT, PageQuery, StrictSchema, edtf, text_search
from .wire import Wire


class SourceSchema(Schema):
    id = fields.String(required=True, metadata={"example": EXAMPLE_SOURCE})
    url = fields.String(required=True, allow_none=True, metadata={"example": None})
    publisher = fields.String(required=True, metadata={"example": "CNN"})
    title = fields.String(
        required=True,
        metadata={
            "description": "The source's own title (a headline, a post's text); where the source has none, a "
            "title devised by the editors, in square brackets.",
            "example": "Russia becomes first nation to recognize Taliban government of Afghanistan since 2021 takeover",
        },
    )
    published = fields.String(required=True, allow_none=True, metadata={"description": "EDTF", "example": "2025-07-03"})
    kind = fields.String(required=True, validate=validate.OneOf(SOURCE_KINDS), metadata={"example": "news"})
    note = fields.String(required=True, allow_none=True)


# What every URL the service takes begins with (marshmallow's Url field checks the rest).
# Not `format: uri`: the service also takes URLs RFC 3986 does not (IRIs, `%zz`, `|`).
HTTP_URL_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://"


class SourceBody(StrictSchema):
    url = fields.Url(
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=2048),
        metadata={
            "description": "An absolute `http` or `https` URL.",
            "pattern": HTTP_URL_PATTERN,
            "example": "https://example.org/report",
        },
    )
    publisher = fields.String(required=True, validate=TEXT, metadata={"example": "CNN"})
    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1000),
        metadata={
            "description": "The source's own title; one devised where it has none goes in square brackets.",
            "example": "Report title",
        },
    )
    published = edtf("When it was published.", "2025-07-03")
    kind = fields.String(required=True, validate=validate.OneOf(SOURCE_KINDS), metadata={"example": "news"})
    note = fields.String(allow_none=True, validate=LONG_TEXT)


class SourceQuery(PageQuery):
    q = text_search("Case-insensitive text matched in publisher and title.", "CNN")
    kind = fields.String(validate=validate.OneOf(SOURCE_KINDS), metadata={"example": "news"})


def cited_source_ids() -> fields.Pluck:
    """An answer's list of the ids of the sources a record cites."""
    return fields.Pluck(
        SourceSchema,
        "id",
        many=True,
        required=True,
        metadata={"description": "Ids of the sources cited.", "example": [EXAMPLE_SOURCE]},
    )


DESCRIPTION = "Citations behind every record."
LIST_DESCRIPTION = "Ordered by id. `q` matches publisher and title, case-insensitive."
WIRE = Wire(SourceSchema, SourceBody, SourceQuery, DESCRIPTION, LIST_DESCRIPTION, search=("publisher", "title"))
