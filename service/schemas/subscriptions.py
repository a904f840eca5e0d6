"""Webhook subscriptions: the body that registers one, how one is shown, its deliveries."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.vocabulary import CATEGORIES, OUTBOX_STATES, SUBSCRIPTION_STATES
from .fields import MAX_LIMIT, SEED_GOVERNMENT, CountryCode, StrictSchema, UtcDateTime, choice_out

URL_EXAMPLE = "https://desk.example.org/hooks/recognition"


class SubscriptionBody(StrictSchema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=8, max=2048),
        metadata={
            "description": "Where deliveries are POSTed: an `https` URL, without user name or password, whose "
            "host (an IP literal, or a name and every address it resolves to) is public: not private, loopback, "
            "link-local, multicast, reserved, unspecified, shared (100.64.0.0/10) or another special-purpose "
            "range (192.0.0.0/24, 198.18.0.0/15, fc00::/7), nor an IPv6 form (mapped, 6to4, NAT64, Teredo) of "
            "such an IPv4 address. Otherwise 422. Checked again on the resolved address before each delivery. "
            "In development mode only: plain `http` to a loopback host, and any address.",
            "example": URL_EXAMPLE,
        },
    )
    government = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "The government whose changes are sent; null or absent: every government's.",
            "example": SEED_GOVERNMENT,
        },
    )
    countries = fields.List(
        CountryCode(),
        allow_none=True,
        validate=validate.Length(min=1, max=300),
        metadata={
            "description": "Only changes of these countries (alpha-2 or alpha-3); absent: every country.",
            "example": ["RU", "CN"],
        },
    )
    categories = fields.List(
        fields.String(validate=validate.OneOf(CATEGORIES)),
        allow_none=True,
        validate=validate.Length(min=1, max=len(CATEGORIES)),
        metadata={
            "description": "Only changes whose new status has one of these categories (`to.category`); "
            "absent: every category.",
            "example": ["recognized"],
        },
    )


class SubscriptionStateBody(StrictSchema):
    state = fields.String(
        required=True,
        validate=validate.OneOf(SUBSCRIPTION_STATES),
        metadata={
            "description": "`active` resumes deliveries (held ones first, in order); `paused` holds them.",
            "example": "active",
        },
    )


class SubscriptionSchema(Schema):
    id = fields.String(required=True, metadata={"example": "sub_3f2a9c0d1e7b5a4c6d8e"})
    url = fields.String(required=True, metadata={"example": URL_EXAMPLE})
    government = fields.String(
        attribute="government_id", required=True, allow_none=True, metadata={"example": SEED_GOVERNMENT}
    )
    countries = fields.List(fields.String(), required=True, allow_none=True, metadata={"example": ["CN", "RU"]})
    categories = fields.List(fields.String(), required=True, allow_none=True, metadata={"example": ["recognized"]})
    state = choice_out(
        SUBSCRIPTION_STATES,
        "`paused` after 24 h of failed deliveries, a `410 Gone` answer, or on request; deliveries are held "
        "(not lost) until it is `active` again.",
        "active",
    )
    paused_reason = fields.String(required=True, allow_none=True, metadata={"example": None})
    paused_at = UtcDateTime(required=True, allow_none=True)
    created_at = UtcDateTime(required=True, metadata={"example": "2025-07-03T18:00:00+00:00"})
    created_by = fields.String(required=True, metadata={"example": "desk-editor"})


class NewSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(
        required=True,
        metadata={
            "description": "The signing secret (Standard Webhooks, `whsec_` and base64). Shown only in this "
            "answer: keep it now.",
            "example": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        },
    )


class SubscriptionListSchema(Schema):
    items = fields.List(fields.Nested(SubscriptionSchema), required=True)


class DeliverySchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The attempt's id; page with `before`.", "example": 7})
    webhook_id = fields.String(
        required=True,
        metadata={
            "description": "The `webhook-id` header sent (the same on every try of one message).",
            "example": "msg_x",
        },
    )
    status_change = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The `seq` of the status change sent.", "example": 1}
    )
    attempt = fields.Integer(
        required=True, metadata={"description": "1 for the first try of the message.", "example": 1}
    )
    at = UtcDateTime(required=True)
    duration_ms = fields.Integer(
        required=True, metadata={"description": "How long the try took, in milliseconds.", "example": 35}
    )
    status_code = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The receiver's HTTP status; null when no answer came (see `error`).", "example": 204},
    )
    error = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Why the try failed: a non-2xx status, a timeout (10 s), a redirect not followed, a "
            "refused address (`not sent: …`), a TLS or connection error; null on success.",
            "example": None,
        },
    )
    response_bytes = fields.Integer(
        required=True, metadata={"description": "Bytes of the answer read (at most 65536).", "example": 2}
    )
    response_excerpt = fields.String(
        required=True, allow_none=True, metadata={"description": "The answer's first 1024 characters."}
    )
    message_state = choice_out(
        OUTBOX_STATES,
        "Where the message stands now: `pending` (to be sent or retried), `delivered`, `held` (its "
        "subscription is paused) or `cancelled` (the subscription was deleted).",
        "delivered",
    )


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema), required=True)
    next_before = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `before` for older attempts; null at the end."},
    )


class DeliveriesQuery(Schema):
    before = fields.Integer(
        validate=validate.Range(min=1, max=2**62), metadata={"description": "Only attempts with a smaller id (older)."}
    )
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_LIMIT), metadata={"description": "default 50"})
