"""``Idempotency-Key`` on POST (the IETF httpapi draft, as Stripe practises it).

A POST sent with ``Idempotency-Key: <1 to 255 visible ASCII characters>`` (bare, or
quoted as a structured-field string) is answered once:

- the first time, its write and the key (with the answer: status, ``Location``,
  ``ETag``, body) commit in one transaction (``finish_write``);
- again with the same key, method, path and body (compared by a SHA-256 of the
  canonical JSON): the first answer again, with ``Idempotent-Replayed: true``;
  nothing is written;
- with the same key and another body, method or path: 422;
- while the first is still running: 409 (retry a moment later).

Keys belong to the token that sent them and live 24 hours. Only successful answers
are kept: a refused request wrote nothing, so sending it again is safe anyway.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable

from flask import Response, current_app, g, request
from flask_smorest import abort

from ..store.database import db
from ..store.idempotency import hold, remember, remembered
from ..store.tokens import hash_token
from . import auth
from .input_guards import InvalidJson, strict_json_loads

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEPT_HEADERS = ("Content-Type", "Location", "ETag")


def key_from_header() -> str | None:
    """The key, or None without the header; 400 for a value that cannot be one."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]  # an sf-string, as the draft writes it
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not all("!" <= char <= "~" for char in value):
        abort(
            400,
            message=f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, such as a UUID.",
            errors={HEADER: ["expected 1 to 255 visible ASCII characters"]},
        )
    return value


def fingerprint() -> str:
    """What the key promises: the method, the path and the body (its canonical JSON)."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(strict_json_loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except InvalidJson:
        body = raw  # refused later by the view; compared as bytes meanwhile
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def replay(stored) -> Response:
    response = Response(stored.body, status=stored.status)
    for name, value in stored.headers.items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def finish_write() -> None:
    """Commit the view's write, or, under an ``Idempotency-Key``, only flush it: the key
    and the answer are added and everything commits together once the answer is made."""
    if g.get("idempotency_key") is not None:
        db.session.flush()
    else:
        db.session.commit()


def idempotent(view: Callable) -> Callable:
    """Make a POST view honour ``Idempotency-Key`` (wraps the whole view, answer included)."""

    @functools.wraps(view)
    def answered_once(*args, **kwargs):
        key = key_from_header()
        if key is None:
            return view(*args, **kwargs)
        presented = auth.presented_token()
        owner = hash_token(presented) if presented else ""
        with hold(owner, key) as alone:
            if not alone:
                abort(
                    409,
                    message=f"A request with this {HEADER} is still being processed; retry in a moment.",
                    headers={"Retry-After": "1"},
                )
            auth.require("write")
            token_id, expected = g.token_id, fingerprint()
            stored = remembered(token_id, key)
            if stored is not None:
                if stored.fingerprint != expected:
                    db.session.rollback()
                    abort(
                        422,
                        message=f"This {HEADER} was used for a different request (method, path or body); "
                        "use a new key for a new request.",
                        errors={HEADER: ["already used for a different request"]},
                    )
                answer = replay(stored)
                db.session.rollback()
                return answer
            g.idempotency_key = key
            response = current_app.make_response(view(*args, **kwargs))
            if not 200 <= response.status_code < 300:
                db.session.rollback()  # refused: nothing may be written, nothing to remember
                return response
            headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
            remember(token_id, key, expected, response.status_code, headers, response.get_data())
            db.session.commit()
            return response

    return answered_once
