"""The body of every error: an RFC 9457 problem (``service.http.problems`` writes it)."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields


class ProblemSchema(Schema):
    """An RFC 9457 problem; documentation only."""

    class Meta:
        # RFC 9457 lets a problem carry extension members.
        unknown = INCLUDE

    type = fields.String(
        required=True,
        metadata={"description": "URI reference naming the problem type; `about:blank` when the status says it all.",
                  "example": "about:blank"},
    )
    title = fields.String(
        required=True, metadata={"description": "The HTTP status phrase.", "example": "Not Found"}
    )
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code.", "example": 404})
    detail = fields.String(
        required=True,
        metadata={"description": "What went wrong, for a person to read.",
                  "example": "No government has the id 'af-islamic-emirat'."},
    )
    instance = fields.String(
        required=True,
        metadata={"description": "The path of the request.", "example": "/v1/governments/af-islamic-emirat"},
    )
    request_id = fields.String(
        required=True,
        metadata={"description": "Also sent as the `X-Request-ID` header; quote it when reporting a problem.",
                  "example": "5f0c3a1e9b7d4c2a8e6f1b3d5c7a9e0f"},
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Per field (or request part), the list of messages; on 422 only.",
                  "example": {"contry": ["Unknown field."]}},
    )


class ValidationProblemSchema(ProblemSchema):
    """A 422 problem: ``errors`` names every invalid field."""

    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={"description": "Per field, the list of messages.", "example": {"contry": ["Unknown field."]}},
    )
