"""/v1/subscriptions: webhooks that newsroom tools register to hear of status changes.

Everything here needs a ``write`` token, reads too: a subscription names a tool's
endpoint. The URL is checked when it is registered (and again before each delivery,
on the address it resolves to, by ``service.delivery``): ``https`` to public
addresses only, unless the service runs in development mode
(``WEBHOOK_ALLOW_PRIVATE``). The signing secret is shown once, in the 201.
"""

from __future__ import annotations

from flask import current_app, g, url_for
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from ..delivery.client import RefusedUrl, check_url, resolver_from
from ..http import auth
from ..http.api import Blueprint
from ..http.idempotency import finish_write, idempotent
from ..http.negotiation import json_only
from ..http.preconditions import json_body, record_etag, refuse_if_none_match, required_condition
from ..schemas.subscriptions import (
    DeliveriesQuery,
    DeliveryPageSchema,
    NewSubscriptionSchema,
    SubscriptionBody,
    SubscriptionListSchema,
    SubscriptionSchema,
    SubscriptionStateBody,
)
from ..store.database import db
from ..store.models import Government, Subscription
from ..store.outbox import attempts_for
from ..store.subscriptions import ACTIVE, WEBHOOK, create_subscription, pause, remove, resume
from .declare import CREATED_HEADERS, UPDATED_HEADERS, editing, may_not_find

blp = Blueprint(
    "subscriptions",
    __name__,
    url_prefix="/v1/subscriptions",
    description="Webhooks: status changes POSTed to a newsroom tool, signed (Standard Webhooks).",
)
WRITE_SCOPE = [{"bearerAuth": ["write"]}]
writer = auth.requires("write")


def get_or_404(subscription_id: str) -> Subscription:
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None:
        abort(404, message=f"No subscription has the id '{subscription_id}'.")
    return subscription


def current(subscription_id: str) -> Subscription:
    """The subscription an edit names, if ``If-Match`` names its current version (else 428, 400, 412)."""
    condition = required_condition()
    subscription = get_or_404(subscription_id)
    if not condition.matches(subscription):
        abort(412, message="The subscription changed since you read it; GET it again.")
    refuse_if_none_match(subscription)
    return subscription


def checked_url(url: str) -> str:
    config = current_app.config
    try:
        check_url(
            url,
            allow_private=config["WEBHOOK_ALLOW_PRIVATE"],
            resolve=resolver_from(config),
        )
    except RefusedUrl as error:
        abort(422, message=f"The URL cannot receive webhooks: {error}.", errors={"url": [str(error)]})
    return url


@blp.route("")
class Subscriptions(MethodView):
    @blp.doc(operationId="listSubscriptions", security=WRITE_SCOPE)
    @writer
    @blp.response(200, SubscriptionListSchema)
    @json_only
    def get(self):
        """List webhook subscriptions

        Every subscription, oldest first, with its state; never a secret. Needs a
        `write` token.
        """
        return {"items": db.session.scalars(select(Subscription).order_by(Subscription.created_at, Subscription.id))}

    @idempotent
    @blp.doc(operationId="createSubscription")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @writer
    @json_body
    @blp.arguments(SubscriptionBody, location="json")
    @blp.response(201, NewSubscriptionSchema, headers=CREATED_HEADERS)
    def post(self, body: dict):
        """Subscribe a URL to status changes

        Each status change of `government` (every government when null) that passes the
        filters (`countries`, `categories` matching `to.category`) is POSTed to `url`
        as JSON, the object `/v1/status-changes` lists, signed as Standard Webhooks
        says: headers `webhook-id` (the same on every retry of one message),
        `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` and the
        base64 HMAC-SHA256, keyed with the secret's bytes after `whsec_`, of
        `{webhook-id}.{webhook-timestamp}.{body}`). Verify it, and refuse timestamps
        more than five minutes off.

        A delivery succeeds with any 2xx within 10 s; redirects are not followed, and
        at most 64 KB of the answer is read. Failures are retried with exponential
        backoff and jitter for 24 h, then the subscription is paused (a `410 Gone`
        pauses it at once); a subscription's deliveries come one at a time, in order,
        at least once (deduplicate by `webhook-id`).

        The `url` must be `https` and resolve to public addresses only: a URL with
        another scheme, or whose host is or resolves to a private, loopback,
        link-local, multicast, reserved, unspecified, shared (100.64.0.0/10) or other
        special-purpose address (192.0.0.0/24, 198.18.0.0/15, fc00::/7, and the IPv6
        forms of such IPv4 addresses: mapped, 6to4, NAT64, Teredo), is 422 with a
        problem saying what to give instead, and nothing is stored or sent. The check
        is made again on the resolved address before each delivery, and the
        connection goes to the checked address. A service in development mode
        (`WEBHOOK_ALLOW_PRIVATE`) also takes plain `http` to a loopback host.

        The answer (201) holds the secret, `whsec_…`: it is shown this once and never
        again (no GET shows it); keep it to verify signatures. Delete the
        subscription and subscribe again to get a new one.
        """
        url = checked_url(body["url"])
        government = body.get("government")
        if government is not None and db.session.get(Government, government) is None:
            abort(422, message=f"No government has the id '{government}'.", errors={"government": ["unknown"]})
        subscription = create_subscription({**body, "url": url}, g.actor)
        finish_write()
        location = url_for("subscriptions.subscription", subscription_id=subscription.id)
        return subscription, 201, {"Location": location, "ETag": record_etag(subscription)}


