"""The body of every error: an RFC 9457 problem (``service.http.problems`` writes it)."""

from __future__ import annotations

from typing import Any

from marshmallow import INCLUDE, Schema, fields


def described(field: type[fields.Field], description: str, example: Any, **options: Any) -> fields.Field:
    return field(required=True, metadata={"description": description, "example": example}, **options)


def field_messages(description: str, **options: Any) -> fields.Dict:
    """``errors``: per field (or request part), its messages."""
    metadata = {"description": description, "example": {"contry": ["Unknown field."]}}
    return fields.Dict(keys=fields.String(), values=fields.Raw(), metadata=metadata, **options)


class ProblemSchema(Schema):
    """An RFC 9457 problem; documentation only."""

    class Meta:
        # RFC 9457 lets a problem carry extension members.
        unknown = INCLUDE

    type = described(
        fields.String,
        "URI reference naming the problem type; `about:blank` when the status says it all.",
        "about:blank",
    )
    title = described(fields.String, "The HTTP status phrase.", "Not Found")
    status = described(fields.Integer, "The HTTP status code.", 404)
    detail = described(
        fields.String, "What went wrong, for a person to read.", "No government has the id 'af-islamic-emirat'."
    )
    instance = described(fields.String, "The path of the request.", "/v1/governments/af-islamic-emirat")
    request_id = described(
        fields.String,
        "Also sent as the `X-Request-ID` header; quote it when reporting a problem.",
        "5f0c3a1e9b7d4c2a8e6f1b3d5c7a9e0f",
    )
    errors = field_messages("Per field (or request part), the list of messages; on 422 only.")


class ValidationProblemSchema(ProblemSchema):
    """A 422 problem: ``errors`` names every invalid field."""

    errors = field_messages("Per field, the list of messages.", required=True)
