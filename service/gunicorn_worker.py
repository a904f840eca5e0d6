"""A gunicorn sync worker that finishes the requests already queued when SIGTERM comes.

gunicorn's own sync worker stops at SIGTERM after its current request; requests that
clients had already sent and that were waiting in the listening socket's accept queue
are then reset when the socket closes. This worker, once told to stop, serves what
is queued, bounded in time, and only then exits. It never changes the listening
socket itself: the master and every other worker share it, and a smaller backlog
would outlive this worker and slow the whole server.

It also lends its heartbeat to the app (``service.heartbeat``): a sync worker
notifies the arbiter only between requests, so a streamed export longer than
``timeout`` would otherwise be killed mid-body.
"""

from __future__ import annotations

import errno
import time

from gunicorn.workers.sync import SyncWorker

from service import heartbeat

NOTHING_QUEUED = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED)


class DrainingSyncWorker(SyncWorker):
    def init_process(self) -> None:
        heartbeat.install(self.notify)
        super().init_process()  # runs the request loop; returns only when the worker exits

    def run(self) -> None:
        super().run()  # returns once SIGTERM has set alive to False
        self.drain_queue()

    def drain_queue(self) -> None:
        deadline = time.monotonic() + max(1.0, self.cfg.graceful_timeout / 2)
        while time.monotonic() < deadline:
            served = False
            for listener in self.sockets:
                try:
                    self.accept(listener)
                    served = True
                except OSError as error:
                    if error.errno not in NOTHING_QUEUED:
                        raise
            if not served:
                return
            self.notify()
