"""The OpenAPI contract: generated from the code, committed as ``openapi.yaml``, served as is.

``build_document(app)`` starts from flask-smorest's ``api.spec.to_dict()`` (paths,
parameters and schemas come from the views and marshmallow schemas) and completes it
with what flask-smorest cannot know:

- an ``operationId`` per operation, the view function's name in camelCase
  (``list_governments`` → ``listGovernments``); every view needs a docstring whose
  first line is the summary and whose rest is the description, or generation fails;
- every response code each operation can answer, errors as ``application/problem+json``
  (the ``Problem`` schema of ``service.api``): GETs answer 200, 304, 406 and 500; 422
  with query parameters, 400 with a ``cursor``, 404 with a path parameter; writes
  also 401/403 (bearer token), 400/413/415/422 with a body, 412/428 with ``If-Match``;
- the headers of GET 200s (``ETag``, ``Cache-Control``, ``X-Request-ID``; ``Vary``
  where CSV can be negotiated, ``Link`` where there are pages) and ``text/csv`` as a
  second representation where ``format=csv`` is accepted;
- examples from the seed case, made by calling the app on a seeded throw-away SQLite
  database (the relations answer as of 2025-07-04, real problem bodies).

Keys are emitted in a fixed order and the YAML is written by the pure-Python emitter,
so regenerating from the same code gives the same bytes. ``make openapi`` (``python -m
service openapi --output openapi.yaml``) rewrites the committed file; a test fails
while it is stale.

The ``contract`` blueprint serves the committed file at ``/v1/openapi.yaml`` (bytes
unchanged) and ``/v1/openapi.json``, and ``/docs``: Swagger UI from the
``flask-swagger-ui`` package's own files, so it works without any network. These
three routes are about the document and are not described in it.
"""
from __future__ import annotations

import copy
import http
import json
import re
import tempfile
from functools import lru_cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import flask_swagger_ui
import yaml
from flask import Blueprint, Flask, Response, abort, current_app, render_template_string, send_from_directory, url_for

from .api import (
    DEFAULT_PROBLEM_RESPONSE,
    REQUEST_ID_HEADER_DOC,
    api_of,
    component_ref,
    problem_response_doc,
)
from .errors import PROBLEM_MIMETYPE, REQUEST_ID_HEADER

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTRACT_FILE = PROJECT_ROOT / "openapi.yaml"
YAML_MIMETYPE = "application/yaml"
JSON_MIMETYPE = "application/json"
CSV_MIMETYPE = "text/csv"

HEADER_COMMENT = (
    "# Generated from the code by `make openapi` (python -m service openapi --output openapi.yaml).\n"
    "# Do not edit by hand: change the views, the schemas or service/openapi.py and regenerate.\n"
)

