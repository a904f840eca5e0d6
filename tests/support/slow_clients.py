"""The slow-client probe of issue 12, on loopback: attackers that send or read one byte a second.

``probe()`` opens slow-header, slow-body and slow-reader connections, then measures a
client making normal requests while they hold on. Slow connections the server closes are
opened again, as an attacker would. Used by tests/test_slow_clients.py (against
gunicorn.conf.py as `make run` starts it), tests/live (against the container), and as a
script for the numbers of the issue's table:

    python -m tests.support.slow_clients http://127.0.0.1:8000 --export '/v1/sources?format=csv' \
        --headers 16 --bodies 16 --readers 16 --seconds 30
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

NORMAL_PATH = "/v1/countries?limit=20"
SLOW_BODY_LENGTH = 100_000


@dataclass
class ProbeResult:
    requests: int = 0
    failures: int = 0
    latencies: list[float] = field(default_factory=list, repr=False)
    failure_kinds: dict[str, int] = field(default_factory=dict)
    reader_bytes: list[int] = field(default_factory=list)
    slow_connections_opened: int = 0

    @property
    def p99(self) -> float:
        if not self.latencies:
            return float("inf")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("latencies")
        data["p99_ms"] = round(self.p99 * 1000, 1)
        data["p50_ms"] = round(sorted(self.latencies)[len(self.latencies) // 2] * 1000, 1) if self.latencies else None
        return data


def _address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    assert parts.hostname in {"127.0.0.1", "localhost", "::1"}, "loopback only"
    return parts.hostname, parts.port or 80


def _connect(address: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    return sock


class _Attackers:
    def __init__(self, address: tuple[str, int], export_path: str, result: ProbeResult):
        self.address = address
        self.export_path = export_path
        self.result = result
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self, kind: str, count: int) -> None:
        for index in range(count):
            thread = threading.Thread(target=getattr(self, kind), args=(index,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _opened(self) -> None:
        with self.lock:
            self.result.slow_connections_opened += 1

    def _dribble(self, prefix: bytes, one: bytes) -> None:
        """Send ``prefix``, then ``one`` a second, reconnecting whenever the server closes."""
        while not self.stop.is_set():
            try:
                with _connect(self.address) as sock:
                    self._opened()
                    sock.sendall(prefix)
                    while not self.stop.wait(1.0):
                        sock.sendall(one)
            except OSError:
                self.stop.wait(0.2)

    def headers(self, index: int) -> None:
        host = f"{self.address[0]}:{self.address[1]}"
        self._dribble(f"GET {NORMAL_PATH} HTTP/1.1\r\nHost: {host}\r\nX-Slow-{index}: ".encode(), b"a")

    def bodies(self, index: int) -> None:
        host = f"{self.address[0]}:{self.address[1]}"
        head = (
            f"POST /v1/sources HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {SLOW_BODY_LENGTH}\r\n\r\n"
        )
        self._dribble(head.encode() + b"{", b" ")

    def readers(self, index: int) -> None:
        """Ask for the export, then read it one byte a second."""
        host = f"{self.address[0]}:{self.address[1]}"
        slot = len(self.result.reader_bytes)
        with self.lock:
            self.result.reader_bytes.append(0)
            slot = len(self.result.reader_bytes) - 1
        while not self.stop.is_set():
            try:
                with _connect(self.address) as sock:
                    self._opened()
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                    sock.sendall(f"GET {self.export_path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                    while not self.stop.wait(1.0):
                        if not sock.recv(1):
                            break
                        with self.lock:
                            self.result.reader_bytes[slot] += 1
            except OSError:
                self.stop.wait(0.2)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


def normal_request(address: tuple[str, int], path: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection(*address, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def probe(
    base_url: str,
    export_path: str,
    *,
    headers: int = 16,
    bodies: int = 16,
    readers: int = 16,
    seconds: float = 15,
    settle: float = 2.0,
    normal_headers: dict[str, str] | None = None,
) -> ProbeResult:
    """Hold the slow connections open while a normal client requests for ``seconds``."""
    address = _address(base_url)
    result = ProbeResult()
    attackers = _Attackers(address, export_path, result)
    attackers.start("headers", headers)
    attackers.start("bodies", bodies)
    attackers.start("readers", readers)
    try:
        time.sleep(settle)  # the slow connections are in place before the first measured request
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            began = time.monotonic()
            try:
                status = normal_request(address, NORMAL_PATH, normal_headers or {})
                kind = None if status == 200 else f"status {status}"
            except OSError as error:
                kind = type(error).__name__
            elapsed = time.monotonic() - began
            result.requests += 1
            result.latencies.append(elapsed)
            if kind:
                result.failures += 1
                result.failure_kinds[kind] = result.failure_kinds.get(kind, 0) + 1
            time.sleep(max(0.0, 0.05 - elapsed))
    finally:
        attackers.finish()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("--export", default="/v1/sources?format=csv")
    parser.add_argument("--headers", type=int, default=16)
    parser.add_argument("--bodies", type=int, default=16)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    result = probe(
        args.base_url,
        args.export,
        headers=args.headers,
        bodies=args.bodies,
        readers=args.readers,
        seconds=args.seconds,
    )
    print(json.dumps(result.summary()))


if __name__ == "__main__":
    main()