@blp.route("/<string:subscription_id>", endpoint="subscription")
class SubscriptionItem(MethodView):
    @blp.doc(operationId="getSubscription", security=WRITE_SCOPE)
    @writer
    @may_not_find(blp)
    @blp.response(200, SubscriptionSchema)
    @json_only
    def get(self, subscription_id: str):
        """Get one webhook subscription

        Its filters and state (`paused`, with why and since when); never its secret.
        """
        subscription = get_or_404(subscription_id)
        return subscription, 200, {"ETag": record_etag(subscription)}

    @blp.doc(operationId="updateSubscription")
    @editing(blp)
    @writer
    @json_body
    @blp.arguments(SubscriptionStateBody, location="json")
    @blp.response(200, SubscriptionSchema, headers=UPDATED_HEADERS)
    def patch(self, body: dict, subscription_id: str):
        """Pause or resume a webhook subscription

        `{"state": "active"}` resumes a paused subscription: the deliveries held while
        it was paused go first, in order. `{"state": "paused"}` holds them. Needs
        `If-Match` with the current ETag.
        """
        subscription = current(subscription_id)
        if body["state"] != subscription.state:
            if body["state"] == ACTIVE:
                resume(subscription)
            else:
                pause(subscription, f"paused by {g.actor}")
            db.session.commit()
        return subscription, 200, {"ETag": record_etag(subscription)}

    @blp.doc(operationId="deleteSubscription")
    @editing(blp)
    @writer
    @blp.response(204)
    def delete(self, subscription_id: str):
        """Delete a webhook subscription

        Nothing more is sent to it; deliveries not yet made are dropped. Needs
        `If-Match` with the current ETag.
        """
        remove(current(subscription_id))
        db.session.commit()
        return "", 204, {}


@blp.route("/<string:subscription_id>/deliveries", endpoint="deliveries")
class Deliveries(MethodView):
    @blp.doc(operationId="listSubscriptionDeliveries", security=WRITE_SCOPE)
    @writer
    @may_not_find(blp)
    @blp.arguments(DeliveriesQuery, location="query")
    @blp.response(200, DeliveryPageSchema)
    @json_only
    def get(self, args: dict, subscription_id: str):
        """Delivery attempts of a webhook subscription

        Every try, newest first: when, which message (`webhook_id`, the status
        change's `seq`) and which try of it, the status code, how long it took, the
        error (a timeout, a refused address, a redirect not followed), how many bytes
        of the answer were read (at most 64 KB) and its first 1024 characters, and
        where the message stands now. Page with `before`. Needs a `write` token;
        404 for an unknown subscription.
        """
        get_or_404(subscription_id)
        limit = args.get("limit", 50)
        rows = attempts_for(WEBHOOK, subscription_id, args.get("before"), limit + 1)
        items = [
            {
                "id": attempt.id,
                "webhook_id": message.message_id,
                "status_change": message.payload.get("seq"),
                "attempt": attempt.number,
                "at": attempt.at,
                "duration_ms": attempt.duration_ms,
                "status_code": attempt.status_code,
                "error": attempt.error,
                "response_bytes": attempt.response_bytes,
                "response_excerpt": attempt.response_excerpt,
                "message_state": message.state,
            }
            for attempt, message in rows[:limit]
        ]
        next_before = items[-1]["id"] if len(rows) > limit else None
        return {"items": items, "next_before": next_before}
