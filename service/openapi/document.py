"""The contract document: built from the app's Api spec, completed with seed-case
examples, and rendered as ``openapi.yaml`` in a fixed order.

``build_document(app, make_app)`` takes flask-smorest's ``api.spec.to_dict()``: the
views, their schemas and declarations, and what ``service.openapi.plugin`` adds to
every operation. It checks that every operation has an id, a summary and a
description, adds examples made by calling an app built by ``make_app`` on a seeded
throw-away SQLite database (the relations answer as of 2025-07-04, real problem
bodies), and drops components nothing refers to. Keys are emitted in a fixed order by
the pure-Python YAML emitter, so the same code gives the same bytes. ``make openapi``
(``python -m service openapi --output openapi.yaml``) rewrites the committed file; a
test fails while it is stale.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from flask import Flask

from ..http.api import api_of
from ..http.problems import PROBLEM_MIMETYPE, REQUEST_ID_HEADER
from ..schemas.fields import SEED_GOVERNMENT
from ..store.database import db
from ..store.seed import seed

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
CONTRACT_FILE = PROJECT_ROOT / "openapi.yaml"
JSON_MIMETYPE = "application/json"
CSV_MIMETYPE = "text/csv"
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")

HEADER_COMMENT = (
    "# Generated from the code by `make openapi` (python -m service openapi --output openapi.yaml).\n"
    "# Do not edit by hand: change the views, the schemas or service/openapi/ and regenerate.\n"
)

AppFactory = Callable[[Mapping[str, Any]], Flask]


class ContractError(ValueError):
    """The code cannot make a complete contract (a view without a docstring, ...)."""


# --- the seed case, for examples ------------------------------------------------------

EXAMPLE_AS_OF = "2025-07-04"
EXAMPLE_DAY_BEFORE = "2025-07-02"  # the day before the report: nothing settled yet
EXAMPLE_REQUEST_ID = "5f0c3a1e9b7d4c2a8e6f1b3d5c7a9e0f"
RELATIONS_PATH = "/v1/governments/{government_id}/relations"
RELATION_PATH = "/v1/governments/{government_id}/relations/{country}"

# name: (request path, extra request headers, expected status)
EXAMPLE_REQUESTS: dict[str, tuple[str, dict[str, str], int]] = {
    "relations": (f"/v1/governments/{SEED_GOVERNMENT}/relations?as_of={EXAMPLE_AS_OF}", {}, 200),
    "relations_csv": (f"/v1/governments/{SEED_GOVERNMENT}/relations?as_of={EXAMPLE_AS_OF}&format=csv", {}, 200),
    "relation": (f"/v1/governments/{SEED_GOVERNMENT}/relations/RU?as_of={EXAMPLE_AS_OF}", {}, 200),
    "relations_day_before": (f"/v1/governments/{SEED_GOVERNMENT}/relations?as_of={EXAMPLE_DAY_BEFORE}", {}, 200),
    "relation_no_records": (f"/v1/governments/{SEED_GOVERNMENT}/relations/US?as_of={EXAMPLE_AS_OF}", {}, 200),
    "BAD_REQUEST": ("/v1/governments?cursor=bm90LWEtY3Vyc29y", {}, 400),
    "NOT_FOUND": ("/v1/governments/af-islamic-emirat", {}, 404),
    "NOT_ACCEPTABLE": ("/v1/governments", {"Accept": "text/html"}, 406),
    "UNPROCESSABLE_ENTITY": ("/v1/governments?contry=RU", {}, 422),
}

INTERNAL_SERVER_ERROR_EXAMPLE = {
    "type": "about:blank",
    "title": "Internal Server Error",
    "status": 500,
    "detail": "The service failed to answer; quote the request_id when reporting it.",
    "instance": f"/v1/governments/{SEED_GOVERNMENT}",
    "request_id": EXAMPLE_REQUEST_ID,
}


# --- building the document ------------------------------------------------------------


def check_operations(document: Mapping[str, Any]) -> None:
    """Every operation has a unique id, a summary and a description."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path, path_item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method not in path_item:
                continue
            where = f"{method.upper()} {path}"
            operation = path_item[method]
            if not operation.get("summary") or not operation.get("description"):
                problems.append(
                    f"{where}: the view needs a docstring with a summary line, a blank line and a description"
                )
            operation_id = operation.get("operationId")
            if not operation_id:
                problems.append(f"{where}: no operationId (declare it with @blp.doc(operationId=...))")
            elif operation_id in seen:
                problems.append(f"{where}: operationId {operation_id} is also {seen[operation_id]}")
            else:
                seen[operation_id] = where
    if problems:
        raise ContractError("the OpenAPI document is incomplete:\n  " + "\n  ".join(problems))


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
            name: value
            for name, value in components[section].items()
            if f"#/components/{section}/{name}" in reachable or (section == "securitySchemes" and name in used_schemes)
        }
        if keep:
            components[section] = keep
        else:
            del components[section]
    missing = sorted(ref for ref in reachable if ref.split("/", 3)[3] not in components.get(ref.split("/", 3)[2], {}))
    if missing:
        raise ContractError(f"the document refers to undefined components: {', '.join(missing)}")


