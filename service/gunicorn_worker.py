"""A gunicorn sync worker that finishes the requests already queued when SIGTERM comes.

gunicorn's own sync worker stops at SIGTERM after its current request; requests that
clients had already sent and that were waiting in the listening socket's accept queue
are then reset when the socket closes. This worker, once told to stop, first shrinks
the queue so that few new connections are taken, then serves what is queued, bounded
in time, and only then exits.
"""
from __future__ import annotations

import errno
import time

from gunicorn.workers.sync import SyncWorker

NOTHING_QUEUED = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED)


class DrainingSyncWorker(SyncWorker):
    def run(self) -> None:
        super().run()  # returns once SIGTERM has set alive to False
        self.drain_queue()

    def drain_queue(self) -> None:
        deadline = time.monotonic() + max(1.0, self.cfg.graceful_timeout / 2)
        for listener in self.sockets:
            try:
                listener.sock.listen(0)  # admit as few new connections as the kernel allows
            except OSError:
                pass
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
