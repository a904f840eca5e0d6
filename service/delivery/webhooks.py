"""The ``webhook`` sender: a status change POSTed to a subscription, signed as Standard Webhooks says.

- ``prepare`` reads the subscription (URL, secret, state) and encodes the body: the
  status change's wire form, as stored in the message;
- ``send`` checks the URL again on the address it resolves to now and connects to that
  address (``service.delivery.client``), signs with the ``standardwebhooks`` library
  (``v1,`` base64 HMAC-SHA256 over ``{webhook-id}.{webhook-timestamp}.{body}``), and
  POSTs with a 10 s deadline, no redirects, at most 64 KB of the answer read;
- ``give_up`` (after 24 h of failures, or a ``410 Gone``) pauses the subscription: its
  messages are held, not lost, until it is resumed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from standardwebhooks.webhooks import Webhook

from ..store.database import db
from ..store.models import OutboxMessage, Subscription
from ..store.outbox import Outcome, cancel, hold_stream
from ..store.subscriptions import PAUSED, WEBHOOK, pause
from .client import MAX_ANSWER_BYTES, RefusedUrl, check_url, post, resolver_from
from .senders import Cancel, SetAside, sender

USER_AGENT = "recognition-status-webhooks/1"


@dataclass(frozen=True)
class Prepared:
    url: str
    secret: str
    message_id: str
    body: bytes


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: our own backoff will do


def signed_headers(prepared: Prepared, now: dt.datetime) -> dict[str, str]:
    signature = Webhook(prepared.secret).sign(prepared.message_id, now, prepared.body.decode("utf-8"))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": prepared.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


@sender(WEBHOOK)
class WebhookSender:
    def __init__(self, config: Mapping[str, Any]):
        self.allow_private = bool(config["WEBHOOK_ALLOW_PRIVATE"])
        self.timeout = float(config["WEBHOOK_TIMEOUT_SECONDS"])
        self.give_up_after = dt.timedelta(seconds=float(config["DELIVERY_GIVE_UP_SECONDS"]))
        self.resolve = resolver_from(config)
        self.tls = config.get("WEBHOOK_TLS_CONTEXT")  # None: the system's CAs (tests trust their own)

    def prepare(self, message: OutboxMessage) -> Prepared | Cancel | SetAside:
        subscription = db.session.get(Subscription, message.target)
        if subscription is None:
            return Cancel("the subscription was deleted")
        if subscription.state == PAUSED:
            hold_stream(subscription.id)
            return SetAside()
        return Prepared(subscription.url, subscription.secret, message.message_id, orjson.dumps(message.payload))

    def send(self, prepared: Prepared) -> Outcome:
        try:
            target = check_url(prepared.url, allow_private=self.allow_private, resolve=self.resolve)
        except RefusedUrl as error:
            # An address refused now (its DNS changed) stays refused; a failed lookup may pass later.
            return Outcome(ok=False, error=f"not sent: {error}", permanent="does not resolve" not in str(error))
        now = dt.datetime.now(dt.UTC)
        answer = post(
            target,
            prepared.body,
            signed_headers(prepared, now),
            timeout=self.timeout,
            max_bytes=MAX_ANSWER_BYTES,
            tls=self.tls,
        )
        excerpt = answer.body[:1024].decode("utf-8", errors="replace") if answer.body else None
        common = {
            "duration_ms": answer.duration_ms,
            "status_code": answer.status,
            "response_bytes": len(answer.body),
            "response_excerpt": excerpt,
        }
        if answer.status is None:
            return Outcome(ok=False, error=answer.error, **common)
        if 200 <= answer.status < 300:
            return Outcome(ok=True, **common)
        error = f"HTTP {answer.status}"
        if 300 <= answer.status < 400:
            location = next((v for k, v in answer.headers.items() if k.lower() == "location"), "")
            error += f": redirects are not followed (Location: {location[:200]}); register the final URL"
        elif answer.status == 410:
            error += ": the receiver no longer wants deliveries (410 Gone)"
        return Outcome(
            ok=False, error=error, retry_after=retry_after(answer.headers), permanent=answer.status == 410, **common
        )

    def give_up(self, message: OutboxMessage, outcome: Outcome) -> None:
        subscription = db.session.get(Subscription, message.target)
        if subscription is None:
            cancel(message, "the subscription was deleted", dt.datetime.now(dt.UTC))
            return
        hours = self.give_up_after.total_seconds() / 3600
        why = outcome.error if outcome.permanent else f"deliveries failed for {hours:g} h; last: {outcome.error}"
        pause(subscription, why)
