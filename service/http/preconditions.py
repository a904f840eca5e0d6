"""What a write asks of its request beyond the body: the record's version and a reason.

- PATCH and DELETE need ``If-Match`` (428 without it), read as RFC 9110 13.1.1
  says: ``*`` or a list of entity tags, 400 only when the value is not that syntax.
  The record's current strong ETag in the list, or ``*`` (the record exists), passes;
  anything else (a stale tag, a weak tag ``W/"…"``, which never matches for a write,
  a tag of another form) is 412. An ``If-None-Match`` naming the record's current
  ETag fails too (412).
- An optional ``X-Change-Reason`` header (UTF-8) becomes the change's ``reason``.
- A body must be JSON (415) and not empty (400), checked before anything reads it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from flask import request
from flask_smorest import abort

from .input_guards import header_text, unstorable

REASON_HEADER = "X-Change-Reason"
# RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
_LIST_ITEM = re.compile(r'[ \t]*(?:(?P<comma>,)|(?P<weak>W/)?"(?P<opaque>[\x21\x23-\x7e\x80-\xff]*)")[ \t]*')
JSON_TYPES = {"application/json", "application/merge-patch+json"}


def record_etag(record: Any) -> str:
    """A strong ETag that names the record's version: the same version, the same bytes."""
    return f'"v{record.version}"'


def change_reason() -> str | None:
    reason = request.headers.get(REASON_HEADER)
    if reason is None:
        return None
    reason = header_text(reason).strip()
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


class IfMatch:
    """A parsed ``If-Match``: ``*`` or the strong tags it lists (weak ones are kept out: never a match)."""

    def __init__(self, star: bool, strong: frozenset[str]):
        self.star = star
        self.strong = strong

    def matches(self, record: Any) -> bool:
        """RFC 9110 13.1.1: ``*`` matches any current record; else the strong comparison."""
        return self.star or record_etag(record) in self.strong


def parse_if_match(header: str) -> IfMatch | None:
    """The header's value as RFC 9110 writes it, or None when it is not that syntax."""
    value = header.strip(" \t")
    if value == "*":
        return IfMatch(True, frozenset())
    strong: set[str] = set()
    position, after_tag, tags = 0, False, 0
    while position < len(value):
        piece = _LIST_ITEM.match(value, position)
        if piece is None or piece.end() == position:
            return None
        if piece.group("comma"):
            after_tag = False  # empty list elements are allowed (RFC 9110 5.6.1)
        else:
            if after_tag:
                return None  # two tags without a comma between them
            if piece.group("weak") is None:
                strong.add(f'"{piece.group("opaque")}"')
            after_tag, tags = True, tags + 1
        position = piece.end()
    return IfMatch(False, frozenset(strong)) if tags else None


def required_condition() -> IfMatch:
    """The ``If-Match`` of a write: 428 without one (or an empty one), 400 when it is
    not ``*`` or a list of entity tags; the caller answers 412 when it does not match."""
    header = (request.headers.get("If-Match") or "").strip()
    if not header:
        abort(428, message="Send If-Match with the record's ETag (from a GET) so no edit is silently lost.")
    condition = parse_if_match(header)
    if condition is None:
        abort(
            400,
            message='If-Match must be * or entity tags such as "v3" (quoted), separated by commas.',
            errors={"If-Match": ['expected * or a list of entity tags such as "v3"']},
        )
    return condition


def refuse_if_none_match(record: Any) -> None:
    """If-None-Match on a write is a precondition too (RFC 9110 13.1.2): naming the
    record's current ETag (compared weakly), or ``*``, fails it: 412, nothing written."""
    condition = request.if_none_match
    if condition and (condition.star_tag or condition.contains_weak(record_etag(record).strip('"'))):
        abort(412, message="If-None-Match matches the record as it stands; nothing was changed.")