INFO_DESCRIPTION = """\
Who recognizes which government, who has exchanged ambassadors with it, since when,
and according to which source: dated, sourced records, and the status they add up to
per country (`GET /v1/governments/{government_id}/relations`).

- Countries are ISO 3166-1: alpha-2 or alpha-3 in any case in, upper-case alpha-2 out.
- Dates of events are EDTF strings (`2025-07-03`, `2024-01`, `2021`, `2024?`, `2023~`).
- Collections are paged with `limit` and `cursor` (`next_cursor`, `Link: rel="next"`);
  `Accept: text/csv` or `format=csv` gives the same rows as CSV.
- Every GET answers with a strong `ETag` and `Cache-Control`; `If-None-Match` gives 304.
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

WRITE_METHODS = ("post", "put", "patch", "delete")
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")

# --- the seed case, for examples ------------------------------------------------------

SEED_GOVERNMENT = "af-islamic-emirate"
EXAMPLE_AS_OF = "2025-07-04"
EXAMPLE_REQUEST_ID = "5f0c3a1e9b7d4c2a8e6f1b3d5c7a9e0f"
RELATIONS_PATH = "/v1/governments/{government_id}/relations"
RELATION_PATH = "/v1/governments/{government_id}/relations/{country}"

# name: (request path, extra request headers, expected status)
EXAMPLE_REQUESTS: dict[str, tuple[str, dict[str, str], int]] = {
    "relations": (f"/v1/governments/{SEED_GOVERNMENT}/relations?as_of={EXAMPLE_AS_OF}", {}, 200),
    "relations_csv": (f"/v1/governments/{SEED_GOVERNMENT}/relations?as_of={EXAMPLE_AS_OF}&format=csv", {}, 200),
    "relation": (f"/v1/governments/{SEED_GOVERNMENT}/relations/RU?as_of={EXAMPLE_AS_OF}", {}, 200),
    "BAD_REQUEST": ("/v1/governments?cursor=bm90LWEtY3Vyc29y", {}, 400),
    "NOT_FOUND": ("/v1/governments/af-islamic-emirat", {}, 404),
    "NOT_ACCEPTABLE": ("/v1/governments", {"Accept": "text/html"}, 406),
    "UNPROCESSABLE_ENTITY": ("/v1/governments?contry=RU", {}, 422),
}

# --- components this module adds ------------------------------------------------------

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "Strong validator of this representation: send it back in `If-None-Match` "
                       "to get 304 while the representation is unchanged. On a single record it names "
                       "the record's version (`\"v3\"`): send it in `If-Match` to edit the record.",
        "required": True,
        "schema": {"type": "string"},
        "example": '"3b5d5c3712955042212316173ccf37be"',
    },
    "Cache-Control": {
        "description": "`no-cache`: a cache may keep the answer but must revalidate it "
                       "(with `If-None-Match`) before each use; `private, no-cache` where reads "
                       "need a token (READ_REQUIRES_TOKEN).",
        "required": True,
        "schema": {"type": "string"},
        "example": "no-cache",
    },
    "Vary": {
        "description": "`Accept`: the representation (JSON or CSV) depends on the `Accept` header.",
        "required": True,
        "schema": {"type": "string"},
        "example": "Accept",
    },
    "Link": {
        "description": "RFC 8288 link to the next page (`rel=\"next\"`): the same query with the "
                       "next page's `cursor`. Absent on the last page.",
        "required": False,
        "schema": {"type": "string"},
        "example": '<http://127.0.0.1:8000/v1/governments?limit=50&cursor=eyJ2IjoxLCJhZnRlciI6ImFmLWlzbGFtaWMtZW1pcmF0ZSJ9>; rel="next"',
    },
    "Content-Disposition": {
        "description": "On `text/csv` answers only: `attachment`, with a file name.",
        "required": False,
        "schema": {"type": "string"},
        "example": 'attachment; filename="governments.csv"',
    },
    "Location": {
        "description": "The path of the record just created.",
        "required": True,
        "schema": {"type": "string"},
        "example": "/v1/recognitions/rcg_8c6475f1647032195d51",
    },
    "WWW-Authenticate": {
        "description": "The authentication scheme to use: `Bearer`.",
        "required": True,
        "schema": {"type": "string"},
        "example": 'Bearer realm="recognition-status"',
    },
    REQUEST_ID_HEADER: REQUEST_ID_HEADER_DOC,
}

PARAMETERS: dict[str, dict[str, Any]] = {
    "If-None-Match": {
        "name": "If-None-Match",
        "in": "header",
        "description": "The `ETag` of an earlier answer: 304 Not Modified, without a body, "
                       "while the representation is unchanged.",
        "required": False,
        "schema": {"type": "string"},
    },
    "If-Match": {
        "name": "If-Match",
        "in": "header",
        "description": "The `ETag` of the record as last read, exactly (one strong ETag such as "
                       "`\"v3\"`; a list, `*` or a weak ETag is 400): 412 when the record has changed "
                       "since, 428 without this header. Two editors never silently overwrite each other.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"v[0-9]{1,18}"$', "example": '"v1"'},
    },
    REQUEST_ID_HEADER: {
        "name": REQUEST_ID_HEADER,
        "in": "header",
        "description": "Your own id for the request (1 to 64 of `A-Z a-z 0-9 . _ -`), echoed in the "
                       "`X-Request-ID` response header and in problem bodies; any other value is "
                       "replaced by one the service makes up.",
        "required": False,
        "schema": {"type": "string"},
    },
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
    "headers": {name: component_ref("headers", name) for name in ("ETag", "Cache-Control", REQUEST_ID_HEADER)},
}

PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "The request is malformed: a query string that is not UTF-8, a `cursor` this service did not "
         "issue, a body that is not strict JSON (duplicate keys, NaN, nesting deeper than 32), or an "
         "`If-Match` that is not exactly one ETag.",
    401: "No valid bearer token (see the `WWW-Authenticate` header).",
    403: "The token's scope does not allow this.",
    404: "Nothing has that id (for a country: the code is not an ISO 3166-1 code).",
    406: "The `Accept` header allows none of the representations this resource has.",
    412: "The record has changed since the `If-Match` ETag was read: read it again.",
    413: "The body is larger than the service accepts.",
    415: "The body is not `application/json`.",
    422: "Invalid or unknown parameters or fields; `errors` names each one.",
    428: "Send `If-Match` with the record's current ETag.",
    431: "A request header line is longer than 8 KiB.",
    500: "The service failed to answer. The trace is logged under `request_id`, never returned.",
}

INTERNAL_SERVER_ERROR_EXAMPLE = {
    "type": "about:blank",
    "title": "Internal Server Error",
    "status": 500,
    "detail": "The service failed to answer; quote the request_id when reporting it.",
    "instance": f"/v1/governments/{SEED_GOVERNMENT}",
    "request_id": EXAMPLE_REQUEST_ID,
}

CSV_SCHEMA = {
    "type": "string",
    "description": "The same rows as CSV (RFC 4180: CRLF line ends, a header row; lists joined "
                   "with `;`, null as an empty cell). Without `limit` or `cursor` a collection's CSV "
                   "holds every matching row.",
}


class ContractError(ValueError):
    """The code cannot make a complete contract (a view without a docstring, ...)."""


# --- building the document ------------------------------------------------------------

def camel_case(name: str) -> str:
    head, *rest = [part for part in re.split(r"[_\-\s]+", name) if part]
    return head[:1].lower() + head[1:] + "".join(part[:1].upper() + part[1:] for part in rest)


def operation_ids(app: Flask) -> dict[tuple[str, str], str]:
    """(OpenAPI path, method) → operationId, from the view functions' names."""
    api = api_of(app)
    ids: dict[tuple[str, str], str] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if view is None:
            continue
        path = api.flask_plugin.flaskpath2openapi(rule.rule)
        is_method_view = hasattr(view, "view_class")
        name = rule.endpoint.rsplit(".", 1)[-1]
        for method in rule.methods or ():
            method = method.lower()
            ids[(path, method)] = camel_case(f"{method}_{name}" if is_method_view else name)
    return ids


