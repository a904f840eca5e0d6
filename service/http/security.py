"""Security headers on every answer, and CORS for the configured origins only.

Every response, errors and 304s included:

- ``X-Content-Type-Options: nosniff``: a browser never reads JSON (or a stored
  ``<script>`` inside it) as HTML or script;
- ``Referrer-Policy: no-referrer``;
- ``Content-Security-Policy``: ``default-src 'none'; frame-ancestors 'none'`` for the
  API (JSON, CSV and problem answers load nothing and are never framed); ``/docs``
  gets a policy that lets its page work and nothing more: scripts, style sheets and
  images from this origin only (Swagger UI's assets under ``/docs/assets/``), its one
  inline start-up script by SHA-256 hash (computed from the page served, so it
  follows any change to it), ``data:`` images for Swagger UI's icons, ``fetch`` to
  this origin only (the contract, and "Try it out"). No inline styles are needed:
  Swagger UI sets styles through the DOM, which CSP does not restrict; nor ``eval``.
  (Checked in headless Chromium: the page renders every operation, and an expanded
  one with its highlighted examples, without a single CSP violation.) The pages for
  people (the ``pages`` blueprint) get ``PAGE_CSP``: no script at all, style sheets and
  images from this origin, forms posting nowhere but here.

No server version is sent: Flask sets no ``Server`` header, the service runs under
gunicorn (which sends a bare ``Server: gunicorn``), never Werkzeug's dev server.

CORS (``CORS_ORIGINS``: exact origins, comma-separated; empty, the default, sends no
CORS header at all): a request whose ``Origin`` is listed gets
``Access-Control-Allow-Origin`` with that origin and ``Access-Control-Expose-Headers``
(``ETag``, ``Location``, ``Link``, ``X-Request-ID``); a preflight (``OPTIONS`` with
``Access-Control-Request-Method``) from a listed origin is answered 204 with the
methods and request headers the API takes. Tokens travel in ``Authorization``, never
in cookies, so credentials are not allowed. Whenever CORS is configured every
response carries ``Vary: Origin``, so a cache never hands one origin's answer to
another. Any other origin gets no CORS header, and the browser keeps the answer from
the calling page.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, current_app, request

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATH = "/docs"
PAGES_BLUEPRINT = "pages"
DOCS_CSP = (
    "default-src 'none'; script-src 'self' {script_hashes}; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

CORS_METHODS = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
CORS_REQUEST_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, X-Change-Reason, X-Request-ID"
CORS_EXPOSED_HEADERS = "ETag, Location, Link, X-Request-ID"
CORS_MAX_AGE = "600"


def inline_script_hashes(html: str) -> str:
    """The CSP sources allowing exactly the inline scripts of ``html``."""
    digests = (hashlib.sha256(script.encode("utf-8")).digest() for script in _INLINE_SCRIPT.findall(html))
    return " ".join(f"'sha256-{base64.b64encode(digest).decode('ascii')}'" for digest in digests)


def content_security_policy(response: Response) -> str:
    if request.path == DOCS_PATH and response.mimetype == "text/html" and not response.is_streamed:
        return DOCS_CSP.format(script_hashes=inline_script_hashes(response.get_data(as_text=True)))
    if request.blueprint == PAGES_BLUEPRINT:
        return PAGE_CSP
    return API_CSP


def allowed_origin() -> str | None:
    """The request's Origin when it is one of CORS_ORIGINS, else None."""
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config.get("CORS_ORIGINS", ()):
        return origin
    return None


def is_preflight() -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def register_security_headers(app: Flask) -> None:
    @app.before_request
    def answer_cors_preflight():
        """A listed origin's preflight to a route that exists: 204 with what the API accepts."""
        if is_preflight() and allowed_origin() and request.routing_exception is None:
            return Response(
                status=204,
                headers={
                    "Access-Control-Allow-Methods": CORS_METHODS,
                    "Access-Control-Allow-Headers": CORS_REQUEST_HEADERS,
                    "Access-Control-Max-Age": CORS_MAX_AGE,
                },
            )
        return None

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        response.headers["Content-Security-Policy"] = content_security_policy(response)
        if current_app.config.get("CORS_ORIGINS"):
            response.vary.add("Origin")
            origin = allowed_origin()
            if origin:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        return response
