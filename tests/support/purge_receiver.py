"""A fake CDN purge API on loopback: it records every request (method, path, headers,
body) and can fail the first few on purpose. Stands in for Fastly's and Cloudflare's
APIs (never reached from the tests) and for Varnish where no cache is needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.loopback import LoopbackServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PurgeReceiver(LoopbackServer):
    failures: int = 0  # answer 503 (Retry-After: 0) to this many requests first
    seen: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> PurgeReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
                if receiver.failures > 0:
                    receiver.failures -= 1
                    self.send_response(503)
                    self.send_header("Retry-After", "0")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = do_BAN = do_PURGE = answer  # noqa: N815 - the stdlib's names

            def log_message(self, *args):
                pass

        self.serve(Handler)
        return self