def query_parameters(operation: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p.get("in") == "query"}


def offers_csv(query: Mapping[str, Mapping[str, Any]]) -> bool:
    return "csv" in query.get("format", {}).get("schema", {}).get("enum", [])


def add_parameter(operation: dict[str, Any], name: str) -> None:
    """Reference a header parameter component unless the operation has one of that name."""
    definition = PARAMETERS[name]
    for parameter in operation.get("parameters", []):
        if parameter.get("name", "").lower() == name.lower() and parameter.get("in") == definition["in"]:
            return
    operation.setdefault("parameters", []).append(component_ref("parameters", name))


def complete_success_response(operation: dict[str, Any], method: str, query: Mapping[str, Any]) -> None:
    """Headers of the success answer: validators and paging on GETs, Location and ETag on writes."""
    code = {"get": "200", "post": "201", "patch": "200"}.get(method)
    success = operation["responses"].get(code) if code else None
    if not isinstance(success, dict) or "$ref" in success:
        return
    csv = method == "get" and offers_csv(query)
    names = {"get": ["ETag", "Cache-Control"], "post": ["Location", "ETag"], "patch": ["ETag"]}[method]
    if csv:
        names.append("Vary")
    if method == "get" and "cursor" in query:
        names.append("Link")
    if csv:
        names.append("Content-Disposition")
    names.append(REQUEST_ID_HEADER)
    headers = {name: component_ref("headers", name) for name in names}
    headers.update(success.get("headers", {}))
    success["headers"] = headers
    if csv:
        success.setdefault("content", {}).setdefault(CSV_MIMETYPE, {"schema": dict(CSV_SCHEMA)})


