"""Senders, one per outbox message ``kind``: the deliverer's only kind-specific code.

A sender turns a claimed message into a try, in two steps so that no database work
happens on the sending threads:

- ``prepare(message)``, on the deliverer's main thread with the database: what the
  try needs (a URL, a secret, a body), or ``Cancel`` when the message has no
  recipient any more;
- ``send(prepared)``, on a worker thread, without the database: one bounded try,
  its ``Outcome``.

and says what giving up means for its kind (``give_up``: a webhook pauses its
subscription). ``GIVE_UP_AFTER`` is how long a message is retried. A new kind is a
class with these methods, registered with ``@sender("kind")``; the deliverer's loop
does not change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..store.models import OutboxMessage
from ..store.outbox import Outcome


@dataclass(frozen=True)
class Cancel:
    """The message is not to be sent at all (its subscription is gone): why."""

    reason: str


@dataclass(frozen=True)
class SetAside:
    """The sender has put the message aside itself (held it while its stream is paused)."""


class Sender(Protocol):
    give_up_after: dt.timedelta

    def prepare(self, message: OutboxMessage) -> Any | Cancel | SetAside: ...

    def send(self, prepared: Any) -> Outcome: ...

    def give_up(self, message: OutboxMessage, outcome: Outcome) -> None:
        """After the last failed try: what becomes of the message (and of its stream)."""


SenderFactory = Callable[[Mapping[str, Any]], Sender]
FACTORIES: dict[str, SenderFactory] = {}


def sender(kind: str) -> Callable[[SenderFactory], SenderFactory]:
    """Register the factory (a class taking the app's config) of the sender of ``kind``."""

    def register(factory: SenderFactory) -> SenderFactory:
        FACTORIES[kind] = factory
        return factory

    return register


def build_senders(config: Mapping[str, Any], only: Mapping[str, SenderFactory] | None = None) -> dict[str, Sender]:
    """One sender per registered kind, configured from the app's config."""
    return {kind: factory(config) for kind, factory in (only or FACTORIES).items()}
