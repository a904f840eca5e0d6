"""Webhook subscriptions: who wants which transitions, and the outbox messages that carry them.

``fan_out`` runs in the write's transaction (``service.store.transitions.announce``):
each subscription whose filters match a new transition gets one outbox message of
kind ``webhook``, its stream the subscription's id, so its messages go out in order.
A paused subscription's messages are written held, and sent when it is resumed.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from sqlalchemy import or_, select

from .database import db
from .models import StatusTransition, Subscription, new_record_id, utcnow
from .outbox import cancel_target, enqueue, hold_stream, release_stream

WEBHOOK = "webhook"  # the outbox kind of a webhook delivery
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # Standard Webhooks: 24 to 64 random bytes
ACTIVE, PAUSED = "active", "paused"


def new_secret() -> str:
    """A signing secret as Standard Webhooks shows it: ``whsec_`` and base64 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def wants(subscription: Subscription, row: StatusTransition) -> bool:
    if subscription.countries and row.country not in subscription.countries:
        return False
    return not subscription.categories or row.to_category in subscription.categories


def fan_out(row: StatusTransition) -> int:
    """One outbox message per subscription that wants the transition ``row``; how many."""
    from .transitions import wire  # transitions imports this module

    candidates = db.session.scalars(
        select(Subscription)
        .where(or_(Subscription.government_id.is_(None), Subscription.government_id == row.government_id))
        .order_by(Subscription.id)
    )
    sent = 0
    for subscription in candidates:
        if wants(subscription, row):
            enqueue(WEBHOOK, subscription.id, wire(row), stream=subscription.id, held=subscription.state == PAUSED)
            sent += 1
    return sent


def create_subscription(fields: dict[str, Any], actor: str) -> Subscription:
    subscription = Subscription(
        id=new_record_id("sub"),
        url=fields["url"],
        government_id=fields.get("government"),
        countries=sorted(set(fields["countries"])) if fields.get("countries") else None,
        categories=sorted(set(fields["categories"])) if fields.get("categories") else None,
        secret=new_secret(),
        state=ACTIVE,
        created_by=actor,
        version=1,
    )
    db.session.add(subscription)
    return subscription


def pause(subscription: Subscription, reason: str) -> None:
    """Stop sending to it; what it has not received is held until it is resumed."""
    subscription.state, subscription.paused_reason, subscription.paused_at = PAUSED, reason, utcnow()
    subscription.version += 1
    hold_stream(subscription.id)


def resume(subscription: Subscription) -> None:
    subscription.state, subscription.paused_reason, subscription.paused_at = ACTIVE, None, None
    subscription.version += 1
    release_stream(subscription.id)


def remove(subscription: Subscription) -> None:
    cancel_target(WEBHOOK, subscription.id, "the subscription was deleted")
    db.session.delete(subscription)
