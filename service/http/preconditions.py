"""What a write asks of its request beyond the body: the record's version and a reason.

- PATCH and DELETE need ``If-Match`` with the record's current ETag, exactly (428
  without it, 400 for anything else than one such ETag); the view answers 412 when
  the named version is no longer current. An ``If-None-Match`` naming the record's
  current ETag fails too (412).
- An optional ``X-Change-Reason`` header becomes the change's ``reason``.
- A body must be JSON (415) and not empty (400), checked before anything reads it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from flask import request
from flask_smorest import abort

from .input_guards import unstorable

REASON_HEADER = "X-Change-Reason"
ETAG_PATTERN = re.compile(r'^"v([0-9]{1,18})"$')
JSON_TYPES = {"application/json", "application/merge-patch+json"}


def record_etag(record: Any) -> str:
    """A strong ETag that names the record's version: the same version, the same bytes."""
    return f'"v{record.version}"'


def change_reason() -> str | None:
    reason = request.headers.get(REASON_HEADER)
    if reason is None:
        return None
    reason = reason.strip()
    if unstorable(reason):
        abort(
            422,
            message=f"{REASON_HEADER} may not contain NUL characters.",
            errors={REASON_HEADER: ["contains a NUL character"]},
        )
    if len(reason) > 500:
        abort(422, message=f"{REASON_HEADER} is longer than 500 characters.", errors={REASON_HEADER: ["too long"]})
    return reason or None


def json_body(view):
    """415 for a body that is not JSON, 400 for no body at all, before anything else reads it."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if request.mimetype not in JSON_TYPES:
            abort(415, message="Send the body as application/json.")
        if not request.get_data(cache=True):
            abort(400, message="The body is empty; send a JSON object.")
        return view(*args, **kwargs)

    return checked


def required_version() -> int:
    """The version named by If-Match.

    428 without one (or an empty one); 400 for a value that is not one of our ETags
    (a list, ``*`` or a weak tag: send exactly the ETag you read, so the edit is
    checked against the version it was made on); the caller answers 412 when the
    named version is no longer current.
    """
    header = (request.headers.get("If-Match") or "").strip()
    if not header:
        abort(428, message="Send If-Match with the record's ETag (from a GET) so no edit is silently lost.")
    match = ETAG_PATTERN.match(header)
    if match is None:
        abort(
            400,
            message='If-Match must be exactly the ETag you read, such as "v3".',
            errors={"If-Match": ['expected one ETag of the form "v<number>"']},
        )
    return int(match.group(1))


def refuse_if_none_match(record: Any) -> None:
    """If-None-Match on a write is a precondition too (RFC 9110 13.1.2): naming the
    record's current ETag (compared weakly), or ``*``, fails it: 412, nothing written."""
    condition = request.if_none_match
    if condition and (condition.star_tag or condition.contains_weak(record_etag(record).strip('"'))):
        abort(412, message="If-None-Match matches the record as it stands; nothing was changed.")
