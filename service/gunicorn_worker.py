"""gunicorn workers: slow clients never hold a thread, errors are problem+json, logs keep no request text.

``PacedThreadWorker`` (the default, gunicorn.conf.py) is gunicorn's ``gthread`` worker with
these changes, for the probes and the bound of issue 12:

- A connection reaches a worker thread only once its whole request head, and its body up
  to ``MAX_BODY_BYTES``, have arrived. Until then the worker's event loop reads what the
  client sends without blocking; a request that is not complete ``REQUEST_READ_TIMEOUT``
  seconds after its first byte is answered 408 and closed. Clients that send one byte a
  second hold a small buffer, never a thread.
- A response is written without blocking; a client whose TCP stack acknowledges no byte
  for ``SEND_TIMEOUT`` seconds has stopped reading and is reset (RST). The response's
  end (the last chunk of a streamed export) is never sent, so a cut export can never be
  taken for a whole one. A reader at 1 KB/s acknowledges a TCP window (at most 64 KiB,
  on loopback) within ``SEND_TIMEOUT``, so it receives exports of any size.
- One thread at a time runs the app (``RUNNING_THREADS``): a thread takes the worker's
  turn to run the app and gives it back while its client is slow to take the answer.
  Threads that would only take the interpreter lock from each other wait asleep, so a
  CPU-bound answer costs what it costs in the sync worker; slow readers cost a thread
  each, never the turn.
- A thread that has just answered waits up to ``KEEPALIVE_LINGER`` seconds for the same
  client's next request and serves it too, unless another request is waiting for a
  thread. Keep-alive clients (CDNs, load balancers, widgets' browsers) thus skip the
  event loop and two thread hand-overs per request.
- Keep-alive connections are spread evenly over the workers: a worker that holds more
  connections than the least loaded other worker pauses accepting for ``ACCEPT_DEFER``
  seconds (10 ms in all at most), so that worker takes the new one. (Each worker runs the app on one core at
  a time; wrk's 16 connections had landed 11/5, 13/3 and 12/4.) Workers publish their
  counts in memory the master shares with them at fork.
- On SIGTERM it serves the connections already queued on the listening socket before
  it exits, as ``DrainingSyncWorker`` does.

Measured against the sync worker, side by side on the same data (bench/RESULTS-serving.md):
without the turn, the linger and the spread, repeated answers came 10-30 % slower and the
built relations answer 22 % slower; with them, no bench scenario is more than 1 % slower.

``DrainingSyncWorker`` is the former design (one request at a time per process), kept for
``bench/run.py --serving sync`` comparisons and as ``WORKER_CLASS=sync``.

Both answer gunicorn's own errors (malformed request line or header, too long a request
line or header, an error before the app answered) as problem+json, and log them by
kind only: a malformed header line may carry a bearer token.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import mmap
import os
import re
import select
import selectors
import socket
import struct
import termios
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from http import HTTPStatus
from typing import Any

from gunicorn import glogging, util
from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker
from gunicorn.workers.sync import SyncWorker

from service import heartbeat

NOTHING_QUEUED = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED)
PROBLEM_MIMETYPE = "application/problem+json"  # as service.http.problems, without importing Flask here
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


def _seconds(name: str, default: str) -> float:
    value = float(os.environ.get(name, default))
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {value}")
    return value


REQUEST_READ_TIMEOUT = _seconds("REQUEST_READ_TIMEOUT", "20")
SEND_TIMEOUT = _seconds("SEND_TIMEOUT", "120")
# How long a thread that has just answered waits for the same client's next request
# before handing the connection back to the event loop.
KEEPALIVE_LINGER = float(os.environ.get("KEEPALIVE_LINGER", "0.02"))
# Threads of a worker that run the app at once (module docstring): 1, as the sync worker;
# more only helps an app that waits on a slow database.
RUNNING_THREADS = int(os.environ.get("RUNNING_THREADS", "1"))
if RUNNING_THREADS < 1:
    raise ValueError(f"RUNNING_THREADS must be at least 1, not {RUNNING_THREADS}")
# How long a worker with more connections than another lets a new one wait for it.
ACCEPT_DEFER = 0.002
MAX_ACCEPT_DEFERRALS = 5
MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", str(1024 * 1024)))  # as service.config
HEAD_BUFFER_BYTES = 128 * 1024  # past this without a blank line, gunicorn's parser refuses the head (414/431)
READ_CHUNK = 65536

# --- gunicorn's own errors as problem+json ------------------------------------------------

# (status, what the client should do); the exception's text is never sent nor logged.
_CLIENT_ERRORS: list[tuple[type[BaseException], int, str]] = [
    (http_errors.LimitRequestLine, 414, "The request line (method, path and query) is too long; shorten the query."),
    (
        http_errors.LimitRequestHeaders,
        431,
        "A header is too large, or there are too many headers; send fewer or shorter headers.",
    ),
    (
        http_errors.UnsupportedTransferCoding,
        501,
        "The Transfer-Encoding is not supported; send the body with Content-Length or chunked.",
    ),
    (http_errors.ExpectationFailed, 417, "Only 'Expect: 100-continue' is supported."),
    (http_errors.ForbiddenProxyRequest, 403, "PROXY protocol lines are not accepted from this address."),
    (
        (http_errors.InvalidHeader, http_errors.InvalidHeaderName, http_errors.ObsoleteFolding),
        400,
        "A header line is malformed: each must be 'Name: value' on one line, with a valid name.",
    ),
    (
        (http_errors.InvalidChunkSize, http_errors.ChunkMissingTerminator, http_errors.InvalidChunkExtension),
        400,
        "The chunked request body is malformed.",
    ),
    (
        (
            http_errors.InvalidRequestLine,
            http_errors.InvalidRequestMethod,
            http_errors.InvalidHTTPVersion,
            http_errors.InvalidProxyLine,
            http_errors.InvalidSchemeHeaders,
            http_errors.ParseException,
        ),
        400,
        "The request line is malformed: send 'METHOD /path HTTP/1.1' in ASCII.",
    ),
]
_APP_FAULTS = (http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName)


def classify(exc: BaseException) -> tuple[int, str]:
    """The status and detail gunicorn's error ``exc`` is answered with."""
    if not isinstance(exc, _APP_FAULTS):
        for kinds, status, detail in _CLIENT_ERRORS:
            if isinstance(exc, kinds):
                return status, detail
    return 500, "The server failed to answer this request; quote the request_id when reporting it."


