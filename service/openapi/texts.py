"""The contract's words: the document's introduction, and the shared headers,
parameters, security scheme and problem descriptions the operations refer to.

Change the text here (or in the views' docstrings, or the registry's descriptions)
and run ``make openapi``.
"""

from __future__ import annotations

from typing import Any

from ..http.problems import REQUEST_ID_HEADER
from ..version import API_VERSION

TITLE = "Recognition status"

INFO_DESCRIPTION = """\
Who recognizes which government, who has exchanged ambassadors with it, since when,
and according to which source: dated, sourced records, and the status they add up to
per country (`GET /v1/governments/{government_id}/relations`).

- Countries are ISO 3166-1: alpha-2 or alpha-3 in any case in, upper-case alpha-2 out.
- Dates of events are EDTF strings (`2025-07-03`, `2024-01`, `2021`, `2024?`, `2023~`).
- Collections are paged with `limit` and `cursor` (`next_cursor`, `Link: rel="next"`);
  `Accept: text/csv` or `format=csv` gives the same rows as CSV.
- Every GET answers with a strong `ETag`, `Cache-Control` fit for a CDN and `Surrogate-Key`; `If-None-Match` gives 304.
- Every error is RFC 9457 `application/problem+json` with a `request_id`.

This document is generated from the code and served at `/v1/openapi.yaml` and
`/v1/openapi.json`; `/docs` is a browsable reference that works offline.

Compatibility: within a major version (`info.version` 1.x) the contract only grows. No
path, operation, parameter, field, header, status code or enum value is removed; an answer
never holds a type or an enum value it could not hold before; a request never needs more
than before. New paths, optional parameters and fields, response fields, headers and status
codes may appear: clients ignore response fields they do not know (`additionalProperties:
false` describes this version's answers, not the next one's).
"""

# Who answers for the contract (Spectral's info-contact rule).
INFO_CONTACT = {"name": "recognition-status maintainers"}


# No licence has been granted for the API or its data: say so, rather than leave readers to guess.
INFO_LICENSE = {"name": "Proprietary: all rights reserved", "identifier": "LicenseRef-Proprietary"}
# The service answers at whatever address it is deployed on: the relative root.
SERVERS = [{"url": "/", "description": "The host that serves this document."}]


def api_spec_options() -> dict[str, Any]:
    """flask-smorest's API_SPEC_OPTIONS: merged into the document's top level."""
    info = {"description": INFO_DESCRIPTION, "contact": dict(INFO_CONTACT), "license": dict(INFO_LICENSE)}
    return {"info": info, "servers": [dict(server) for server in SERVERS]}


API_CONFIG = {
    "API_TITLE": TITLE,
    "API_VERSION": API_VERSION,
    "OPENAPI_VERSION": "3.1.0",
}

# --- components the operations refer to ----------------------------------------------


def prose(text: str) -> str:
    """A paragraph written across lines, as the one line a description of the contract is."""
    return " ".join(text.split())


def header(description: str, example: str, *, required: bool = True) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": "string"}, "example": example}


def header_parameter(name: str, description: str, *, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "description": description,
        "required": required,
        "schema": {"type": "string", **schema},
    }


