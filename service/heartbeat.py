"""A liveness signal for responses that take longer than gunicorn's worker timeout.

gunicorn's arbiter kills a sync worker that has not notified it for ``timeout``
seconds, and a sync worker notifies only between requests: a long streamed export
would be killed mid-body, leaving the client a truncated 200. The worker
(``service.gunicorn_worker``) installs its ``notify`` here, and code that streams
calls ``beat()`` as it makes progress. Outside gunicorn (tests, the CLI) it does nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_notify: Callable[[], None] | None = None


def install(notify: Callable[[], None] | None) -> None:
    """Called once by the worker process; ``None`` removes it."""
    global _notify
    _notify = notify


def beat() -> None:
    """Tell the server this worker is making progress (one cheap file timestamp update)."""
    if _notify is not None:
        _notify()