def problem_bytes(status: int, detail: str, instance: str, request_id: str) -> bytes:
    """A whole HTTP/1.1 answer: problem+json with the fields of service.http.problems, then close."""
    phrase = HTTPStatus(status).phrase
    body = json.dumps(
        {
            "type": "about:blank",
            "title": phrase,
            "status": status,
            "detail": detail,
            "instance": instance,
            "request_id": request_id,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {PROBLEM_MIMETYPE}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Request-ID: {request_id}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Cache-Control: no-store\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


def _request_id(req: Any) -> str:
    for name, value in getattr(req, "headers", None) or []:
        if name == "X-REQUEST-ID":
            raw = value.encode("latin-1", "replace") if isinstance(value, str) else value
            if _SAFE_REQUEST_ID.match(raw):
                return raw.decode()
    return uuid.uuid4().hex


def _safe_path(req: Any) -> str:
    path = getattr(req, "path", None)
    return path if isinstance(path, str) and path.startswith("/") and path.isprintable() else "/"


class ProblemErrors:
    """Replaces gunicorn's HTML error pages and its error log lines, which quote the offending text."""

    log: Any
    cfg: Any

    def handle_error(self, req, client, addr, exc) -> None:
        if req is None and getattr(exc, "req", None) is not None:
            req = exc.req  # a header error: the request line was parsed
        status, detail = classify(exc)
        request_id = _request_id(req)
        kind = type(exc).__name__
        if status == 500:
            # The app's own failure (or a worker timeout): a traceback, the path, never the query or headers.
            self.log.exception("error answering %s (%s) request_id=%s", _safe_path(req), kind, request_id)
        else:
            ip = addr[0] if addr else ""
            self.log.warning(
                "refused a request from ip=%s: %s, answered %d request_id=%s", ip, kind, status, request_id
            )
        try:
            util.write_nonblock(client, problem_bytes(status, detail, _safe_path(req), request_id))
        except Exception:
            self.log.debug("Failed to send error message.")


# --- the error log: no request text, even from gunicorn's own debug lines -------------------

_SECRETS = re.compile(r"(?i)(bearer\s+\S+|rs_[A-Za-z0-9_\-]+|authorization\S*\s*:?\s*\S+)")


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, with anything that looks like a credential blanked in the error log."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(_redact)


def _redact(record) -> bool:
    text = record.getMessage()
    cleaned = _SECRETS.sub("[redacted]", text)
    if cleaned != text:
        record.msg, record.args = cleaned, None
    return True


# --- the sync design --------------------------------------------------------------------------


class DrainingSyncWorker(ProblemErrors, SyncWorker):
    """gunicorn's sync worker that, told to stop, serves what is already queued, bounded in time.

    It never changes the listening socket itself: the master and every other worker share
    it. It lends its heartbeat to the app (``service.heartbeat``): a sync worker notifies
    the arbiter only between requests, so a streamed export longer than ``timeout`` would
    otherwise be killed mid-body.
    """

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


# --- the paced threaded design ----------------------------------------------------------------

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d{1,20})")
_METHOD_START = re.compile(rb"[A-Z]{0,20}(?: |$)")
_REQUEST_LINE = re.compile(rb"[A-Z]{1,20} [\x21-\x7e]+ HTTP/[0-9]\.[0-9]\r\n")


def request_arrived(buffer: bytes | bytearray) -> bool:
    """Whether ``buffer`` holds a whole request head and its body up to MAX_BODY_BYTES.

    Only a readiness test: gunicorn's parser, in the worker thread, judges the bytes.
    """
    start = bytes(buffer[:16384]).lstrip(b"\r\n")  # blank lines before a request are allowed
    if not _METHOD_START.match(start) or (b"\n" in start and not _REQUEST_LINE.match(start)):
        return True  # not a request line: the parser refuses it at once
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return len(buffer) > HEAD_BUFFER_BYTES
    head = bytes(buffer[:end]).lower()
    body = len(buffer) - end - 4
    if b"\r\ntransfer-encoding" in head:
        # The last chunk, 0 CRLF CRLF (a body with trailers waits for the deadline instead).
        return body > MAX_BODY_BYTES or buffer.endswith(b"0\r\n\r\n")
    length = _CONTENT_LENGTH.search(head)
    if length is None:
        return True
    return body >= min(int(length.group(1)), MAX_BODY_BYTES + 1)


def wants_continue(buffer: bytes | bytearray) -> bool:
    """Whether a complete HTTP/1.1 head asks for ``100 Continue`` before its body."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = bytes(buffer[:end]).lower()
    return b"\r\nexpect:" in head and b"100-continue" in head and b" http/1.1\r\n" in head


class StalledReader(BaseException):
    """Raised out of a write when the client acknowledged nothing for SEND_TIMEOUT seconds.

    A BaseException, like gunicorn's own worker-timeout SystemExit, so that gunicorn's
    error handling neither logs it as a crash nor tries to write an error page to a
    client that does not read.
    """


def unsent_bytes(sock: socket.socket) -> int | None:
    """Bytes in the kernel's send queue not yet acknowledged by the peer (Linux); None elsewhere."""
    try:
        answer = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    except (OSError, AttributeError):
        return None
    return struct.unpack("i", answer)[0]


class WorkerLoads:
    """Each worker's open connections, in anonymous memory shared across fork.

    Made when this module is imported, which gunicorn does in the master before it forks
    the workers. A worker writes its own slot (its age, gunicorn's serial number of
    workers, modulo the slots; two workers 64 restarts apart may share one, which only
    blurs the spread) with a time, and readers ignore a slot not written for
    ``STALE_AFTER`` seconds: a worker that died leaves nothing that counts.
    """

    SLOTS = 64
    STALE_AFTER = 2.0
    _ENTRY = struct.Struct("iid")  # connections, pid, when (monotonic: one clock for all processes)

    def __init__(self) -> None:
        self.memory = mmap.mmap(-1, self.SLOTS * self._ENTRY.size)

    def publish(self, age: int, connections: int) -> None:
        self._ENTRY.pack_into(
            self.memory, (age % self.SLOTS) * self._ENTRY.size, connections, os.getpid(), time.monotonic()
        )

    def fewest_elsewhere(self, age: int) -> int | None:
        """The fewest connections any other live worker holds; None when there is none."""
        now, mine, fewest = time.monotonic(), age % self.SLOTS, None
        for slot, (connections, pid, when) in enumerate(self._ENTRY.iter_unpack(self.memory)):
            if slot != mine and pid and now - when < self.STALE_AFTER:
                fewest = connections if fewest is None else min(fewest, connections)
        return fewest


LOADS = WorkerLoads()


class PacedSocket:
    """A connection's socket for one response: ``sendall`` gives up on a client that stopped reading.

    Progress is what the client's TCP acknowledges, not what this process hands to the
    kernel: a send blocked on a full buffer is woken only when a third of it is free,
    which a slow but steady reader may take longer than SEND_TIMEOUT to free.
    """

    def __init__(
        self,
        sock: socket.socket,
        limit: float,
        clock: Callable[[], float] = time.monotonic,
        waiting: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
    ):
        self._sock = sock
        self._limit = limit
        self._clock = clock
        self._waiting = waiting  # entered while the client is awaited: another thread may run

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def sendall(self, data) -> None:
        view = memoryview(data).cast("B")
        stalled_since: float | None = None
        queued_before: int | None = None
        while view:
            try:
                sent = self._sock.send(view, socket.MSG_DONTWAIT)
            except BlockingIOError:
                sent = 0
            if sent:
                view = view[sent:]
                stalled_since = None
                continue
            now = self._clock()
            queued = unsent_bytes(self._sock)
            if stalled_since is None or (queued is not None and queued_before is not None and queued < queued_before):
                stalled_since = now  # the client took some bytes
            queued_before = queued
            if now - stalled_since >= self._limit:
                raise StalledReader()
            poller = select.poll()
            poller.register(self._sock, select.POLLOUT)
            with self._waiting():
                poller.poll(1000 * min(1.0, self._limit))


class PacedThreadWorker(ProblemErrors, ThreadWorker):
    """gthread, with requests read in full by the event loop and writes paced (module docstring)."""

    def init_process(self) -> None:
        self.arriving: dict[TConn, None] = {}  # connections whose request is still arriving (ordered)
        self.drain_until: float | None = None  # once stopping: until when queued connections are taken
        # One turn is a plain lock: taken and given back in C, it costs a request nothing.
        self.turns = threading.Lock() if RUNNING_THREADS == 1 else threading.BoundedSemaphore(RUNNING_THREADS)
        super().init_process()

    # -- reading: the event loop buffers each request until it has all arrived --------------

    # -- spreading connections over the workers (module docstring) ----------------------------

    accept_resumes = 0.0  # while paused, until when this worker takes no new connection
    accept_deferrals = 0  # pauses in a row: bounded, in case the other worker cannot accept

    @property
    def worker_connections(self) -> int:
        """gthread's cap on connections, 0 while accepting is paused (its loop then stops accepting)."""
        return 0 if time.monotonic() < self.accept_resumes else self._worker_connections

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._worker_connections = value

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        pause = self.accept_resumes - time.monotonic()
        super().wait_for_and_dispatch_events(min(timeout, pause) if pause > 0 else timeout)

    def leave_to_another_worker(self) -> bool:
        """Whether to let a less loaded worker take the next connection: a pause of
        ACCEPT_DEFER, at most MAX_ACCEPT_DEFERRALS in a row."""
        fewest = LOADS.fewest_elsewhere(self.age) if self.alive else None
        if fewest is None or self.nr_conns <= fewest or self.accept_deferrals >= MAX_ACCEPT_DEFERRALS:
            self.accept_deferrals = 0
            return False
        self.accept_deferrals += 1
        self.accept_resumes = time.monotonic() + ACCEPT_DEFER
        self.set_accept_enabled(False)
        return True

    def accept(self, listener) -> None:
        if self.leave_to_another_worker():
            return
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in NOTHING_QUEUED:
                raise
            return
        self.nr_conns += 1
        LOADS.publish(self.age, self.nr_conns)
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        self.await_request(conn, b"", idle=self.cfg.keepalive or 1)

    def await_request(self, conn: TConn, already: bytes, idle: float) -> None:
        conn.arrived = bytearray(already)
        conn.deadline = time.monotonic() + (REQUEST_READ_TIMEOUT if already else idle)
        if already and request_arrived(conn.arrived):
            self.dispatch(conn)
            return
        conn.sock.setblocking(False)
        self.arriving[conn] = None
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_request_bytes, conn))

    def on_request_bytes(self, conn: TConn, _sock) -> None:
        try:
            data = conn.sock.recv(READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self.forget(conn)
            self.nr_conns -= 1
            util.close(conn.sock)
            return
        if not conn.arrived:
            conn.deadline = time.monotonic() + REQUEST_READ_TIMEOUT  # the clock runs from the first byte
        conn.arrived += data
        if request_arrived(conn.arrived):
            self.forget(conn)
            self.dispatch(conn)
        elif wants_continue(conn.arrived) and not getattr(conn, "continued", False):
            # The client waits for this before it sends the body (curl does, past 1 KB);
            # gunicorn sends its own when the app starts: two 100s are allowed (RFC 9110 15.2).
            conn.continued = True
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass

    def forget(self, conn: TConn) -> None:
        self.arriving.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def dispatch(self, conn: TConn) -> None:
        conn.data_ready = True  # gthread's own wait for a first byte is not needed
        self.enqueue_req(conn)

    def murder_pending(self) -> None:
        LOADS.publish(self.age, self.nr_conns)  # once per turn of the event loop
        super().murder_pending()
        now = time.monotonic()
        if not self.alive and self.drain_until is not None and now < self.drain_until:
            self.take_queued()  # what queued while the last ones were served, as DrainingSyncWorker does
        for conn in [c for c in self.arriving if c.deadline <= now]:
            self.forget(conn)
            self.nr_conns -= 1
            if conn.arrived:  # a request began and did not finish in time
                self.log.info("request not received within %s s; answered 408", REQUEST_READ_TIMEOUT)
                detail = f"The request did not arrive in full within {REQUEST_READ_TIMEOUT:g} seconds."
                try:
                    util.write_nonblock(conn.sock, problem_bytes(408, detail, "/", uuid.uuid4().hex))
                except OSError:
                    pass
            util.close(conn.sock)

    # -- stopping: serve what is already queued ---------------------------------------------

    def set_accept_enabled(self, enabled: bool) -> None:
        if not enabled and not self.alive and self._accepting:
            self.take_queued()
        super().set_accept_enabled(enabled)

    def take_queued(self) -> None:
        """Accept what clients already sent before SIGTERM; the stopping loop serves it."""
        if self.drain_until is None:
            # Long enough for a connection begun before SIGTERM to reach the queue.
            self.drain_until = time.monotonic() + STOP_KEEPALIVE_LINGER
        for listener in self.sockets:
            for _ in range(self.cfg.backlog):
                if self.nr_conns >= self.worker_connections:
                    return
                before = self.nr_conns
                self.accept(listener)
                if self.nr_conns == before:
                    break
        for conn in self.arriving:
            if not conn.arrived:
                conn.deadline = min(conn.deadline, time.monotonic() + STOP_KEEPALIVE_LINGER)

    # -- in a worker thread --------------------------------------------------------------------

    def handle(self, conn: TConn):
        result = self.serve(conn)
        # The client's next request on this connection usually follows at once: served by
        # this thread, it skips the event loop and two thread hand-overs.
        while result is True and self.alive:
            following = self.next_request_soon(conn)
            if following is None:  # not yet: the event loop waits for it (finish_request)
                return True
            if not following:
                return False
            result = self.serve(conn)
        return result

    def next_request_soon(self, conn: TConn) -> bool | None:
        """Wait up to KEEPALIVE_LINGER for the whole next request (True: in ``conn.arrived``).

        None: it has not arrived, and what did is left to the event loop (finish_request);
        False: the client closed the connection.
        """
        buffer = bytearray(conn.parser.unreader.take_buffered())
        deadline = time.monotonic() + KEEPALIVE_LINGER
        poller = select.poll()
        poller.register(conn.sock, select.POLLIN)
        while not (buffer and request_arrived(buffer)):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.requests_waiting():  # a request waiting for a thread ends the wait
                conn.parser.unreader.unread(bytes(buffer))
                return None
            if not poller.poll(min(remaining, 0.002) * 1000):  # short steps, to notice such a request
                continue
            try:
                data = conn.sock.recv(READ_CHUNK, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                return False
            buffer += data
        conn.arrived = buffer
        return True

    def serve(self, conn: TConn):
        """One request, whose bytes (some or all) are in ``conn.arrived``."""
        conn.sock.setblocking(True)
        conn.init()
        arrived, conn.arrived = bytes(conn.arrived), bytearray()
        if arrived:
            conn.parser.unreader.unread(arrived)
        # A body longer than MAX_BODY_BYTES is read (and refused) by the app: bounded too.
        timeval = struct.pack("ll", int(REQUEST_READ_TIMEOUT), int(REQUEST_READ_TIMEOUT % 1 * 1e6))
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        raw = conn.sock
        conn.sock = PacedSocket(raw, SEND_TIMEOUT, waiting=self.turn_given_back)
        try:
            return super().handle(conn)
        finally:
            conn.sock = raw

    @contextlib.contextmanager
    def turn_given_back(self) -> Iterator[None]:
        """While this thread waits for its client to read, another may run."""
        self.turns.release()
        try:
            yield
        finally:
            self.turns.acquire()

    def requests_waiting(self) -> bool:
        """Whether a request that has arrived waits for a free thread."""
        queue = getattr(self.tpool, "_work_queue", None)  # ThreadPoolExecutor's own
        return queue is not None and not queue.empty()

    def handle_request(self, req, conn):
        try:
            # Only the app's own work takes a turn: reading the request (already arrived) and
            # draining a body the app left unread happen outside it.
            with self.turns:
                return super().handle_request(req, conn)
        except StalledReader:
            self.log.warning(
                "client stopped reading: nothing acknowledged for %s s; connection reset, the response left unfinished",
                SEND_TIMEOUT,
            )
            conn.aborted = True
            return False

    def finish_request(self, conn: TConn, fs) -> None:
        try:
            result = False if fs.cancelled() else fs.result()
        except Exception:
            result = False
        if result is True and conn.parser is not None:
            try:
                already = conn.parser.unreader.take_buffered()  # pipelined bytes read ahead
            except Exception:
                already = b""
            idle = self.cfg.keepalive if self.alive else min(self.cfg.keepalive, STOP_KEEPALIVE_LINGER)
            self.await_request(conn, already, idle=idle or 1)
            return
        self.nr_conns -= 1
        if getattr(conn, "aborted", False):
            # RST: drops what the kernel still holds for this client, and says the answer was cut.
            try:
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            util.close(conn.sock)
        else:
            conn.close(graceful=True)