HEADERS: dict[str, dict[str, Any]] = {
    "ETag": header(
        prose("""
            Strong validator of this representation: send it back in `If-None-Match` to get 304 while the
            representation is unchanged. On a single record it names the record's version (`"v3"`): send it
            in `If-Match` to edit the record.
        """),
        '"3b5d5c3712955042212316173ccf37be"',
    ),
    "Cache-Control": header(
        prose("""
            Public reads: `public, max-age=0, s-maxage=60, stale-while-revalidate=30, stale-if-error=86400`
            (the numbers are the service's settings): a shared cache (a CDN) may hold the answer for
            `s-maxage` seconds, and every write purges what it changed (see `Surrogate-Key`); browsers
            revalidate each time (with `If-None-Match`). `private, no-cache` where reads need a token
            (READ_REQUIRES_TOKEN) or the request carried `Authorization`.
        """),
        "public, max-age=0, s-maxage=60, stale-while-revalidate=30, stale-if-error=86400",
    ),
    "Surrogate-Key": header(
        prose("""
            What the answer shows, as space-separated keys a CDN can purge by: `all`; a collection's name
            (`recognitions`); a record (`gov:<id>`, `rec:<id>`, `amb:<id>`, `src:<id>`); what is derived from
            a government's records (`rel:<id>`); the change log (`changes`). Each write purges the keys it
            affects.
        """),
        "gov:af-islamic-emirate rel:af-islamic-emirate all",
    ),
    "Cache-Tag": header(
        "The keys of `Surrogate-Key`, comma-separated (Cloudflare's spelling).",
        "gov:af-islamic-emirate,rel:af-islamic-emirate,all",
    ),
    "Vary": header(
        prose("""
            `Accept`: the representation (JSON, CSV or SVG) depends on the `Accept` header; on answers with
            country names, also `Accept-Language`.
        """),
        "Accept, Accept-Language",
    ),
    "Content-Language": header(
        prose("""
            The languages of the country names in the answer, as negotiated from `lang` or `Accept-Language`:
            the reader's language, then any the names fell back to, always ending with English when the
            first lacks names (`ps, en`); `en` for an unknown or malformed tag.
        """),
        "ar, en",
    ),
    "PageLocation": header(
        "The government's page for people (HTML), with the same day and language.",
        "/governments/af-islamic-emirate?as_of=2025-07-04",
    ),
    "Link": header(
        prose("""
            RFC 8288 link to the next page (`rel="next"`): the same query with the next page's `cursor`.
            Absent on the last page.
        """),
        "<http://127.0.0.1:8000/v1/governments?limit=50&cursor=eyJ2IjoxLCJhZnRlciI6ImFmLWlzbGFtaWMtZW1pcmF0ZSJ9>;"
        ' rel="next"',
        required=False,
    ),
    "Content-Disposition": header(
        "On `text/csv` answers only: `attachment`, with a file name.",
        'attachment; filename="governments.csv"',
        required=False,
    ),
    "Location": header("The path of the record just created.", "/v1/recognitions/rcg_8c6475f1647032195d51"),
    "WWW-Authenticate": header("The authentication scheme to use: `Bearer`.", 'Bearer realm="recognition-status"'),
    REQUEST_ID_HEADER: {
        "description": prose("""
            The caller's `X-Request-ID` when it is safe to echo (1 to 64 of `A-Z a-z 0-9 . _ -`), otherwise
            one the service made up; it is also in every problem body and in the log.
        """),
        "required": True,
        "schema": {"type": "string", "maxLength": 64},
    },
}