def seed_case_answers(make_app: AppFactory) -> dict[str, tuple[int, Any]]:
    """Answers of an app made by ``make_app`` on a throw-away SQLite database holding the seed case."""
    answers: dict[str, tuple[int, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="openapi-examples-") as folder:
        app = make_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'seed.sqlite3'}",
                "TESTING": True,
                "READ_REQUIRES_TOKEN": False,
            }
        )
        try:
            with app.app_context():
                db.create_all()
                seed()
            client = app.test_client()
            for name, (url, headers, expected) in EXAMPLE_REQUESTS.items():
                response = client.get(url, headers={REQUEST_ID_HEADER: EXAMPLE_REQUEST_ID, **headers})
                if response.status_code != expected:
                    raise ContractError(
                        f"example {name}: GET {url} answered {response.status_code}, "
                        f"expected {expected}: {response.get_data(as_text=True)[:500]}"
                    )
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
            },
            "seed-case-day-before": {
                "summary": f"The seed case as of {EXAMPLE_DAY_BEFORE}, the day before the report: every row `none` "
                "but `uncertain`, with the category its undated records could make",
                "value": answers["relations_day_before"][1],
            },
        }
        if CSV_MIMETYPE in content:
            content[CSV_MIMETYPE]["examples"] = {
                "seed-case": {"summary": summary, "value": answers["relations_csv"][1]}
            }
    if RELATION_PATH in paths:
        paths[RELATION_PATH]["get"]["responses"]["200"]["content"][JSON_MIMETYPE]["examples"] = {
            "seed-case": {"summary": f"{summary}: Russia", "value": answers["relation"][1]},
            "no-records": {
                "summary": f"{summary}: the United States, with nothing on file",
                "value": answers["relation_no_records"][1],
            },
        }
    responses = document.get("components", {}).get("responses", {})
    for name in ("BAD_REQUEST", "NOT_FOUND", "NOT_ACCEPTABLE", "UNPROCESSABLE_ENTITY"):
        if name in responses:
            responses[name]["content"][PROBLEM_MIMETYPE]["example"] = answers[name][1]
    if "INTERNAL_SERVER_ERROR" in responses:
        responses["INTERNAL_SERVER_ERROR"]["content"][PROBLEM_MIMETYPE]["example"] = dict(INTERNAL_SERVER_ERROR_EXAMPLE)


def build_document(app: Flask, make_app: AppFactory) -> dict[str, Any]:
    """The complete OpenAPI document of ``app``, as plain JSON-compatible data; its
    examples come from an app made by ``make_app`` (``service.create_app``)."""
    with app.app_context():
        # A JSON round trip copies the spec (to_dict shares apispec's own dicts) and
        # proves that it holds nothing but JSON values.
        document = json.loads(json.dumps(api_of(app).spec.to_dict()))
    check_operations(document)
    prune_components(document)
    add_examples(document, seed_case_answers(make_app))
    return canonical(document)


# --- stable order and YAML -------------------------------------------------------------

ORDER: dict[str, tuple[str, ...]] = {
    "document": (
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "security",
        "tags",
        "paths",
        "webhooks",
        "components",
        "externalDocs",
    ),
    "info": ("title", "summary", "version", "description", "termsOfService", "contact", "license"),
    "path_item": ("summary", "description", "parameters") + HTTP_METHODS,
    "operation": (
        "operationId",
        "summary",
        "description",
        "tags",
        "security",
        "parameters",
        "requestBody",
        "responses",
        "callbacks",
        "deprecated",
        "servers",
        "externalDocs",
    ),
    "response": ("description", "headers", "content", "links"),
    "parameter": (
        "name",
        "in",
        "description",
        "required",
        "deprecated",
        "allowEmptyValue",
        "style",
        "explode",
        "schema",
        "example",
        "examples",
    ),
    "header": ("description", "required", "deprecated", "schema", "example", "examples"),
    "media_type": ("schema", "example", "examples", "encoding"),
    "components": (
        "schemas",
        "responses",
        "parameters",
        "examples",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "pathItems",
    ),
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
        result["content"] = {
            t: ordered(result["content"][t], "media_type") for t in first + sorted(set(types) - set(first))
        }
    return result


def status_key(code: str) -> tuple[int, str]:
    """Status codes in numeric order, ``default`` last."""
    if code == "default":
        return (1000, code)
    return (int(code.replace("X", "0")), code) if code[:1].isdigit() else (999, code)


def canonical_operation(operation: Mapping[str, Any]) -> dict[str, Any]:
    result = ordered(operation, "operation")
    if "parameters" in result:
        result["parameters"] = [p if "$ref" in p else ordered(p, "parameter") for p in result["parameters"]]
    responses = result["responses"]
    result["responses"] = {code: canonical_response(responses[code]) for code in sorted(responses, key=status_key)}
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
        document,
        Dumper=_ContractDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
    return HEADER_COMMENT + body


def generate_yaml(app: Flask, make_app: AppFactory) -> str:
    """What ``openapi.yaml`` must hold for the code of ``app``."""
    return render_yaml(build_document(app, make_app))


def load_yaml(text: bytes | str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)  # nosec B506