def expected_statuses(path: str, method: str, operation: Mapping[str, Any], path_item: Mapping[str, Any]) -> list[str]:
    """The response codes an operation can answer beyond its own success codes."""
    query = query_parameters(operation)
    has_path_parameters = "{" in path or any(p.get("in") == "path" for p in path_item.get("parameters", []))
    has_body = "requestBody" in operation
    codes: list[int] = []
    if method == "get":
        codes.append(304)
    # Any request: a query string that is not UTF-8; also a forged cursor, malformed
    # JSON, or an If-Match that is not one ETag.
    codes.append(400)
    if method in WRITE_METHODS or (method == "get" and path.startswith("/v1/")):
        codes += [401, 403]  # reads too, where READ_REQUIRES_TOKEN closes them
    if has_path_parameters:
        codes.append(404)
    if method == "get":
        codes.append(406)
    if method in ("patch", "delete"):
        codes += [412, 428]
    if has_body:
        codes += [413, 415]
    if query or has_body:
        codes.append(422)
    codes.append(431)  # a header line over 8 KiB
    codes.append(500)
    return [str(code) for code in codes]


def status_key(code: str) -> tuple[int, str]:
    if code == "default":
        return (1000, code)
    return (int(code.replace("X", "0")), code) if code[:1].isdigit() else (999, code)


def complete_operation(path: str, method: str, operation: dict[str, Any], path_item: Mapping[str, Any],
                       operation_id: Optional[str], problems: list[str]) -> None:
    where = f"{method.upper()} {path}"
    if not operation.get("summary") or not operation.get("description"):
        problems.append(
            f"{where}: the view needs a docstring with a summary line, a blank line and a description"
        )
    if operation_id is not None:
        operation.setdefault("operationId", operation_id)  # an explicit @blp.doc(operationId=...) wins
    elif "operationId" not in operation:
        problems.append(f"{where}: no view function found for an operationId")

    responses = operation.setdefault("responses", {})
    for code in expected_statuses(path, method, operation, path_item):
        if code not in responses:
            name = NOT_MODIFIED if code == "304" else http.HTTPStatus(int(code)).name
            responses[code] = component_ref("responses", name)
    responses.setdefault("default", component_ref("responses", DEFAULT_PROBLEM_RESPONSE))
    # Error responses declared in the code by description only get the problem body.
    for code, response in responses.items():
        if code[:1] in "45" and isinstance(response, dict) and "$ref" not in response and "content" not in response:
            documented = problem_response_doc(int(code), response.get("description"))
            response.setdefault("headers", documented["headers"])
            response["content"] = documented["content"]
    operation["responses"] = {code: responses[code] for code in sorted(responses, key=status_key)}
    complete_success_response(operation, method, query_parameters(operation))

    if method in WRITE_METHODS:
        operation.setdefault("security", [{"bearerAuth": ["write"]}])
        if method in ("patch", "delete"):
            add_parameter(operation, "If-Match")
    if method == "get":
        add_parameter(operation, "If-None-Match")
        if path.startswith("/v1/"):
            # Anonymous by default; a read token where READ_REQUIRES_TOKEN is set.
            operation.setdefault("security", [{}, {"bearerAuth": ["read"]}])
    add_parameter(operation, REQUEST_ID_HEADER)


