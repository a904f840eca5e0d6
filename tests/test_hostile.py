"""Hostile input: a table of requests no client should send, each refused cleanly.

Every case answers the documented status as RFC 9457 ``application/problem+json``
(``type``, ``title``, ``status``, ``detail``) without a trace of the code behind it, and
leaves the database byte for byte as it was (a text dump of every table before and
after: SQLite's own ``iterdump``, and on PostgreSQL every row of every table ordered by
primary key). A few cases are not errors at all (SQL text in a search is plain text: an
empty page) and check the same way. Writes carry the write token, so every check goes
past authentication.

Decisions, implemented in ``service.http.input_guards`` unless noted:

- **Duplicate keys** in one JSON object (``{"title": "a", "title": "b"}``): **400**. RFC
  8259 leaves the meaning of such a document to the parser (first wins? last wins?),
  so the body is ambiguous before any field is read: refused where JSON is parsed,
  like other malformed JSON, with the key named in ``detail``. (422 is kept for bodies
  that are unambiguous JSON but invalid records.)
- Not JSON at all: truncated, trailing garbage, ``NaN``/``Infinity`` (not JSON values),
  comments, single quotes, a BOM, UTF-16, invalid UTF-8, a 5,000-digit number, nesting
  deeper than 32 levels (a 10,000-level body is refused before it is parsed, without
  recursion): **400**. An empty body on a write: **400** (``service.http.preconditions``).
- JSON that is not an object (a bare string, an array, a number, null): **422**.
- A string holding NUL or a lone surrogate (``"\\ud800"``): **422**, the field named.
- A body over ``MAX_CONTENT_LENGTH``: **413**. A header line over 8 KiB: **431**.
- A query string whose raw bytes are not UTF-8: **400**. Percent-encoded invalid bytes
  and raw invalid bytes in the path decode to U+FFFD (Werkzeug): an empty page or 404.
- If-Match (``service.http.preconditions``, RFC 9110 13.1.1): a well-formed tag that is not the
  record's current strong ETag (stale, weak, foreign) 412, a value that is not ``*`` or a list of
  entity tags 400, an empty one 428. If-None-Match on PATCH/DELETE that matches the record
  (or ``*``): 412 (RFC 9110 §13.1.2; it used to be ignored and the write went through).
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from marshmallow import fields as ma_fields
from marshmallow import validate
from sqlalchemy import inspect, text

from service.http.input_guards import MAX_HEADER_BYTES
from service.store.database import db as _db
from service.store.registry import AMBASSADOR_EXCHANGES, GOVERNMENTS, RECOGNITIONS, RESOURCES, SOURCES
from service.store.seed import seed as load_seed
from service.store.tokens import create_token
from tests.conftest import empty_all_tables
from tests.support.constants import CNN, EXCHANGE_ID, GOVERNMENT, PROBLEM, RECOGNITION_ID, RELATIONS

COLLECTION = {resource: resource.path for resource in RESOURCES}
ITEM = {
    GOVERNMENTS: f"/v1/governments/{GOVERNMENT}",
    RECOGNITIONS: f"/v1/recognitions/{RECOGNITION_ID}",
    AMBASSADOR_EXCHANGES: f"/v1/ambassador-exchanges/{EXCHANGE_ID}",
    SOURCES: f"/v1/sources/{CNN}",
}
# Bodies that a POST would accept: each case breaks exactly one thing.
VALID = {
    GOVERNMENTS: {
        "id": "xx-hostile",
        "name": "Hostile Authority",
        "aliases": ["HA"],
        "country": "AF",
        "start": "2024",
        "end": None,
    },
    RECOGNITIONS: {
        "government": GOVERNMENT,
        "country": "FR",
        "form": "de_facto",
        "start": "2025-09",
        "end": None,
        "end_reason": None,
        "note": None,
        "sources": [CNN],
    },
    AMBASSADOR_EXCHANGES: {
        "government": GOVERNMENT,
        "country": "DE",
        "direction": "country_to_government",
        "rank": "other",
        "envoy": None,
        "start": None,
        "end": None,
        "note": None,
        "sources": [CNN],
    },
    SOURCES: {
        "url": "https://example.org/a",
        "publisher": "Reuters",
        "title": "A report",
        "published": "2025-08-01",
        "kind": "news",
        "note": None,
    },
}
# The longest value each text field takes (input_schemas); one more is 422.
MAX_LENGTH = {
    GOVERNMENTS: {"id": 64, "name": 300, "start": 64, "end": 64},
    RECOGNITIONS: {"government": 64, "start": 64, "end": 64, "end_reason": 10_000, "note": 10_000},
    AMBASSADOR_EXCHANGES: {"government": 64, "envoy": 300, "start": 64, "end": 64, "note": 10_000},
    SOURCES: {"url": 2048, "publisher": 300, "title": 1000, "published": 64, "note": 10_000},
}
NULLABLE = {"start", "end", "end_reason", "note", "envoy", "url", "published"}
LIST_FIELDS = {"aliases", "sources"}

SQL_OR = "' OR 1=1 --"
SQL_DROP = '"; DROP TABLE sources; --'
SCRIPT = "<script>alert(1)</script>"


@dataclass
class Case:
    id: str
    method: str
    path: str
    status: int
    body: Any = None  # sent as JSON (application/json)
    data: bytes | str | None = None  # sent as is, with content_type
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: str | None = "write"  # "write", "read" or None
    raw_path: bytes | None = None  # bytes the test client would refuse to send
    raw_query: bytes | None = None
    config: dict[str, Any] = field(default_factory=dict)
    error_field: str | None = None  # a 422 must name this field in ``errors``


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def deep(levels: int, opener: str = "[", closer: str = "]") -> str:
    return opener * levels + closer * levels


# --- the corpus ------------------------------------------------------------------------


def malformed_json_cases() -> list[Case]:
    source = json.dumps(VALID[SOURCES])
    bodies = [
        ("truncated", '{"publisher": ', 400),
        ("trailing-garbage", source + " xx", 400),
        ("two-documents", source + source, 400),
        ("nan-value", source[:-1] + ', "note": NaN}', 400),
        ("infinity-value", source[:-1] + ', "note": Infinity}', 400),
        ("minus-infinity", source[:-1] + ', "note": -Infinity}', 400),
        ("bare-nan", "NaN", 400),
        ("single-quotes", "{'publisher': 'Reuters'}", 400),
        ("unquoted-keys", "{publisher: 1}", 400),
        ("trailing-comma", source[:-1] + ",}", 400),
        ("comment", source[:-1] + " /* c */}", 400),
        ("whitespace-only", "   ", 400),
        ("bom", "\ufeff" + source, 400),
        ("huge-integer", '{"publisher": ' + "1" * 5000 + "}", 400),
        ("bare-string", '"hello"', 422),
        ("array", "[" + source + "]", 422),
        ("number", "42", 422),
        ("null", "null", 422),
        ("true", "true", 422),
        ("float-overflow", source[:-1].replace('"Reuters"', "1e999") + "}", 422),
    ]
    cases = []
    for name, body, status in bodies:
        for resource in (SOURCES, RECOGNITIONS):
            cases.append(
                Case(
                    f"post-{resource.name}-{name}",
                    "POST",
                    COLLECTION[resource],
                    status,
                    data=body,
                    content_type="application/json",
                )
            )
        cases.append(
            Case(
                f"patch-sources-{name}",
                "PATCH",
                ITEM[SOURCES],
                status,
                data=body,
                content_type="application/json",
                headers={"If-Match": '"v1"'},
            )
        )
    for resource in COLLECTION:  # every write endpoint refuses the basic breakages
        cases.append(
            Case(
                f"post-{resource.name}-truncated-object",
                "POST",
                COLLECTION[resource],
                400,
                data=json.dumps(VALID[resource])[:-3],
                content_type="application/json",
            )
        )
        cases.append(
            Case(
                f"patch-{resource.name}-empty-body",
                "PATCH",
                ITEM[resource],
                400,
                data=b"",
                content_type="application/json",
                headers={"If-Match": '"v1"'},
            )
        )
    cases.append(
        Case("post-sources-empty-body", "POST", COLLECTION[SOURCES], 400, data=b"", content_type="application/json")
    )
    cases.append(
        Case(
            "post-sources-merge-patch-type-truncated",
            "POST",
            COLLECTION[SOURCES],
            400,
            data='{"a": ',
            content_type="application/merge-patch+json",
        )
    )
    return cases


def duplicate_key_cases() -> list[Case]:
    return [
        Case(
            "post-sources-duplicate-key",
            "POST",
            COLLECTION[SOURCES],
            400,
            data='{"publisher": "A", "publisher": "B", "title": "T", "kind": "news"}',
            content_type="application/json",
        ),
        Case(
            "post-sources-duplicate-key-same-value",
            "POST",
            COLLECTION[SOURCES],
            400,
            data='{"publisher": "A", "title": "T", "kind": "news", "kind": "news"}',
            content_type="application/json",
        ),
        Case(
            "post-recognitions-duplicate-key-nested",
            "POST",
            COLLECTION[RECOGNITIONS],
            400,
            data=json.dumps(VALID[RECOGNITIONS])[:-1] + ', "x": [{"a": 1, "a": 2}]}',
            content_type="application/json",
        ),
        Case(
            "patch-governments-duplicate-key",
            "PATCH",
            ITEM[GOVERNMENTS],
            400,
            data='{"name": "A", "name": "B"}',
            content_type="application/json",
            headers={"If-Match": '"v1"'},
        ),
    ]


def nesting_cases() -> list[Case]:
    return [
        Case(
            "post-sources-10000-arrays",
            "POST",
            COLLECTION[SOURCES],
            400,
            data=deep(10_000),
            content_type="application/json",
        ),
        Case(
            "post-sources-10000-objects",
            "POST",
            COLLECTION[SOURCES],
            400,
            data='{"a":' * 10_000 + "1" + "}" * 10_000,
            content_type="application/json",
        ),
        Case(
            "post-sources-10000-in-a-field",
            "POST",
            COLLECTION[SOURCES],
            400,
            data='{"note": ' + deep(10_000) + "}",
            content_type="application/json",
        ),
        Case(
            "patch-recognitions-10000-arrays",
            "PATCH",
            ITEM[RECOGNITIONS],
            400,
            data='{"sources": ' + deep(10_000) + "}",
            content_type="application/json",
            headers={"If-Match": '"v1"'},
        ),
        Case(
            "post-sources-33-levels",
            "POST",
            COLLECTION[SOURCES],
            400,
            data='{"note": ' + deep(32) + "}",
            content_type="application/json",
        ),
        Case(
            "post-sources-unbalanced-10000",
            "POST",
            COLLECTION[SOURCES],
            400,
            data="[" * 10_000,
            content_type="application/json",
        ),
        Case(
            "post-sources-30-levels-is-a-field-error",
            "POST",
            COLLECTION[SOURCES],
            422,
            body={**VALID[SOURCES], "note": json.loads(deep(30))},
        ),
    ]


def size_cases() -> list[Case]:
    big = json.dumps({**VALID[SOURCES], "note": "x" * (1024 * 1024)})
    over = "x" * (MAX_HEADER_BYTES + 1)
    return [
        Case(
            "post-sources-body-over-1mib", "POST", COLLECTION[SOURCES], 413, data=big, content_type="application/json"
        ),
        Case(
            "patch-sources-body-over-1mib",
            "PATCH",
            ITEM[SOURCES],
            413,
            data=big,
            content_type="application/json",
            headers={"If-Match": '"v1"'},
        ),
        Case("get-64kib-header", "GET", "/v1/sources", 431, headers={"X-Padding": "x" * 65536}, auth=None),
        Case(
            "post-64kib-header",
            "POST",
            COLLECTION[SOURCES],
            431,
            body=VALID[SOURCES],
            headers={"X-Padding": "x" * 65536},
        ),
        Case(
            "post-64kib-authorization",
            "POST",
            COLLECTION[SOURCES],
            431,
            body=VALID[SOURCES],
            headers={"Authorization": "Bearer " + "x" * 65536},
            auth=None,
        ),
        Case("get-accept-over-8kib", "GET", "/v1/sources", 431, headers={"Accept": over}, auth=None),
        Case(
            "get-if-none-match-64kib",
            "GET",
            ITEM[SOURCES],
            431,
            headers={"If-None-Match": '"' + "x" * 65536 + '"'},
            auth=None,
        ),
        Case(
            "patch-if-match-64kib",
            "PATCH",
            ITEM[SOURCES],
            431,
            body={"note": "x"},
            headers={"If-Match": '"v' + "1" * 65536 + '"'},
        ),
        Case("get-request-id-64kib", "GET", "/healthz", 431, headers={"X-Request-ID": "x" * 65536}, auth=None),
    ]


def nul_and_unicode_cases() -> list[Case]:
    source = json.dumps(VALID[SOURCES])
    return [
        Case("get-nul-in-path", "GET", "/v1/sources/a%00b", 400, auth=None),
        Case("patch-nul-in-path", "PATCH", "/v1/sources/a%00b", 400, body={"note": "x"}, headers={"If-Match": '"v1"'}),
        Case("get-nul-in-query-value", "GET", "/v1/sources?q=a%00b", 422, auth=None),
        Case("get-nul-in-query-key", "GET", "/v1/sources?q%00=a", 422, auth=None),
        Case("get-nul-in-cursor", "GET", "/v1/sources?cursor=a%00", 422, auth=None),
        Case("post-nul-in-field", "POST", COLLECTION[SOURCES], 422, body={**VALID[SOURCES], "title": "a\x00b"}),
        Case("post-nul-in-key", "POST", COLLECTION[SOURCES], 422, body={**VALID[SOURCES], "no\x00te": "x"}),
        Case(
            "post-nul-in-list-item",
            "POST",
            COLLECTION[RECOGNITIONS],
            422,
            body={**VALID[RECOGNITIONS], "sources": [CNN + "\x00"]},
        ),
        Case(
            "patch-nul-in-field",
            "PATCH",
            ITEM[GOVERNMENTS],
            422,
            body={"aliases": ["a\x00"]},
            headers={"If-Match": '"v1"'},
        ),
        Case(
            "post-lone-surrogate",
            "POST",
            COLLECTION[SOURCES],
            422,
            data=source.replace('"Reuters"', '"\\ud800"'),
            content_type="application/json",
        ),
        Case(
            "post-lone-low-surrogate-in-note",
            "POST",
            COLLECTION[SOURCES],
            422,
            data=json.dumps({**VALID[SOURCES], "note": "@"}).replace('"@"', '"x \\udfff y"'),
            content_type="application/json",
        ),
        Case(
            "patch-lone-surrogate",
            "PATCH",
            ITEM[RECOGNITIONS],
            422,
            data='{"note": "\\udbff"}',
            content_type="application/json",
            headers={"If-Match": '"v1"'},
        ),
        Case(
            "post-invalid-utf8-body",
            "POST",
            COLLECTION[SOURCES],
            400,
            data=source.encode().replace(b"Reuters", b"\xff\xfe"),
            content_type="application/json",
        ),
        Case(
            "post-overlong-utf8-body",
            "POST",
            COLLECTION[SOURCES],
            400,
            data=source.encode().replace(b"Reuters", b"\xc0\xaf"),
            content_type="application/json",
        ),
        Case(
            "post-utf16-body",
            "POST",
            COLLECTION[SOURCES],
            400,
            data=source.encode("utf-16"),
            content_type="application/json",
        ),
        Case(
            "post-nul-in-change-reason",
            "POST",
            COLLECTION[SOURCES],
            422,
            body=VALID[SOURCES],
            headers={"X-Change-Reason": "a\x00b"},
        ),
        Case(
            "post-change-reason-too-long",
            "POST",
            COLLECTION[SOURCES],
            422,
            body=VALID[SOURCES],
            headers={"X-Change-Reason": "r" * 501},
        ),
        # Raw bytes, sent below the test client (it would percent-encode them).
        Case("get-raw-invalid-utf8-query", "GET", "/v1/sources", 400, raw_query=b"q=\xff\xfe", auth=None),
        Case("get-raw-invalid-utf8-query-key", "GET", "/v1/sources", 400, raw_query=b"\xff=1", auth=None),
        Case("get-raw-overlong-utf8-query", "GET", "/v1/governments", 400, raw_query=b"q=\xc0\xaf", auth=None),
        Case("get-raw-invalid-utf8-limit", "GET", "/v1/recognitions", 400, raw_query=b"limit=\xff", auth=None),
        Case(
            "post-raw-invalid-utf8-query",
            "POST",
            COLLECTION[SOURCES],
            400,
            body=VALID[SOURCES],
            raw_query=b"x=\xff",
        ),
        Case("get-raw-invalid-utf8-path", "GET", "/", 404, raw_path=b"/v1/sources/\xff\xfe", auth=None),
        Case("get-raw-invalid-utf8-government", "GET", "/", 404, raw_path=b"/v1/governments/\xc3/relations", auth=None),
        Case(
            "get-raw-invalid-utf8-country", "GET", "/", 404, raw_path=f"{RELATIONS}/\xff".encode("latin-1"), auth=None
        ),
        Case(
            "patch-raw-invalid-utf8-path",
            "PATCH",
            "/",
            404,
            raw_path=b"/v1/sources/\xed\xa0\x80",
            body={"note": "x"},
            headers={"If-Match": '"v1"'},
        ),
        Case("get-raw-nul-in-path", "GET", "/", 400, raw_path=b"/v1/sources/a\x00b", auth=None),
        Case("get-raw-nul-in-query", "GET", "/v1/sources", 422, raw_query=b"q=a\x00b", auth=None),
    ]


def overlong_cases() -> list[Case]:
    cases = []
    for resource, limits in MAX_LENGTH.items():
        for name, limit in limits.items():
            value = "x" * (limit + 1)
            if name == "url":
                value = "https://example.org/" + "a" * limit
            cases.append(
                Case(
                    f"post-{resource.name}-{name}-overlong",
                    "POST",
                    COLLECTION[resource],
                    422,
                    body={**VALID[resource], name: value},
                    error_field=name,
                )
            )
            cases.append(
                Case(
                    f"patch-{resource.name}-{name}-overlong",
                    "PATCH",
                    ITEM[resource],
                    422,
                    body={name: value},
                    headers={"If-Match": '"v1"'},
                    error_field=name,
                )
            )
        for name in ("country", "form", "direction", "rank", "kind"):
            if name in VALID[resource]:
                cases.append(
                    Case(
                        f"post-{resource.name}-{name}-overlong",
                        "POST",
                        COLLECTION[resource],
                        422,
                        body={**VALID[resource], name: "x" * 100_000},
                        error_field=name,
                    )
                )
    cases += [
        Case(
            "post-governments-alias-overlong",
            "POST",
            COLLECTION[GOVERNMENTS],
            422,
            body={**VALID[GOVERNMENTS], "aliases": ["a" * 301]},
        ),
        Case(
            "post-governments-too-many-aliases",
            "POST",
            COLLECTION[GOVERNMENTS],
            422,
            body={**VALID[GOVERNMENTS], "aliases": [f"alias {i}" for i in range(51)]},
        ),
        Case(
            "post-recognitions-source-id-overlong",
            "POST",
            COLLECTION[RECOGNITIONS],
            422,
            body={**VALID[RECOGNITIONS], "sources": ["s" * 65]},
        ),
        Case(
            "post-recognitions-too-many-sources",
            "POST",
            COLLECTION[RECOGNITIONS],
            422,
            body={**VALID[RECOGNITIONS], "sources": [f"src_{i}" for i in range(51)]},
        ),
        Case(
            "post-exchanges-source-id-overlong",
            "POST",
            COLLECTION[AMBASSADOR_EXCHANGES],
            422,
            body={**VALID[AMBASSADOR_EXCHANGES], "sources": ["s" * 100_000]},
        ),
        Case(
            "post-sources-emoji-publisher-overlong",
            "POST",
            COLLECTION[SOURCES],
            422,
            body={**VALID[SOURCES], "publisher": "\U0001f600" * 301},
        ),
        Case("get-q-overlong", "GET", "/v1/sources?q=" + "a" * 100_000, 422, auth=None),
        Case("get-government-filter-overlong", "GET", "/v1/recognitions?government=" + "g" * 65, 422, auth=None),
        Case("get-id-overlong", "GET", "/v1/governments/" + "g" * 10_000, 404, auth=None),
    ]
    return cases


def wrong_type_cases() -> list[Case]:
    cases = []
    for resource, valid in VALID.items():
        for name in valid:
            wrongs: list[tuple[str, Any]] = [("int", 42), ("bool", True), ("object", {"a": 1})]
            wrongs.append(("string", "x") if name in LIST_FIELDS else ("list", ["x"]))
            if name not in NULLABLE:
                wrongs.append(("null", None))
            for label, value in wrongs:
                cases.append(
                    Case(
                        f"post-{resource.name}-{name}-{label}",
                        "POST",
                        COLLECTION[resource],
                        422,
                        body={**valid, name: value},
                        error_field=name,
                    )
                )
            cases.append(
                Case(
                    f"patch-{resource.name}-{name}-object",
                    "PATCH",
                    ITEM[resource],
                    422,
                    body={name: {"a": 1}},
                    headers={"If-Match": '"v1"'},
                    error_field=name,
                )
            )
        for name in LIST_FIELDS & valid.keys():
            cases.append(
                Case(
                    f"post-{resource.name}-{name}-list-of-ints",
                    "POST",
                    COLLECTION[resource],
                    422,
                    body={**valid, name: [1, 2]},
                    error_field=name,
                )
            )
    cases.append(
        Case("post-sources-unknown-field", "POST", COLLECTION[SOURCES], 422, body={**VALID[SOURCES], "colour": "red"})
    )
    cases.append(
        Case(
            "post-recognitions-client-id",
            "POST",
            COLLECTION[RECOGNITIONS],
            422,
            body={**VALID[RECOGNITIONS], "id": "rcg_mine"},
        )
    )
    return cases


def sql_cases() -> list[Case]:
    return [
        Case("get-sql-recognitions-country", "GET", f"/v1/recognitions?country={SQL_OR}", 422, auth=None),
        Case("get-sql-governments-country", "GET", f"/v1/governments?country={SQL_OR}", 422, auth=None),
        Case("get-sql-recognitions-form", "GET", f"/v1/recognitions?form={SQL_OR}", 422, auth=None),
        Case("get-sql-changes-resource", "GET", f"/v1/changes?resource={SQL_DROP}", 422, auth=None),
        Case("get-sql-limit", "GET", f"/v1/sources?limit=1;{SQL_DROP}", 422, auth=None),
        Case("get-sql-unknown-parameter", "GET", f"/v1/sources?{SQL_OR}=1", 422, auth=None),
        Case("get-sql-government-id", "GET", f"/v1/governments/{SQL_OR}", 404, auth=None),
        Case("get-sql-source-id", "GET", f"/v1/sources/{SQL_DROP}", 404, auth=None),
        Case("get-sql-recognition-id", "GET", "/v1/recognitions/1 OR 1=1", 404, auth=None),
        Case("get-sql-relations-government", "GET", "/v1/governments/x' OR '1'='1/relations", 404, auth=None),
        Case("get-sql-relations-country", "GET", f"{RELATIONS}/{SQL_OR}", 404, auth=None),
        Case("get-sql-country-code", "GET", f"/v1/countries/{SQL_OR}", 404, auth=None),
        Case(
            "post-sql-government-reference",
            "POST",
            COLLECTION[RECOGNITIONS],
            422,
            body={**VALID[RECOGNITIONS], "government": SQL_OR},
        ),
        Case(
            "post-sql-source-reference",
            "POST",
            COLLECTION[AMBASSADOR_EXCHANGES],
            422,
            body={**VALID[AMBASSADOR_EXCHANGES], "sources": [SQL_DROP]},
        ),
        Case(
            "post-sql-country",
            "POST",
            COLLECTION[RECOGNITIONS],
            422,
            body={**VALID[RECOGNITIONS], "country": SQL_OR},
        ),
        Case(
            "post-sql-slug",
            "POST",
            COLLECTION[GOVERNMENTS],
            422,
            body={**VALID[GOVERNMENTS], "id": "x'; DROP TABLE governments; --"},
        ),
        Case("post-sql-kind", "POST", COLLECTION[SOURCES], 422, body={**VALID[SOURCES], "kind": SQL_OR}),
        Case("post-sql-date", "POST", COLLECTION[SOURCES], 422, body={**VALID[SOURCES], "published": SQL_DROP}),
        Case("patch-sql-id", "PATCH", f"/v1/sources/{SQL_OR}", 404, body={"note": "x"}, headers={"If-Match": '"v1"'}),
        Case("delete-sql-id", "DELETE", f"/v1/governments/{SQL_DROP}", 404, headers={"If-Match": '"v1"'}),
        Case("get-script-id", "GET", f"/v1/governments/{SCRIPT}", 404, auth=None),
        Case("get-script-country", "GET", f"/v1/countries/{SCRIPT}", 404, auth=None),
    ]


def query_value_cases() -> list[Case]:
    cases = []
    for value in ("0", "-1", str(10**30), "1e3", "NaN", "Infinity", "0x10", "1.5", "", "%20", "501", "true"):
        for path in ("/v1/sources", "/v1/countries", "/v1/changes", f"/v1/governments/{GOVERNMENT}/history"):
            cases.append(Case(f"get-limit-{value or 'empty'}-{path}", "GET", f"{path}?limit={value}", 422, auth=None))
    for value in ("-1", str(10**30), "NaN", "1e3", "x"):
        cases.append(Case(f"get-changes-after-{value}", "GET", f"/v1/changes?after={value}", 422, auth=None))
    cases += [
        Case("get-bad-percent-limit", "GET", "/v1/sources?limit=%zz", 422, auth=None),
        Case("get-bad-percent-format", "GET", "/v1/sources?format=%", 422, auth=None),
        Case("get-bad-percent-country", "GET", "/v1/recognitions?country=%zz", 422, auth=None),
        Case("get-bad-percent-path", "GET", "/v1/sources/%zz", 404, auth=None),
        Case("get-lone-percent-path", "GET", "/v1/governments/%", 404, auth=None),
        Case("get-percent-encoded-invalid-utf8-country", "GET", "/v1/recognitions?country=%ff%fe", 422, auth=None),
        Case("get-format-html", "GET", "/v1/sources?format=html", 422, auth=None),
        Case("get-accept-html", "GET", "/v1/sources", 406, headers={"Accept": "text/html"}, auth=None),
        Case("get-accept-html-item", "GET", ITEM[SOURCES], 406, headers={"Accept": "text/html"}, auth=None),
    ]
    return cases


def cursor_cases() -> list[Case]:
    forged = {
        "random-base64": b64(b"\x8f\x01random bytes\xff\x00"),
        "json-after-number": b64(b'{"v":1,"after":5}'),
        "json-v-string": b64(b'{"v":"1","after":"x"}'),
        "json-v-2": b64(b'{"v":2,"after":"x"}'),
        "json-array": b64(b"[1,2]"),
        "json-string": b64(b'"after"'),
        "json-null": b64(b"null"),
        "json-nan": b64(b'{"v":1,"after":NaN}'),
        "json-after-nul": b64(b'{"v":1,"after":"\\u0000"}'),
        "json-after-lone-surrogate": b64(b'{"v":1,"after":"\\ud800"}'),
        "json-after-object": b64(b'{"v":1,"after":{"$gt":""}}'),
        "not-base64": "!!!",
        "padding-only": "====",
        "one-char": "a",
        "non-ascii": "\u00e9\u00e9\u00e9\u00e9",
        "bad-percent": "%zz",
    }
    cases = []
    for name, cursor in forged.items():
        for path in ("/v1/sources", "/v1/recognitions"):
            cases.append(Case(f"get-cursor-{name}-{path}", "GET", f"{path}?cursor={cursor}", 400, auth=None))
    cases += [
        Case(
            "get-cursor-nul-csv",
            "GET",
            "/v1/sources?format=csv&cursor=" + b64(b'{"v":1,"after":"\\u0000"}'),
            400,
            auth=None,
        ),
        Case(
            "get-cursor-surrogate-csv",
            "GET",
            "/v1/governments?format=csv&limit=5&cursor=" + b64(b'{"v":1,"after":"\\udfff"}'),
            400,
            auth=None,
        ),
        Case("get-cursor-very-long", "GET", "/v1/sources?cursor=" + "A" * 100_000, 422, auth=None),
        Case("get-cursor-empty", "GET", "/v1/sources?cursor=", 422, auth=None),
        Case("get-cursor-countries", "GET", "/v1/countries?cursor=" + b64(b'{"v":1,"after":["x"]}'), 400, auth=None),
    ]
    return cases


def etag_cases() -> list[Case]:
    cases = []
    if_match = [
        ("garbage", "garbage", 400),
        ("unquoted", "v1", 400),
        ("unterminated", '"v1', 400),
        ("two-tags-without-comma", '"v1" "v2"', 400),
        ("star-in-list", '*, "v1"', 400),
        ("only-commas", ", ,", 400),
        ("weak", 'W/"v1"', 412),
        ("weak-list", 'W/"v1", W/"v2"', 412),
        ("list-without-current", '"v7", "v8"', 412),
        ("foreign", '"something"', 412),
        ("very-long", '"v' + "9" * 8000 + '"', 412),
        ("negative", '"v-1"', 412),
        ("huge-version", '"v' + "9" * 30 + '"', 412),
        ("stale", '"v2"', 412),
        ("zero", '"v0"', 412),
        ("max-version", '"v999999999999999999"', 412),
        ("empty", "", 428),
        ("blank", "   ", 428),
    ]
    for name, value, status in if_match:
        for resource in (RECOGNITIONS, GOVERNMENTS):
            cases.append(
                Case(
                    f"patch-{resource.name}-if-match-{name}",
                    "PATCH",
                    ITEM[resource],
                    status,
                    body={"note": "x"} if resource is RECOGNITIONS else {"name": "Renamed"},
                    headers={"If-Match": value},
                )
            )
        cases.append(
            Case(f"delete-sources-if-match-{name}", "DELETE", ITEM[SOURCES], status, headers={"If-Match": value})
        )
    cases.append(Case("patch-without-if-match", "PATCH", ITEM[RECOGNITIONS], 428, body={"note": "x"}))
    cases.append(Case("delete-without-if-match", "DELETE", ITEM[RECOGNITIONS], 428))
    # If-None-Match on a write is a precondition too: matching the record (or any record) fails it.
    for name, value in (("star", "*"), ("current", '"v1"'), ("weak-current", 'W/"v1"'), ("list", '"v9", "v1"')):
        cases.append(
            Case(
                f"patch-if-none-match-{name}",
                "PATCH",
                ITEM[RECOGNITIONS],
                412,
                body={"note": "x"},
                headers={"If-Match": '"v1"', "If-None-Match": value},
            )
        )
        cases.append(
            Case(
                f"delete-if-none-match-{name}",
                "DELETE",
                ITEM[RECOGNITIONS],
                412,
                headers={"If-Match": '"v1"', "If-None-Match": value},
            )
        )
    return cases


def as_of_cases() -> list[Case]:
    cases = []
    as_of = [
        "0000-01-01",
        "10000-01-01",
        "2025-02-30",
        "2025-13-01",
        "-2025-01-01",
        "9" * 1000,
        "NaN",
        "today",
        "2025-07-04T00:00:00",
        "2025/07/04",
        "",
        SQL_OR,
    ]
    for value in as_of:
        for path in (RELATIONS, f"{RELATIONS}/RU", "/v1/recognitions", "/v1/ambassador-exchanges"):
            cases.append(
                Case(f"get-as-of-{value[:12] or 'empty'}-{path}", "GET", f"{path}?as_of={value}", 422, auth=None)
            )
    known_at = [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "2025-07-05T12:00:00",
        "2025-07-05",
        "2025-07-05T12:00:00+99:00",
        "2025-07-05T25:00:00Z",
        "9" * 1000,
        "NaN",
        "",
        "yesterday",
    ]
    for value in known_at:
        for path in (RELATIONS, f"{RELATIONS}/RU"):
            cases.append(
                Case(
                    f"get-as-known-at-{value[:26] or 'empty'}-{path}",
                    "GET",
                    f"{path}?as_known_at={value.replace('+', '%2B')}",
                    422,
                    auth=None,
                )
            )
    cases += [
        Case(
            "get-as-known-at-before-the-government",
            "GET",
            f"{RELATIONS}?as_known_at=0001-01-01T00:00:00Z",
            404,
            auth=None,
        ),
        Case(
            "get-as-known-at-before-the-government-one",
            "GET",
            f"{RELATIONS}/RU?as_known_at=1970-01-01T00:00:00Z",
            404,
            auth=None,
        ),
        Case(
            "get-as-known-at-on-a-collection",
            "GET",
            "/v1/recognitions?as_known_at=2025-07-05T12:00:00Z",
            422,
            auth=None,
        ),
    ]
    return cases


def method_cases() -> list[Case]:
    cases = []
    for method in ("PROPFIND", "MKCOL", "TRACE", "CONNECT", "FOO", "PUT", "LINK"):
        for path in ("/v1/sources", ITEM[SOURCES], "/healthz", RELATIONS, "/v1/changes"):
            cases.append(Case(f"{method.lower()}-{path}", method, path, 405))
    cases += [
        Case("post-item", "POST", ITEM[SOURCES], 405, body=VALID[SOURCES]),
        Case("patch-collection", "PATCH", "/v1/sources", 405, body={"note": "x"}, headers={"If-Match": '"v1"'}),
        Case("delete-collection", "DELETE", "/v1/governments", 405, headers={"If-Match": '"v1"'}),
        Case("post-relations", "POST", RELATIONS, 405, body={}),
        Case("delete-change-feed", "DELETE", "/v1/changes", 405),
        Case("post-openapi", "POST", "/v1/openapi.json", 405, body={}),
    ]
    return cases


def content_type_cases() -> list[Case]:
    cases = []
    types = [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "text/json",
        "application/json-patch+json",
        "application/vnd.api+json",
        "*/*",
        "garbage",
        "text/html",
    ]
    for content_type in types:
        cases.append(
            Case(
                f"post-sources-as-{content_type}",
                "POST",
                COLLECTION[SOURCES],
                415,
                data=json.dumps(VALID[SOURCES]),
                content_type=content_type,
            )
        )
        cases.append(
            Case(
                f"patch-governments-as-{content_type}",
                "PATCH",
                ITEM[GOVERNMENTS],
                415,
                data=json.dumps({"name": "Renamed"}),
                content_type=content_type,
                headers={"If-Match": '"v1"'},
            )
        )
    cases += [
        Case("post-sources-no-content-type", "POST", COLLECTION[SOURCES], 415, data=json.dumps(VALID[SOURCES])),
        Case(
            "post-sources-form-fields",
            "POST",
            COLLECTION[SOURCES],
            415,
            data="publisher=A&title=B&kind=news",
            content_type="application/x-www-form-urlencoded",
        ),
        Case(
            "post-sources-text-with-broken-json",
            "POST",
            COLLECTION[SOURCES],
            415,
            data='{"a": ',
            content_type="text/plain",
        ),
    ]
    return cases


def auth_cases() -> list[Case]:
    cases = []
    bad = {
        "none": None,
        "empty": "",
        "scheme-only": "Bearer",
        "scheme-and-space": "Bearer ",
        "basic": "Basic dXNlcjpwYXNz",
        "digest": 'Digest username="x"',
        "token-scheme": "Token rs_x",
        "no-scheme": "rs_abcdef",
        "unknown-token": "Bearer rs_not-a-token",
        "sql": f"Bearer {SQL_OR}",
        "two-values": "Bearer a b",
        "latin1-as-utf8": "Bearer \u00c3\u00bf\u00c3\u00be",  # the bytes of "ÿþ" in UTF-8: a token no one has
        "long-token": "Bearer " + "t" * 7000,
        "commas": ", ,",
    }
    # Bytes that are not UTF-8 (0xFF 0xFE) are refused before the token is looked at.
    for method, path in (("POST", COLLECTION[SOURCES]), ("DELETE", ITEM[RECOGNITIONS])):
        cases.append(
            Case(
                f"{method.lower()}-auth-latin1",
                method,
                path,
                400,
                body=VALID[SOURCES] if method == "POST" else None,
                headers={"Authorization": "Bearer \u00ff\u00fe", "If-Match": '"v1"'},
                auth=None,
            )
        )
    for name, value in bad.items():
        headers = {} if value is None else {"Authorization": value}
        cases.append(
            Case(
                f"post-auth-{name}",
                "POST",
                COLLECTION[SOURCES],
                401,
                body=VALID[SOURCES],
                headers=headers,
                auth=None,
            )
        )
        cases.append(
            Case(
                f"delete-auth-{name}",
                "DELETE",
                ITEM[RECOGNITIONS],
                401,
                headers={**headers, "If-Match": '"v1"'},
                auth=None,
            )
        )
    cases += [
        Case("post-with-read-token", "POST", COLLECTION[SOURCES], 403, body=VALID[SOURCES], auth="read"),
        Case(
            "patch-with-read-token",
            "PATCH",
            ITEM[SOURCES],
            403,
            body={"note": "x"},
            auth="read",
            headers={"If-Match": '"v1"'},
        ),
        Case(
            "post-write-token-with-trailing-garbage",
            "POST",
            COLLECTION[SOURCES],
            401,
            body=VALID[SOURCES],
            auth="write+garbage",
        ),
        Case(
            "get-closed-read-without-token", "GET", "/v1/sources", 401, auth=None, config={"READ_REQUIRES_TOKEN": True}
        ),
        Case(
            "get-closed-read-garbage-token",
            "GET",
            RELATIONS,
            401,
            auth=None,
            config={"READ_REQUIRES_TOKEN": True},
            headers={"Authorization": "Bearer garbage"},
        ),
        Case(
            "get-closed-read-basic",
            "GET",
            "/v1/changes",
            401,
            auth=None,
            config={"READ_REQUIRES_TOKEN": True},
            headers={"Authorization": "Basic eDp5"},
        ),
    ]
    return cases


CASES: list[Case] = [
    *malformed_json_cases(),
    *duplicate_key_cases(),
    *nesting_cases(),
    *size_cases(),
    *nul_and_unicode_cases(),
    *overlong_cases(),
    *wrong_type_cases(),
    *sql_cases(),
    *query_value_cases(),
    *cursor_cases(),
    *etag_cases(),
    *as_of_cases(),
    *method_cases(),
    *content_type_cases(),
    *auth_cases(),
]

# Hostile in shape, harmless in effect: plain text that matches nothing, validators that
# find nothing to match. (path, headers, expected status)
HARMLESS: list[tuple[str, dict[str, str], int]] = [
    (f"/v1/governments?q={SQL_OR}", {}, 200),
    (f"/v1/governments?q={SQL_DROP}", {}, 200),
    (f"/v1/sources?q={SQL_DROP}", {}, 200),
    (f"/v1/countries?q={SQL_OR}", {}, 200),
    (f"/v1/recognitions?government={SQL_OR}", {}, 200),
    (f"/v1/ambassador-exchanges?government={SQL_DROP}", {}, 200),
    (f"/v1/sources?q={SCRIPT}", {}, 200),
    ("/v1/sources?q=%25", {}, 200),
    ("/v1/sources?q=%zz", {}, 200),
    ("/v1/sources?q=%", {}, 200),
    ("/v1/sources?q=%ff%fe", {}, 200),
    ("/v1/sources?q=%ed%a0%80", {}, 200),
    (f"/v1/recognitions/{SQL_OR}/history", {}, 200),
    ("/v1/sources?cursor=" + b64(json.dumps({"v": 1, "after": SQL_OR}).encode()), {}, 200),
    (f"/v1/sources?format=csv&q={SQL_OR}", {}, 200),
    (f"/v1/sources/{CNN}", {"If-None-Match": "garbage"}, 200),
    (f"/v1/sources/{CNN}", {"If-None-Match": '"' + "x" * 7000 + '"'}, 200),
    (f"/v1/sources/{CNN}", {"If-None-Match": "*"}, 304),
    (f"/v1/sources/{CNN}", {"If-None-Match": 'W/"v1"'}, 304),
    (f"/v1/sources/{CNN}", {"If-None-Match": '"v0", "v1"'}, 304),
    ("/v1/sources", {"If-None-Match": '"v1", W/"x", garbage'}, 200),
    ("/v1/sources?format=csv", {"If-None-Match": "*"}, 304),
    ("/v1/sources", {"X-Padding": "x" * (MAX_HEADER_BYTES - len("X-Padding: "))}, 200),
    ("/v1/sources", {"X-Request-ID": SCRIPT}, 200),
]


# --- running a case ----------------------------------------------------------------------


@dataclass
class Tokens:
    write: str
    read: str


@pytest.fixture(scope="module")
def tokens(app) -> Tokens:
    """The seed case and two tokens, once per engine: no case may change them."""
    with app.app_context():
        empty_all_tables()
        load_seed()
        made = Tokens(create_token("hostile-editor", "write"), create_token("hostile-widget", "read"))
        _db.session.remove()
    yield made
    with app.app_context():
        empty_all_tables()
        _db.session.remove()


_TABLES: dict[str, list[tuple[str, list[str]]]] = {}


def dump(app) -> str:
    """Every application table as text, in a fixed order, read on its own connection."""
    with app.app_context():
        engine = _db.engine
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                return "\n".join(connection.connection.dbapi_connection.iterdump())
            if str(engine.url) not in _TABLES:
                inspector = inspect(connection)
                _TABLES[str(engine.url)] = [
                    (table, inspector.get_pk_constraint(table)["constrained_columns"])
                    for table in sorted(inspector.get_table_names())
                    if table != "alembic_version"
                ]
            lines = []
            for table, key in _TABLES[str(engine.url)]:
                lines.append(f"-- {table}")
                order = ", ".join(f'"{column}"' for column in key)
                lines.extend(
                    repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}'))
                )
            return "\n".join(lines)


def send(app, case: Case, tokens: Tokens):
    headers = dict(case.headers)
    if case.auth == "write":
        headers.setdefault("Authorization", f"Bearer {tokens.write}")
    elif case.auth == "read":
        headers.setdefault("Authorization", f"Bearer {tokens.read}")
    elif case.auth == "write+garbage":
        headers["Authorization"] = f"Bearer {tokens.write} garbage"
    data, content_type = case.data, case.content_type
    if case.body is not None:
        data, content_type = json.dumps(case.body), content_type or "application/json"
    # Bytes the test client would percent-encode go straight into the WSGI environ,
    # applied after EnvironBuilder has built it (as a server passes them on).
    overrides = {}
    if case.raw_path is not None:
        overrides["PATH_INFO"] = case.raw_path.decode("latin-1")
    if case.raw_query is not None:
        overrides["QUERY_STRING"] = case.raw_query.decode("latin-1")
    if overrides:
        uri = (case.raw_path or case.path.encode()) + (b"?" + case.raw_query if case.raw_query else b"")
        overrides["REQUEST_URI"] = overrides["RAW_URI"] = uri.decode("latin-1")
    return app.test_client().open(
        case.path,
        method=case.method,
        headers=headers,
        data=data,
        content_type=content_type,
        environ_overrides=overrides,
    )


def assert_clean_answer(response) -> str:
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and 'File "' not in body, body[:500]
    return body


def assert_problem(response, status: int) -> None:
    body = assert_clean_answer(response)
    assert response.status_code == status, body[:500]
    assert response.mimetype == PROBLEM, (response.mimetype, body[:300])
    problem = json.loads(body)
    assert {"type", "title", "status", "detail"} <= problem.keys(), problem
    assert problem["status"] == status and problem["detail"] and problem["title"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if status == 405:
        assert response.headers["Allow"]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_request_is_refused_and_changes_nothing(app, tokens, case, monkeypatch):
    for key, value in case.config.items():
        monkeypatch.setitem(app.config, key, value)
    before = dump(app)
    response = send(app, case, tokens)
    assert_problem(response, case.status)
    if case.error_field:
        assert case.error_field in response.json.get("errors", {}), response.json
    assert dump(app) == before


@pytest.mark.parametrize(("path", "headers", "status"), HARMLESS, ids=[f"{p[:60]}|{h}"[:90] for p, h, _ in HARMLESS])
def test_hostile_text_is_plain_text(app, tokens, path, headers, status):
    before = dump(app)
    response = app.test_client().get(path, headers=headers)
    assert_clean_answer(response)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status == 200 and response.mimetype == "application/json" and "items" in response.json and "q=" in path:
        assert response.json["items"] == [], "plain text that names nothing matches nothing"
    assert dump(app) == before


def test_the_corpus_is_large_and_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert len(CASES) >= 300


def test_every_text_field_fits_its_column():
    """PostgreSQL enforces VARCHAR lengths (SQLite does not): no valid value may exceed one.

    Each write schema's length limit must be at most the column's; a field without a
    limit must go to an unbounded column (TEXT).
    """
    for resource in RESOURCES:
        schema = resource.body()
        assert set(schema.fields) <= set(resource.columns), f"{resource.name}: every field is stored"
        for name, schema_field in schema.fields.items():
            column = resource.column_of(name)
            if isinstance(schema_field, ma_fields.List):
                schema_field = schema_field.inner
            column_length = getattr(column.type, "length", None)
            maxima = [v.max for v in schema_field.validators if isinstance(v, validate.Length) and v.max is not None]
            choices = [v.choices for v in schema_field.validators if isinstance(v, validate.OneOf)]
            where = f"{type(schema).__name__}.{name}"
            if name == "country":
                assert column_length == 2, where  # canonical alpha-2, whatever was sent
            elif choices:
                assert max(len(choice) for choice in choices[0]) <= column_length, where
            elif column_length is None:
                assert maxima, f"{where}: a TEXT column still needs a limit in the schema"
            else:
                assert maxima and min(maxima) <= column_length, f"{where}: {maxima} > VARCHAR({column_length})"


def test_a_chunked_body_over_the_limit_is_413(app, tokens):
    """No Content-Length: the limit still holds while the body is read."""
    before = dump(app)
    body = json.dumps({**VALID[SOURCES], "note": "x" * (1024 * 1024)}).encode()
    response = app.test_client().post(
        "/v1/sources",
        input_stream=io.BytesIO(body),
        headers={
            "Authorization": f"Bearer {tokens.write}",
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
        environ_overrides={"wsgi.input_terminated": True},  # what gunicorn sets for a chunked body
    )
    assert_problem(response, 413)
    assert dump(app) == before


def test_script_and_sql_text_is_stored_as_text_and_returned_as_json(app, tokens):
    """Stored as given, answered as JSON strings (never HTML), the tables untouched by it."""
    client = app.test_client()
    editor = {"Authorization": f"Bearer {tokens.write}"}
    body = {**VALID[SOURCES], "publisher": SCRIPT, "title": SQL_DROP, "note": f'{SQL_OR} {SCRIPT} "quoted" \u2028'}
    before = dump(app)
    created = client.post("/v1/sources", json=body, headers=editor)
    assert created.status_code == 201, created.json
    assert dump(app) != before, "the dump sees a write (so the other tests' comparisons mean something)"
    try:
        for response in (created, client.get(created.headers["Location"])):
            assert response.mimetype == "application/json"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert {key: response.json[key] for key in ("publisher", "title", "note")} == {
                key: body[key] for key in ("publisher", "title", "note")
            }
            raw = response.get_data(as_text=True)
            assert '"\\"; DROP TABLE sources; --"' in raw, "a JSON string, quotes escaped"
            assert "\u2028" not in raw, "JSON-escaped: no raw line separator reaches a script context"
        found = client.get("/v1/sources", query_string={"q": "drop table"})
        assert [item["id"] for item in found.json["items"]] == [created.json["id"]]
        exported = client.get("/v1/sources?format=csv")
        assert exported.mimetype == "text/csv" and exported.headers["Content-Disposition"].startswith("attachment")
        assert SCRIPT in exported.get_data(as_text=True)
        government = client.post(
            "/v1/governments",
            headers=editor,
            json={**VALID[GOVERNMENTS], "name": SCRIPT, "aliases": [SQL_OR, SQL_DROP]},
        )
        assert government.status_code == 201
        assert client.get("/v1/governments/xx-hostile").json["aliases"] == [SQL_OR, SQL_DROP]
        assert client.get(f"/v1/sources/{CNN}").status_code == 200, "the sources table is still there"
    finally:
        for path in (created.headers["Location"], "/v1/governments/xx-hostile"):
            current = client.get(path)
            if current.status_code == 200:
                client.delete(path, headers={**editor, "If-Match": current.headers["ETag"]})
