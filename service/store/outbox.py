"""The transactional outbox: messages written in a write's transaction, sent later by a deliverer.

``enqueue`` only adds a row to the session: it commits or rolls back with the write
that decided it, so nothing is sent for a write that failed and nothing is lost for
one that committed. A deliverer (``service.delivery``) then

1. ``claim``s due messages: at most one per ``stream`` (the oldest not yet sent), none
   claimed by another deliverer whose lease still runs. On PostgreSQL the candidate
   rows are locked ``FOR UPDATE SKIP LOCKED`` while the claim is written, so
   deliverers running side by side never claim one message together; SQLite runs a
   single deliverer (``hold_lease``).
2. sends them, and ``record``s each try: sent, to be retried at a later time, held
   (its stream paused) or cancelled.

A claim is a lease (``claimed_until``): a deliverer that dies mid-send leaves it to
expire, and the message is sent again, under the same ``message_id``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from .database import db
from .models import DelivererLease, OutboxAttempt, OutboxMessage, utcnow

PENDING, DELIVERED, HELD, CANCELLED = "pending", "delivered", "held", "cancelled"
EXCERPT_CHARS = 1024  # of an answer, kept with its attempt


def new_message_id() -> str:
    """The id a receiver sees on every try of one message (Standard Webhooks' ``webhook-id``)."""
    return f"msg_{secrets.token_urlsafe(18)}"


def enqueue(kind: str, target: str, payload: dict[str, Any], *, stream: str | None = None, held: bool = False):
    """Add a message to the session; it is sent once the caller's transaction commits."""
    message = OutboxMessage(
        kind=kind,
        message_id=new_message_id(),
        stream=stream,
        target=target,
        payload=payload,
        state=HELD if held else PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def claim(holder: str, limit: int, lease: dt.timedelta, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages for ``holder`` until ``now + lease``, and commit.

    A message is due when it is pending, its time has come, no live lease holds it, and
    no older message of its stream is still to be sent (pending or held): so a stream's
    messages go out one at a time, in order.
    """
    now = now or utcnow()
    older = aliased(OutboxMessage)
    behind_another = exists().where(
        older.stream == OutboxMessage.stream, older.id < OutboxMessage.id, older.state.in_((PENDING, HELD))
    )
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.state == PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            ~behind_another,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if is_postgresql():
        due = due.with_for_update(skip_locked=True, of=OutboxMessage)
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(claimed_by=holder, claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    if not ids:
        return []
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)))


@dataclass(frozen=True)
class Outcome:
    """What one try at sending a message came to."""

    ok: bool
    duration_ms: int = 0
    status_code: int | None = None
    error: str | None = None
    response_bytes: int = 0
    response_excerpt: str | None = None
    retry_after: float | None = None  # seconds the receiver asked us to wait
    permanent: bool = False  # retrying cannot help (a 410 Gone, an address refused): give up now


def record_attempt(message: OutboxMessage, outcome: Outcome, holder: str, at: dt.datetime) -> None:
    """Log one try of ``message`` (to the session)."""
    excerpt = outcome.response_excerpt[:EXCERPT_CHARS] if outcome.response_excerpt else None
    db.session.add(
        OutboxAttempt(
            message_id=message.id,
            number=message.attempts + 1,
            at=at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
            response_bytes=outcome.response_bytes,
            response_excerpt=excerpt,
            deliverer=holder,
        )
    )
    message.attempts += 1
    message.first_attempt_at = message.first_attempt_at or at
    message.last_error = outcome.error


def mark_delivered(message: OutboxMessage, at: dt.datetime) -> None:
    message.state, message.done_at = DELIVERED, at
    message.claimed_by = message.claimed_until = None


def retry_later(message: OutboxMessage, when: dt.datetime) -> None:
    message.next_attempt_at = when
    message.claimed_by = message.claimed_until = None


def cancel(message: OutboxMessage, reason: str, at: dt.datetime) -> None:
    message.state, message.last_error, message.done_at = CANCELLED, reason, at
    message.claimed_by = message.claimed_until = None


def hold_stream(stream: str) -> None:
    """Hold every message of ``stream`` still to be sent (its receiver is paused)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.stream == stream, OutboxMessage.state == PENDING)
        .values(state=HELD, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def release_stream(stream: str, now: dt.datetime | None = None) -> None:
    """Send the held messages of ``stream`` again, from now on, in their order."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.stream == stream, OutboxMessage.state == HELD)
        .values(state=PENDING, next_attempt_at=now or utcnow(), first_attempt_at=None)
        .execution_options(synchronize_session=False)
    )


def cancel_target(kind: str, target: str, reason: str) -> None:
    """Drop the unsent messages of ``kind`` for ``target`` (a subscription deleted, say)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.kind == kind, OutboxMessage.target == target, OutboxMessage.state.in_((PENDING, HELD)))
        .values(state=CANCELLED, last_error=reason, done_at=utcnow(), claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def attempts_for(kind: str, target: str, before_id: int | None, limit: int) -> Sequence[tuple]:
    """The tries of the messages of ``kind`` for ``target``, newest first: (attempt, message) rows."""
    statement = (
        select(OutboxAttempt, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.id == OutboxAttempt.message_id)
        .where(OutboxMessage.kind == kind, OutboxMessage.target == target)
        .order_by(OutboxAttempt.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(OutboxAttempt.id < before_id)
    return db.session.execute(statement).all()


# --- a named lease: SQLite's single deliverer -----------------------------------------------


def hold_lease(name: str, holder: str, ttl: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False while another holder's lease runs.

    One conditional UPDATE (or an INSERT when there is no row), committed: of several
    processes asking at once exactly one gets it.
    """
    now = now or utcnow()
    taken = db.session.execute(
        update(DelivererLease)
        .where(
            DelivererLease.name == name,
            or_(DelivererLease.holder == holder, DelivererLease.expires_at < now),
        )
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        if db.session.get(DelivererLease, name) is not None:
            db.session.rollback()
            return False
        db.session.add(DelivererLease(name=name, holder=holder, expires_at=now + ttl))
    try:
        db.session.commit()
    except IntegrityError:  # another process inserted the row first
        db.session.rollback()
        return False
    return True


def release_lease(name: str, holder: str) -> None:
    db.session.execute(delete(DelivererLease).where(DelivererLease.name == name, DelivererLease.holder == holder))
    db.session.commit()