def add_components(document: dict[str, Any]) -> None:
    components = document.setdefault("components", {})
    for name, header in HEADERS.items():
        components.setdefault("headers", {}).setdefault(name, copy.deepcopy(header))
    for name, parameter in PARAMETERS.items():
        components.setdefault("parameters", {}).setdefault(name, copy.deepcopy(parameter))
    responses = components.setdefault("responses", {})
    responses[NOT_MODIFIED] = copy.deepcopy(NOT_MODIFIED_RESPONSE)
    for status in http.HTTPStatus:
        if status >= 400:
            responses[status.name] = problem_response_doc(status, PROBLEM_DESCRIPTIONS.get(status))
    responses["UNAUTHORIZED"]["headers"] = {
        "WWW-Authenticate": component_ref("headers", "WWW-Authenticate"), **responses["UNAUTHORIZED"]["headers"]
    }
    for name, scheme in SECURITY_SCHEMES.items():
        components.setdefault("securitySchemes", {}).setdefault(name, copy.deepcopy(scheme))


def references(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def security_names(document: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    requirements = list(document.get("security", []))
    for path_item in document.get("paths", {}).values():
        for method in HTTP_METHODS:
            requirements += path_item.get(method, {}).get("security", [])
    for requirement in requirements:
        names.update(requirement)
    return names


def prune_components(document: dict[str, Any]) -> None:
    """Drop every component nothing refers to (flask-smorest registers some eagerly)."""
    components = document.get("components", {})
    outside = {key: value for key, value in document.items() if key != "components"}
    reachable: set[str] = set()
    pending = list(references(outside))
    while pending:
        ref = pending.pop()
        if ref in reachable or not ref.startswith("#/components/"):
            continue
        reachable.add(ref)
        _, _, section, name = ref.split("/", 3)
        if name in components.get(section, {}):
            pending.extend(references(components[section][name]))
    used_schemes = security_names(document)
    for section in list(components):
        keep = {
            name: value for name, value in components[section].items()
            if f"#/components/{section}/{name}" in reachable
            or (section == "securitySchemes" and name in used_schemes)
        }
        if keep:
            components[section] = keep
        else:
            del components[section]
    missing = sorted(ref for ref in reachable if ref.split("/", 3)[3] not in components.get(ref.split("/", 3)[2], {}))
    if missing:
        raise ContractError(f"the document refers to undefined components: {', '.join(missing)}")


def seed_case_answers() -> dict[str, tuple[int, Any]]:
    """Answers of the app on a throw-away SQLite database holding the seed case."""
    from .app import create_app
    from .extensions import db
    from .seed import seed

    answers: dict[str, tuple[int, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="openapi-examples-") as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'seed.sqlite3'}",
                          "TESTING": True, "READ_REQUIRES_TOKEN": False})
        try:
            with app.app_context():
                db.create_all()
                seed()
            client = app.test_client()
            for name, (url, headers, expected) in EXAMPLE_REQUESTS.items():
                response = client.get(url, headers={REQUEST_ID_HEADER: EXAMPLE_REQUEST_ID, **headers})
                if response.status_code != expected:
                    raise ContractError(f"example {name}: GET {url} answered {response.status_code}, "
                                        f"expected {expected}: {response.get_data(as_text=True)[:500]}")
                body = response.get_data(as_text=True)
                answers[name] = (response.status_code, body if response.mimetype == CSV_MIMETYPE else json.loads(body))
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return answers


