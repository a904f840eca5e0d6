"""The ``purge`` sender: tells a CDN to drop the answers a committed write made stale.

A message holds the surrogate keys the write affected (``service.store.purges``). The
adapter (``PURGE_ADAPTER``) says how a CDN is asked:

- ``varnish``: ``BAN`` to ``PURGE_URL`` with the keys in ``Surrogate-Key``; the VCL
  (``deploy/varnish/default.vcl``) bans every object whose ``Surrogate-Key`` names one
  (Debian's varnish ships no ``xkey`` vmod, so a ban on the header it is);
- ``fastly``: ``POST /service/<PURGE_SERVICE>/purge`` with ``Surrogate-Key`` and
  ``Fastly-Key: <PURGE_TOKEN>`` (the purge-by-surrogate-key API, 256 keys a call);
- ``cloudflare``: ``POST /zones/<PURGE_SERVICE>/purge_cache`` with ``{"tags": [...]}`` and
  ``Authorization: Bearer <PURGE_TOKEN>`` (purge by cache tag, 30 tags a call).

Purges are idempotent, so a try sends every request of its message again. The
endpoint is the operator's own setting, so it is not held to the webhooks' address
rules (a Varnish on the private network is the usual case). Giving up cancels the
message: the answers then expire within ``s-maxage`` anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from ..domain.addresses import parse_ip
from ..store.models import OutboxMessage
from ..store.outbox import Outcome, cancel
from ..store.purges import PURGE
from .client import MAX_ANSWER_BYTES, Target, post, split_url, system_resolver
from .senders import Cancel, sender
from .webhooks import retry_after

USER_AGENT = "recognition-status-purge/1"
DEFAULT_BASES = {"fastly": "https://api.fastly.com", "cloudflare": "https://api.cloudflare.com/client/v4"}
KEYS_PER_CALL = {"varnish": 100, "fastly": 256, "cloudflare": 30}


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""


def chunks(keys: list[str], size: int) -> list[list[str]]:
    return [keys[i : i + size] for i in range(0, len(keys), size)] or [[]]


def calls_for(adapter: str, base: str, token: str, service: str, keys: list[str]) -> list[Call]:
    """The requests that purge ``keys`` through ``adapter``."""
    base = (base or DEFAULT_BASES.get(adapter, "")).rstrip("/")
    common = {"User-Agent": USER_AGENT}
    calls = []
    for part in chunks(keys, KEYS_PER_CALL[adapter]):
        if adapter == "varnish":
            calls.append(Call("BAN", base + "/", {**common, "Surrogate-Key": " ".join(part)}))
        elif adapter == "fastly":
            headers = {**common, "Fastly-Key": token, "Surrogate-Key": " ".join(part), "Accept": "application/json"}
            calls.append(Call("POST", f"{base}/service/{service}/purge", headers))
        else:
            headers = {**common, "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            calls.append(Call("POST", f"{base}/zones/{service}/purge_cache", headers, orjson.dumps({"tags": part})))
    return calls


def target_of(url: str, resolve) -> Target:
    scheme, host, port, path = split_url(url)
    literal = parse_ip(host)
    address = str(literal) if literal else resolve(host, port)[0]
    return Target(scheme, host, port, path, address)


@sender(PURGE)
class PurgeSender:
    def __init__(self, config: Mapping[str, Any]):
        self.adapter = config.get("PURGE_ADAPTER", "")
        self.base = config.get("PURGE_URL", "")
        self.token = config.get("PURGE_TOKEN", "")
        self.service = config.get("PURGE_SERVICE", "")
        self.timeout = float(config["WEBHOOK_TIMEOUT_SECONDS"])
        self.give_up_after = dt.timedelta(seconds=float(config["DELIVERY_GIVE_UP_SECONDS"]))
        self.resolve = config.get("WEBHOOK_RESOLVER") or system_resolver
        self.tls = config.get("WEBHOOK_TLS_CONTEXT")

    def prepare(self, message: OutboxMessage) -> list[Call] | Cancel:
        if self.adapter not in KEYS_PER_CALL:
            return Cancel(f"no purge endpoint is configured (PURGE_ADAPTER={self.adapter!r})")
        return calls_for(self.adapter, self.base, self.token, self.service, list(message.payload["keys"]))

    def send(self, calls: list[Call]) -> Outcome:
        duration = 0
        for call in calls:
            try:
                target = target_of(call.url, self.resolve)
            except (OSError, ValueError, IndexError) as error:
                return Outcome(ok=False, error=f"the purge endpoint {call.url!r} does not resolve: {error}")
            answer = post(
                target,
                call.body,
                call.headers,
                timeout=self.timeout,
                max_bytes=MAX_ANSWER_BYTES,
                tls=self.tls,
                method=call.method,
            )
            duration += answer.duration_ms
            excerpt = answer.body[:1024].decode("utf-8", errors="replace") if answer.body else None
            common = {"duration_ms": duration, "status_code": answer.status, "response_bytes": len(answer.body)}
            if answer.status is None:
                return Outcome(ok=False, error=answer.error, **common)
            if not 200 <= answer.status < 300:
                # A refusal (bad token, unknown service) needs a person; 408, 429 and 5xx may pass later.
                permanent = 400 <= answer.status < 500 and answer.status not in (408, 429)
                return Outcome(
                    ok=False,
                    error=f"{call.method} {target.path}: HTTP {answer.status}",
                    retry_after=retry_after(answer.headers),
                    permanent=permanent,
                    response_excerpt=excerpt,
                    **common,
                )
        return Outcome(ok=True, duration_ms=duration, status_code=200)

    def give_up(self, message: OutboxMessage, outcome: Outcome) -> None:
        cancel(message, f"purge given up: {outcome.error}", dt.datetime.now(dt.UTC))