PARAMETERS: dict[str, dict[str, Any]] = {
    "If-None-Match": header_parameter(
        "If-None-Match",
        "The `ETag` of an earlier answer: 304 Not Modified, without a body, while the representation is unchanged.",
    ),
    "If-Match": header_parameter(
        "If-Match",
        prose("""
            The `ETag` of the record as last read, such as `"v3"` (RFC 9110 13.1.1: `*`, which matches the
            record as it stands, or a comma-separated list of entity tags, is accepted too). 412 when the
            record's current strong ETag is not in it (a stale tag; a weak tag `W/"…"` never matches), 400
            when the value is not that syntax, 428 without this header. Two editors never silently
            overwrite each other.
        """),
        required=True,
        # RFC 9110's syntax, loosely (an opaque tag's characters are not spelled out).
        pattern=r'^[ \t]*(\*|(W/)?"[^"]*"([ \t]*,[ \t]*(W/)?"[^"]*")*)[ \t]*$',
        example='"v1"',
    ),
    "Idempotency-Key": header_parameter(
        "Idempotency-Key",
        prose("""
            Makes the POST safe to retry (the IETF httpapi Idempotency-Key draft): 1 to 255 visible ASCII
            characters, such as a UUID, new for each new request (bare or quoted). The key, with the
            answer, is kept for your token for 24 hours, in the write's own transaction. Sent again with
            the same method, path and body (compared as canonical JSON), the first answer comes back
            again (its status, `Location`, `ETag` and body, with `Idempotent-Replayed: true`) and
            nothing is written; with another body, 422; while the first request is still running, 409.
            Only successful answers are kept: a refused request wrote nothing, so it may be resent.
        """),
        maxLength=257,
        example="8e03978e-40d5-43e8-bc93-6894a57f9324",
    ),
    "X-Change-Reason": header_parameter(
        "X-Change-Reason",
        # The limit is prose, not maxLength: it counts after trimming, and a PATCH that
        # changes nothing writes no change, so never reads the header.
        prose("""
            Why the change is made, for the change feed and the record's history (its `reason`): up to
            500 characters once surrounding blanks are trimmed; a write with a longer one is 422. Blank or
            absent: no reason.
        """),
    ),
    REQUEST_ID_HEADER: header_parameter(
        REQUEST_ID_HEADER,
        prose("""
            Your own id for the request (1 to 64 of `A-Z a-z 0-9 . _ -`), echoed in the `X-Request-ID`
            response header and in problem bodies; any other value is replaced by one the service makes up.
        """),
    ),
}

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token: `Authorization: Bearer <token>`. Writes need the `write` scope.",
    },
}

NOT_MODIFIED = "NOT_MODIFIED"
NOT_MODIFIED_RESPONSE: dict[str, Any] = {
    "description": "Not Modified: the `If-None-Match` validator still matches. No body.",
    "headers": {name: name for name in ("ETag", "Cache-Control", "Surrogate-Key", "Cache-Tag", REQUEST_ID_HEADER)},
}
DEFAULT_PROBLEM = "DEFAULT_PROBLEM"
DEFAULT_PROBLEM_DESCRIPTION = "Any other error (for example 405 Method Not Allowed), as problem+json."

PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "The request is malformed: a query string that is not UTF-8, a `cursor` this service did not "
    "issue, a body that is not strict JSON (duplicate keys, NaN, nesting deeper than 32), or an "
    "`If-Match` that is not `*` or a list of entity tags, or a header value that is not UTF-8.",
    401: "No valid bearer token (see the `WWW-Authenticate` header).",
    403: "The token's scope does not allow this.",
    404: "Nothing has that id (for a country: the code is not an ISO 3166-1 code).",
    406: "The `Accept` header allows none of the representations this resource has.",
    409: "A record with that id exists already, or other records still cite this one (`errors.dependents` names "
    "them), or a request with the same `Idempotency-Key` is still running.",
    412: "The record has changed since the `If-Match` ETag was read (or the tag is weak or not one of "
    "its ETags): read it again.",
    413: "The body is larger than the service accepts.",
    415: "The body is not `application/json`.",
    422: "Invalid or unknown parameters or fields, a single-valued parameter given more than once, or an "
    "`Idempotency-Key` already used for another request; `errors` names each one.",
    428: "Send `If-Match` with the record's current ETag.",
    431: "A request header line is longer than 8 KiB.",
    500: "The service failed to answer. The trace is logged under `request_id`, never returned.",
    503: "The database is unavailable (retry after `Retry-After`) or read-only. If the connection was lost "
    "while a write was being committed, the detail says it may have been applied: resend it with the same "
    "`Idempotency-Key`, or look for it in `/v1/changes`.",
    507: "The database's disk is full: nothing was written. No `Retry-After`: it lasts until an operator acts.",
}

SVG_SCHEMA = {
    "type": "string",
    "description": "A standalone SVG 1.1 document (UTF-8), with its text alternative inside (`<title>`, `<desc>`).",
}

CSV_SCHEMA = {
    "type": "string",
    "description": "The same rows as CSV (RFC 4180: CRLF line ends, a header row; lists joined "
    "with `;`, null as an empty cell). Without `limit` or `cursor` a collection's CSV "
    "holds every matching row.",
}