def add_examples(document: dict[str, Any], answers: Mapping[str, tuple[int, Any]]) -> None:
    paths = document["paths"]
    summary = f"The seed case as of {EXAMPLE_AS_OF}"
    if RELATIONS_PATH in paths:
        content = paths[RELATIONS_PATH]["get"]["responses"]["200"]["content"]
        content[JSON_MIMETYPE]["examples"] = {
            "seed-case": {
                "summary": f"{summary}: RU recognized; AE and CN ambassadors exchanged; QA limited relations",
                "value": answers["relations"][1],
            }
        }
        if CSV_MIMETYPE in content:
            content[CSV_MIMETYPE]["examples"] = {
                "seed-case": {"summary": summary, "value": answers["relations_csv"][1]}
            }
    if RELATION_PATH in paths:
        paths[RELATION_PATH]["get"]["responses"]["200"]["content"][JSON_MIMETYPE]["examples"] = {
            "seed-case": {"summary": f"{summary}: Russia", "value": answers["relation"][1]}
        }
    responses = document.get("components", {}).get("responses", {})
    for name in ("BAD_REQUEST", "NOT_FOUND", "NOT_ACCEPTABLE", "UNPROCESSABLE_ENTITY"):
        if name in responses:
            responses[name]["content"][PROBLEM_MIMETYPE]["example"] = answers[name][1]
    if "INTERNAL_SERVER_ERROR" in responses:
        responses["INTERNAL_SERVER_ERROR"]["content"][PROBLEM_MIMETYPE]["example"] = dict(INTERNAL_SERVER_ERROR_EXAMPLE)


def build_document(app: Flask, *, examples: bool = True) -> dict[str, Any]:
    """The complete OpenAPI document of ``app``, as plain JSON-compatible data."""
    api = api_of(app)
    with app.app_context():
        # A JSON round trip copies the spec (to_dict shares apispec's own dicts) and
        # proves that it holds nothing but JSON values.
        document = json.loads(json.dumps(api.spec.to_dict()))
    document["info"]["description"] = INFO_DESCRIPTION
    document["info"]["contact"] = dict(INFO_CONTACT)

    ids = operation_ids(app)
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path, path_item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in path_item:
                complete_operation(path, method, path_item[method], path_item, ids.get((path, method)), problems)
                operation_id = path_item[method].get("operationId")
                if operation_id in seen:
                    problems.append(f"{method.upper()} {path}: operationId {operation_id} is also {seen[operation_id]}")
                if operation_id:
                    seen[operation_id] = f"{method.upper()} {path}"
    if problems:
        raise ContractError("the OpenAPI document is incomplete:\n  " + "\n  ".join(problems))

    add_links(document)
    add_components(document)
    prune_components(document)
    if examples:
        add_examples(document, seed_case_answers())
    return canonical(document)


# --- links between operations ---------------------------------------------------------

# (collection path, singular operation name, path parameter of the item)
EDITABLE = (
    ("/v1/governments", "Government", "government_id"),
    ("/v1/recognitions", "Recognition", "record_id"),
    ("/v1/ambassador-exchanges", "AmbassadorExchange", "record_id"),
    ("/v1/sources", "Source", "record_id"),
)


def add_links(document: dict[str, Any]) -> None:
    """OpenAPI links from each create and update to what can follow it.

    They tell a client (and stateful contract tests) how a new record is read, edited,
    deleted and its history listed: the id comes from the body, the `If-Match` value
    from the `ETag` header.
    """
    paths = document["paths"]
    for collection, name, parameter in EDITABLE:
        item = f"{collection}/{{{parameter}}}"
        by_id = {parameter: "$response.body#/id"}
        with_version = {**by_id, "header.If-Match": "$response.header.ETag"}
        follow_ups = {
            f"Get{name}": {"operationId": f"get{name}", "parameters": by_id},
            f"Update{name}": {"operationId": f"update{name}", "parameters": with_version},
            f"Delete{name}": {"operationId": f"delete{name}", "parameters": with_version},
            f"Get{name}History": {"operationId": f"get{name}History", "parameters": by_id},
        }
        if name == "Government":
            follow_ups["GetRelations"] = {"operationId": "getRelations", "parameters": by_id}
        created = paths[collection]["post"]["responses"]["201"]
        created["links"] = follow_ups
        updated = paths[item]["patch"]["responses"]["200"]
        updated["links"] = {key: link for key, link in follow_ups.items() if not key.startswith("Get")
                            or key == f"Get{name}"}


