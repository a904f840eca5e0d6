"""One outgoing HTTP request, bounded every way a receiver could stall the deliverer.

- The host is resolved once, every address it gives is checked (``service.domain.
  addresses``), and the connection goes to the checked address: no second lookup
  leaves a window for DNS rebinding. TLS still verifies the certificate for the name.
- The whole exchange (connect, send, headers, body) has one deadline: a watchdog
  closes the socket when it passes, so a receiver dripping bytes cannot hold it longer.
- Redirects are not followed: a 3xx is an answer like any other.
- At most ``max_bytes`` of the answer are read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..domain.addresses import parse_ip, refusal

Resolver = Callable[[str, int], list[str]]
MAX_ANSWER_BYTES = 64 * 1024


class RefusedUrl(ValueError):
    """A URL the service will not send to; the message says why, for a person to fix."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives for ``host``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def no_lookups(host: str, port: int) -> list[str]:
    """For tests and sandboxes (``WEBHOOK_RESOLVE_NAMES=0``): a name never resolves; IP literals still work."""
    raise OSError("name lookups are off (WEBHOOK_RESOLVE_NAMES=0)")


def resolver_from(config: Mapping) -> Resolver:
    """The resolver the config names: one set in code (tests), none, or the system's."""
    if config.get("WEBHOOK_RESOLVER"):
        return config["WEBHOOK_RESOLVER"]
    return system_resolver if config.get("WEBHOOK_RESOLVE_NAMES", True) else no_lookups


@dataclass(frozen=True)
class Target:
    """A URL split into what a request needs, and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def split_url(url: str) -> tuple[str, str, int, str]:
    """Scheme (lower case), host, port (the scheme's default when none is given) and the
    path with its query; ValueError for a port that is not a number in range."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, parts.hostname or "", port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def check_url(url: str, *, allow_private: bool, resolve: Resolver) -> Target:
    """The URL's target if the service may send to it, else RefusedUrl saying why.

    Outside development mode (``allow_private``) only ``https`` to public addresses;
    in development mode also ``http`` to loopback hosts, and any address.
    """
    try:
        scheme, host, port, path = split_url(url)
    except ValueError as error:
        raise RefusedUrl(f"not a valid URL: {error}") from None
    if scheme not in ("http", "https"):
        raise RefusedUrl("use an https:// URL")
    if not host:
        raise RefusedUrl("the URL names no host")
    credentials = urlsplit(url)
    if credentials.username or credentials.password:
        raise RefusedUrl("the URL may not carry a user name or password; the signature authenticates us")
    literal = parse_ip(host)
    try:
        addresses = [literal] if literal else [parse_ip(a) for a in resolve(host, port)]
    except (OSError, UnicodeError) as error:
        raise RefusedUrl(f"the host {host!r} does not resolve: {error}") from None
    addresses = [a for a in addresses if a is not None]
    if not addresses:
        raise RefusedUrl(f"the host {host!r} has no address")
    if scheme == "http" and not (allow_private and all(a.is_loopback for a in addresses)):
        raise RefusedUrl("use an https:// URL (plain http is only for loopback receivers in development mode)")
    if not allow_private:
        refused = [(a, refusal(a)) for a in addresses]
        refused = [(a, reason) for a, reason in refused if reason]
        if refused:
            address, reason = refused[0]
            shown = "it is" if literal else f"it resolves to {address}, which is"
            raise RefusedUrl(
                f"the host {host!r} may not receive webhooks: {shown} {reason}; "
                "give a URL whose host has only public addresses"
            )
    return Target(scheme, host, port, path, str(addresses[0]))


@dataclass(frozen=True)
class Answer:
    status: int | None
    body: bytes
    headers: Mapping[str, str]
    duration_ms: int
    error: str | None = None


class Watchdog:
    """Shuts a socket down when the deadline passes, whatever call is blocked on it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.sock: socket.socket | None = None
        self.fired = False
        self.timer = threading.Timer(seconds, self.fire)
        self.timer.daemon = True

    def fire(self) -> None:
        self.fired = True
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()


def post(
    target: Target,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    max_bytes: int = MAX_ANSWER_BYTES,
    tls: ssl.SSLContext | None = None,
    method: str = "POST",
) -> Answer:
    """POST (or ``method``) ``body`` to ``target`` (its checked address); never longer than ``timeout`` seconds."""
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    with Watchdog(timeout) as watchdog:
        try:
            sock = socket.create_connection((target.address, target.port), timeout=timeout)
            watchdog.sock = sock
            if target.scheme == "https":
                sock = (tls or ssl.create_default_context()).wrap_socket(sock, server_hostname=target.host)
                watchdog.sock = sock
            connection.sock = sock
            connection.request(method, target.path, body=body, headers={"Host": host_header(target), **headers})
            response = connection.getresponse()
            answer = read_capped(response, max_bytes)
            return Answer(response.status, answer, dict(response.getheaders()), elapsed_ms())
        except (OSError, http.client.HTTPException, ssl.SSLError) as error:
            if watchdog.fired or isinstance(error, TimeoutError | socket.timeout):
                message = f"no complete answer within {timeout:g} s"
            else:
                message = f"{type(error).__name__}: {error}"
            return Answer(None, b"", {}, elapsed_ms(), message)
        finally:
            connection.close()


def host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def read_capped(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """At most ``max_bytes`` of the body; the rest is never read."""
    chunks, size = [], 0
    while size < max_bytes:
        chunk = response.read1(min(16384, max_bytes - size)) if hasattr(response, "read1") else b""
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
