"""Refuse input no field may hold, before any view or database sees it.

One ``before_request`` check, in this order:

1. **Headers**: any single header line (name, ``: `` and value) longer than
   ``MAX_HEADER_BYTES`` (8 KiB) is 431 Request Header Fields Too Large. gunicorn
   refuses lines over 8190 bytes itself (``limit_request_field_size``), with its own
   HTML 431, before the app sees them; this check holds under any server.
2. **Header values** whose bytes are not UTF-8 are 400, naming the header. A WSGI
   server hands header bytes on as ISO-8859-1 text, so such a value would otherwise
   be stored as mangled text (an ``X-Change-Reason``); ``header_text`` gives a value's
   real characters.
3. **Query string**: raw bytes that are not UTF-8 are 400 (percent-encoded bytes are
   decoded leniently by Werkzeug and never fail).
4. **NUL characters**: PostgreSQL cannot store or even compare them in text, and no
   identifier, filter or record field has a use for them: 400 in the path, 422 in a
   query parameter or a JSON field.
5. **JSON bodies** (any ``application/json`` or ``application/*+json`` request with a
   body) are parsed strictly, once, here: UTF-8 only; no ``NaN``/``Infinity``; no key
   twice in one object (which value would win is undefined, so the body is ambiguous);
   at most ``MAX_JSON_DEPTH`` levels of nesting (checked before parsing, so a 10,000
   level body costs no recursion); numbers Python can convert. Anything else is 400.
   Every body a view's parser later reads has passed this check. Strings holding a
   NUL or a lone UTF-16 surrogate (``"\\ud800"``, valid JSON escape syntax but not
   Unicode text any database can store) are 422, naming the fields. A streamed
   (chunked) body that reaches ``MAX_CONTENT_LENGTH`` is 413, as one announced with a
   larger ``Content-Length`` is (Werkzeug would hand on its first bytes silently).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask_smorest import abort

NUL = "\x00"
MAX_HEADER_BYTES = 8 * 1024
MAX_JSON_DEPTH = 32

# JSON strings (escapes included) and brackets: enough to measure nesting without parsing.
_JSON_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class InvalidJson(ValueError):
    """A body this service does not accept as JSON; the message says why."""


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidJson(f"the key {json.dumps(key[:100])} appears more than once in one object")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise InvalidJson(f"{name} is not a JSON value")


def nesting_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit``, found without recursion."""
    depth = 0
    for match in _JSON_STRING_OR_BRACKET.finditer(text):
        piece = match.group()
        if piece == "[" or piece == "{":
            depth += 1
            if depth > limit:
                return True
        elif piece == "]" or piece == "}":
            depth -= 1
    return False


def strict_json_loads(raw: bytes) -> Any:
    """Parse a request body as RFC 8259 JSON; ``InvalidJson`` for anything else."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidJson("the body is not UTF-8") from None
    if nesting_exceeds(text, MAX_JSON_DEPTH):
        raise InvalidJson(f"arrays and objects nest deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, object_pairs_hook=_object_without_duplicate_keys, parse_constant=_refuse_constant)
    except InvalidJson:
        raise
    except json.JSONDecodeError as error:
        raise InvalidJson(f"{error.msg} (line {error.lineno}, column {error.colno})") from None
    except (ValueError, RecursionError) as error:  # a 5,000-digit number; nesting the scan missed
        raise InvalidJson(str(error).split(";")[0]) from None


def unstorable(text: str) -> bool:
    """Whether ``text`` holds a NUL or a lone surrogate: no field can store either."""
    if NUL in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable_strings(value: Any, path: str = "") -> Iterator[str]:
    """The JSON paths of every key or string value that no field can store."""
    if isinstance(value, str):
        if unstorable(value):
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if unstorable(str(key)):
                yield child
            yield from unstorable_strings(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_strings(item, f"{path}[{index}]" if path else f"[{index}]")


def printable_name(name: str) -> str:
    """A field or parameter name safe to put in a JSON problem body."""
    return name.replace(NUL, "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def header_text(value: str) -> str:
    """A header value's characters: WSGI gives its bytes as ISO-8859-1; they are UTF-8.
    Only for values ``undecodable_header`` let through (else UnicodeError)."""
    return value.encode("latin-1").decode("utf-8")


def undecodable_header() -> str | None:
    """The name of the first header whose value is not UTF-8, or None."""
    for name, value in request.headers.items():
        if value.isascii():
            continue
        try:
            header_text(value)
        except UnicodeError:
            return name
    return None


def oversized_header() -> str | None:
    for name, value in request.headers.items():
        if len(name) + 2 + len(value) > MAX_HEADER_BYTES:
            return name
    return None


def register_input_guards(app: Flask) -> None:
    @app.before_request
    def refuse_unusable_input():
        too_long = oversized_header()
        if too_long is not None:
            abort(431, message=f"The {printable_name(too_long)[:100]} header is longer than {MAX_HEADER_BYTES} bytes.")
        undecodable = undecodable_header()
        if undecodable is not None:
            name = printable_name(undecodable)[:100]
            abort(400, message=f"The {name} header is not UTF-8 text.", errors={name: ["not UTF-8"]})
        try:
            request.query_string.decode("utf-8")
        except UnicodeDecodeError:
            abort(400, message="The query string is not UTF-8; percent-encode UTF-8 text.")
        if NUL in request.path:
            abort(400, message="The path contains a NUL character.")
        bad_params = sorted({key for key, value in request.args.items(multi=True) if NUL in key or NUL in value})
        if bad_params:
            abort(
                422,
                message="Query parameters may not contain NUL characters.",
                errors={printable_name(key): ["contains a NUL character"] for key in bad_params},
            )
        if request.is_json:
            raw = request.get_data(cache=True)
            if not raw:
                return
            limit = request.max_content_length
            if request.content_length is None and limit is not None and len(raw) >= limit:
                # A streamed (chunked) body is cut at the limit by Werkzeug, not refused.
                abort(413, message=f"The body is larger than {limit} bytes.")
            try:
                body = strict_json_loads(raw)
            except InvalidJson as error:
                abort(400, message=f"The body is not valid JSON: {error}.")
            bad_fields = list(unstorable_strings(body))
            if bad_fields:
                abort(
                    422,
                    message="Fields may not contain NUL characters or lone surrogates.",
                    errors={
                        printable_name(field): ["contains a NUL character or a lone surrogate"] for field in bad_fields
                    },
                )