# --- stable order and YAML --------------------------------------------------------------

ORDER: dict[str, tuple[str, ...]] = {
    "document": ("openapi", "info", "jsonSchemaDialect", "servers", "security", "tags", "paths", "webhooks",
                 "components", "externalDocs"),
    "info": ("title", "summary", "version", "description", "termsOfService", "contact", "license"),
    "path_item": ("summary", "description", "parameters") + HTTP_METHODS,
    "operation": ("operationId", "summary", "description", "tags", "security", "parameters", "requestBody",
                  "responses", "callbacks", "deprecated", "servers", "externalDocs"),
    "response": ("description", "headers", "content", "links"),
    "parameter": ("name", "in", "description", "required", "deprecated", "allowEmptyValue", "style", "explode",
                  "schema", "example", "examples"),
    "header": ("description", "required", "deprecated", "schema", "example", "examples"),
    "media_type": ("schema", "example", "examples", "encoding"),
    "components": ("schemas", "responses", "parameters", "examples", "requestBodies", "headers",
                   "securitySchemes", "links", "callbacks", "pathItems"),
}


def ordered(mapping: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Known keys in the usual order of the OpenAPI specification, then the rest as they came."""
    preferred = ORDER[kind]
    keys = [key for key in preferred if key in mapping] + [key for key in mapping if key not in preferred]
    return {key: mapping[key] for key in keys}


def canonical_response(response: Mapping[str, Any]) -> dict[str, Any]:
    if "$ref" in response:
        return dict(response)
    result = ordered(response, "response")
    if "headers" in result:
        result["headers"] = {name: h if "$ref" in h else ordered(h, "header") for name, h in result["headers"].items()}
    if "content" in result:
        types = list(result["content"])
        first = [t for t in (JSON_MIMETYPE, PROBLEM_MIMETYPE) if t in types]
        result["content"] = {t: ordered(result["content"][t], "media_type") for t in first + sorted(set(types) - set(first))}
    return result


def canonical_operation(operation: Mapping[str, Any]) -> dict[str, Any]:
    result = ordered(operation, "operation")
    if "parameters" in result:
        result["parameters"] = [p if "$ref" in p else ordered(p, "parameter") for p in result["parameters"]]
    result["responses"] = {code: canonical_response(r) for code, r in result["responses"].items()}
    return result


def canonical(document: Mapping[str, Any]) -> dict[str, Any]:
    result = ordered(document, "document")
    result["info"] = ordered(result["info"], "info")
    paths = {}
    for path in sorted(result.get("paths", {})):
        item = ordered(result["paths"][path], "path_item")
        for method in HTTP_METHODS:
            if method in item:
                item[method] = canonical_operation(item[method])
        if "parameters" in item:
            item["parameters"] = [p if "$ref" in p else ordered(p, "parameter") for p in item["parameters"]]
        paths[path] = item
    result["paths"] = paths
    components = ordered(result.get("components", {}), "components")
    for section in components:
        components[section] = {name: components[section][name] for name in sorted(components[section])}
    for name, response in components.get("responses", {}).items():
        components["responses"][name] = canonical_response(response)
    for name, header in components.get("headers", {}).items():
        components["headers"][name] = ordered(header, "header")
    for name, parameter in components.get("parameters", {}).items():
        components["parameters"][name] = ordered(parameter, "parameter")
    result["components"] = components
    return result


class _ContractDumper(yaml.SafeDumper):
    """The pure-Python emitter (the same bytes everywhere), without anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line text (descriptions) as literal blocks; the emitter falls back to a
    # quoted style by itself where a block cannot hold the value exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ContractDumper.add_representer(str, _represent_str)


def render_yaml(document: Mapping[str, Any]) -> str:
    body = yaml.dump(
        document, Dumper=_ContractDumper, sort_keys=False, allow_unicode=True,
        default_flow_style=False, width=100, indent=2,
    )
    return HEADER_COMMENT + body


def generate_yaml(app: Flask) -> str:
    """What ``openapi.yaml`` must hold for the code of ``app``."""
    return render_yaml(build_document(app))


def load_yaml(text: bytes | str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)  # nosec B506


# --- serving ---------------------------------------------------------------------------

contract = Blueprint("contract", __name__)

SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
SWAGGER_UI_VERSION = package_version("flask-swagger-ui")
ASSET_MAX_AGE = 365 * 24 * 3600  # the URL names the version, so an asset never changes

DOCS_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title }} {{ version }}: API reference</title>
  <link rel="stylesheet" href="{{ asset('index.css') }}">
  <link rel="stylesheet" href="{{ asset('swagger-ui.css') }}">
  <link rel="icon" type="image/png" sizes="32x32" href="{{ asset('favicon-32x32.png') }}">
  <link rel="icon" type="image/png" sizes="16x16" href="{{ asset('favicon-16x16.png') }}">
