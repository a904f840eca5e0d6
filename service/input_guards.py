"""Refuse input no field may hold, before any view or database sees it.

NUL characters are the case: PostgreSQL cannot store or even compare them in text,
and no identifier, filter or record field has a use for them.
"""
from __future__ import annotations

from typing import Any, Iterator

from flask import Flask, request
from flask_smorest import abort

NUL = "\x00"


def strings_with_nul(value: Any, path: str = "") -> Iterator[str]:
    """The JSON paths of every key or string value that contains a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield child
            yield from strings_with_nul(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_with_nul(item, f"{path}[{index}]" if path else f"[{index}]")


def register_input_guards(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        if NUL in request.path:
            abort(400, message="The path contains a NUL character.")
        bad_params = sorted({key for key, value in request.args.items(multi=True) if NUL in key or NUL in value})
        if bad_params:
            abort(422, message="Query parameters may not contain NUL characters.",
                  errors={key.replace(NUL, "\\u0000"): ["contains a NUL character"] for key in bad_params})
        if request.is_json and request.content_length:
            bad_fields = list(strings_with_nul(request.get_json(silent=True)))
            if bad_fields:
                abort(422, message="Fields may not contain NUL characters.",
                      errors={field.replace(NUL, "\\u0000"): ["contains a NUL character"] for field in bad_fields})
