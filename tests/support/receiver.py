"""A webhook receiver on loopback for the tests: it verifies every delivery as the
Standard Webhooks specification says a consumer should, and can misbehave on purpose.

Verification, by hand (not with the library the service signs with, so the two
are checked against each other):

1. the ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers are there;
2. the timestamp is an integer within five minutes of now;
3. the key is the base64 secret after its ``whsec_`` prefix, decoded;
4. the signed content is ``{id}.{timestamp}.{body}``, the body exactly as received;
5. one of the space-separated ``v1,<base64>`` signatures equals the HMAC-SHA256 of
   that content, compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.loopback import LoopbackServer

TOLERANCE_SECONDS = 5 * 60


def verify(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> str | None:
    """None when the delivery is authentic; else what is wrong with it."""
    headers = {name.lower(): value for name, value in headers.items()}
    message_id, timestamp, signatures = (headers.get(f"webhook-{n}") for n in ("id", "timestamp", "signature"))
    if not (message_id and timestamp and signatures):
        return "missing webhook headers"
    if not timestamp.isdigit():
        return "the timestamp is not an integer"
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return "the timestamp is outside the tolerance"
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
    for signature in signatures.split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(expected, value.encode()):
            return None
    return "no signature matches"


@dataclass
class Delivery:
    webhook_id: str
    timestamp: str
    host: str
    seq: int | None
    body: dict
    problem: str | None  # None: verified
    answered: int


@dataclass
class Receiver(LoopbackServer):
    """Answers ``status`` (after failing the first ``fail_first`` requests with 503),
    optionally after ``delay`` seconds, with a redirect or a huge body."""

    secret: str = ""
    fail_first: int = 0
    status: int = 204
    delay: float = 0.0
    redirect_to: str | None = None
    body_bytes: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    requests: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    tls: ssl.SSLContext | None = None  # serve https with this context
    name: str | None = None  # the host name its URL uses (resolved by the test's resolver)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{self.name or host}:{port}/hook"

    def verified_seqs(self) -> list[int]:
        with self.lock:
            return [d.seq for d in self.deliveries if d.problem is None and 200 <= d.answered < 300]

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests += 1
                    number = receiver.requests
                receiver.arrived.set()
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = 503 if number <= receiver.fail_first else receiver.status
                if receiver.redirect_to:
                    status = 302
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {}
                headers = dict(self.headers.items())
                record = Delivery(
                    headers.get("webhook-id", ""),
                    headers.get("webhook-timestamp", ""),
                    headers.get("Host", ""),
                    payload.get("seq"),
                    payload,
                    verify(receiver.secret, headers, body),
                    status,
                )
                with receiver.lock:
                    receiver.deliveries.append(record)
                self.send_response(status)
                if receiver.redirect_to:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", str(receiver.body_bytes))
                self.end_headers()
                try:
                    remaining = receiver.body_bytes
                    while remaining > 0:
                        chunk = min(remaining, 65536)
                        self.wfile.write(b"x" * chunk)
                        remaining -= chunk
                except OSError:
                    pass  # the service stopped reading: as it should, past 64 KB

            def log_message(self, *args):
                pass

        self.serve(Handler, self.tls)
        return self


def wait_for(condition, seconds: float = 30.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