</head>
<body>
  <noscript>
    <p>This reference needs JavaScript. The contract itself:
      <a href="{{ url_for('contract.openapi_yaml') }}">openapi.yaml</a>,
      <a href="{{ url_for('contract.openapi_json') }}">openapi.json</a>.</p>
  </noscript>
  <div id="swagger-ui"></div>
  <script src="{{ asset('swagger-ui-bundle.js') }}"></script>
  <script>
    window.ui = SwaggerUIBundle({{ config | tojson }});
  </script>
</body>
</html>
"""


def contract_path() -> Path:
    return Path(current_app.config.get("OPENAPI_CONTRACT_FILE") or CONTRACT_FILE)


@lru_cache(maxsize=4)
def _read_contract(path: str, mtime_ns: int, size: int) -> tuple[bytes, bytes]:
    raw = Path(path).read_bytes()
    as_json = json.dumps(load_yaml(raw), indent=2, ensure_ascii=False) + "\n"
    return raw, as_json.encode("utf-8")


def committed_contract() -> tuple[bytes, bytes]:
    """The committed file's bytes, and the same document as JSON (re-read when the file changes)."""
    path = contract_path()
    stat = path.stat()  # missing file: a 500, logged with its path
    return _read_contract(str(path), stat.st_mtime_ns, stat.st_size)


@contract.get("/v1/openapi.yaml")
def openapi_yaml() -> Response:
    return Response(committed_contract()[0], mimetype=YAML_MIMETYPE)


@contract.get("/v1/openapi.json")
def openapi_json() -> Response:
    return Response(committed_contract()[1], mimetype=JSON_MIMETYPE)


@contract.get("/docs")
def docs() -> str:
    def asset(filename: str) -> str:
        return url_for("contract.docs_asset", version=SWAGGER_UI_VERSION, filename=filename)

    config = {
        "url": url_for("contract.openapi_json"),
        "dom_id": "#swagger-ui",
        "deepLinking": True,
        "validatorUrl": None,  # the default would ask validator.swagger.io about the document
        "layout": "BaseLayout",
        "defaultModelsExpandDepth": 0,
    }
    return render_template_string(
        DOCS_PAGE, title=current_app.config["API_TITLE"], version=current_app.config["API_VERSION"],
        asset=asset, config=config,
    )


@contract.get("/docs/assets/<version>/<path:filename>")
def docs_asset(version: str, filename: str) -> Response:
    if version != SWAGGER_UI_VERSION:
        abort(404)
    response = send_from_directory(SWAGGER_UI_DIST, filename, max_age=ASSET_MAX_AGE)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
