"""The v1 compatibility gate: openapi.yaml against the frozen tests/contract/v1-baseline.yaml.

The gate itself is ``test_openapi_yaml_keeps_every_v1_promise``; the rest proves the checker
(tests/contract/compat.py): each kind of breaking change is found on a small hand-made
pair of documents, additive changes pass, and a few breaks are found in the real contract.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from tests.contract.compat import (
    ContractFormatError,
    Finding,
    breaking_changes,
    is_allowed,
    load,
    load_allowed,
    main,
)
from tests.support.constants import CONTRACT, PROJECT_ROOT

FROZEN = PROJECT_ROOT / "tests" / "contract"
V1_BASELINE = FROZEN / "v1-baseline.yaml"


def major(document: dict) -> str:
    return str(document["info"]["version"]).split(".")[0]


@pytest.fixture(scope="module")
def contract() -> dict:
    return load(CONTRACT)


# --- the gate -----------------------------------------------------------------------------


def test_the_contract_s_major_version_has_a_frozen_baseline(contract):
    version = major(contract)
    if not (FROZEN / f"v{version}-baseline.yaml").exists():
        pytest.fail(
            f"openapi.yaml is version {contract['info']['version']}, and no contract of major version "
            f"{version} is frozen: releasing it means `cp openapi.yaml tests/contract/v{version}-baseline.yaml` "
            "(README, 'Contract compatibility').",
            pytrace=False,
        )


def test_openapi_yaml_keeps_every_promise_of_its_major_version(contract):
    baseline = FROZEN / f"v{major(contract)}-baseline.yaml"
    if not baseline.exists():
        pytest.skip("no baseline for this major version (the test above fails)")
    allowed_file = FROZEN / f"v{major(contract)}-allowed.txt"
    allowed = load_allowed(allowed_file) if allowed_file.exists() else []
    breaking = [finding for finding in breaking_changes(load(baseline), contract) if not is_allowed(finding, allowed)]
    if breaking:
        pytest.fail(
            f"openapi.yaml breaks the contract frozen in {baseline.relative_to(PROJECT_ROOT)}:\n  "
            + "\n  ".join(finding.key for finding in breaking)
            + "\nKeep the version additive: add paths, optional parameters and fields, response fields and "
            "status codes; remove, narrow or require nothing. A finding that a review shows breaks no client "
            f"goes in {allowed_file.relative_to(PROJECT_ROOT)} with its reason; a real break needs a new major version "
            "(README, 'Contract compatibility').",
            pytrace=False,
        )


@pytest.mark.parametrize("baseline", sorted(FROZEN.glob("v*-baseline.yaml")), ids=lambda path: path.name)
def test_every_baseline_is_valid_openapi_3_1_of_its_major_version(baseline):
    document = load(baseline)
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert baseline.name == f"v{major(document)}-baseline.yaml"


@pytest.mark.parametrize("allowed", sorted(FROZEN.glob("v*-allowed.txt")), ids=lambda path: path.name)
def test_every_allowed_change_names_a_reason(allowed):
    load_allowed(allowed)  # raises on a line without ' # reason'


# --- a small contract to break ------------------------------------------------------------


def ref(section: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


def json_body(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Things", "version": "1.0.0"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    },
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}},
                    ref("parameters", "If-None-Match"),
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "headers": {"ETag": ref("headers", "ETag")},
                        "content": {
                            **json_body(ref("schemas", "ThingPage")),
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "422": ref("responses", "Problem"),
                },
            },
            "post": {
                "security": [{"bearerAuth": ["write"]}],
                "requestBody": {"required": True, "content": json_body(ref("schemas", "ThingBody"))},
                "responses": {"201": {"description": "Created", "content": json_body(ref("schemas", "Thing"))}},
            },
        },
        "/things/{thing_id}": {
            "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "security": [{}, {"bearerAuth": ["read"]}],
                "responses": {
                    "200": {"description": "OK", "content": json_body(ref("schemas", "Thing"))},
                    "404": ref("responses", "Problem"),
                },
            },
            "delete": {"responses": {"204": {"description": "Deleted"}}},
        },
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "status": {"type": "string", "enum": ["active", "retired"]},
                    "note": {"type": ["string", "null"]},
                    "count": {"type": "integer"},
                    "at": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "parent": {"anyOf": [ref("schemas", "Thing"), {"type": "null"}]},  # recursive
                },
                "required": ["id", "status", "note", "count", "at", "tags", "parent"],
                "additionalProperties": False,
            },
            "ThingPage": {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": ref("schemas", "Thing")},
                    "next_cursor": {"type": ["string", "null"]},
                },
                "required": ["items", "next_cursor"],
            },
            "ThingBody": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": 100},
                    "status": {"type": "string", "enum": ["active", "retired"]},
                    "note": {"type": ["string", "null"]},
                },
                "required": ["name"],
                "additionalProperties": False,
            },
            "Problem": {"type": "object", "properties": {"status": {"type": "integer"}}, "required": ["status"]},
        },
        "responses": {
            "Problem": {
                "description": "A problem",
                "content": {"application/problem+json": {"schema": ref("schemas", "Problem")}},
            }
        },
        "parameters": {"If-None-Match": {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}},
        "headers": {"ETag": {"required": True, "schema": {"type": "string"}}},
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    },
}


def schema(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]


def things(document: dict, method: str = "get") -> dict:
    return document["paths"]["/things"][method]


def thing(document: dict, method: str = "get") -> dict:
    return document["paths"]["/things/{thing_id}"][method]


def kinds(after: Callable[[dict], Any], before: Callable[[dict], Any] | None = None) -> set[str]:
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    if before:
        before(old)
    after(new)
    return {finding.kind for finding in breaking_changes(old, new)}


def test_the_small_contract_is_valid_and_equal_to_itself():
    validate(copy.deepcopy(BASE))
    assert breaking_changes(BASE, BASE) == []


BREAKING: dict[str, tuple[Callable[[dict], Any], set[str]]] = {
    # paths and operations
    "path removed": (lambda d: d["paths"].pop("/things/{thing_id}"), {"path-removed"}),
    "operation removed": (lambda d: d["paths"]["/things"].pop("post"), {"operation-removed"}),
    # response bodies
    "response field removed": (
        lambda d: (schema(d, "Thing")["properties"].pop("count"), schema(d, "Thing")["required"].remove("count")),
        {"response-property-removed"},
    ),
    "response field becomes optional": (
        lambda d: schema(d, "Thing")["required"].remove("count"),
        {"response-property-became-optional"},
    ),
    "response enum value removed": (
        lambda d: schema(d, "Thing")["properties"]["status"]["enum"].remove("retired"),
        {"response-enum-value-removed"},
    ),
    "response enum value added": (
        lambda d: schema(d, "Thing")["properties"]["status"]["enum"].append("archived"),
        {"response-enum-value-added"},
    ),
    "response enum dropped": (
        lambda d: schema(d, "Thing")["properties"]["status"].pop("enum"),
        {"response-enum-dropped"},
    ),
    "response type changed (integer to string)": (
        lambda d: schema(d, "Thing")["properties"]["count"].update(type="string"),
        {"response-type-widened"},
    ),
    "response field becomes nullable": (
        lambda d: schema(d, "Thing")["properties"]["count"].update(type=["integer", "null"]),
        {"response-type-widened"},
    ),
    "response array items change type": (
        lambda d: schema(d, "Thing")["properties"]["tags"]["items"].update(type="integer"),
        {"response-type-widened"},
    ),
    "response format changed": (
        lambda d: schema(d, "Thing")["properties"]["at"].update(format="date"),
        {"response-format-changed"},
    ),
    "response status removed": (lambda d: thing(d)["responses"].pop("404"), {"response-status-removed"}),
    "response media type removed": (
        lambda d: things(d)["responses"]["200"]["content"].pop("text/csv"),
        {"response-media-type-removed"},
    ),
    "response header removed": (lambda d: things(d)["responses"]["200"].pop("headers"), {"response-header-removed"}),
    "response header becomes optional": (
        lambda d: d["components"]["headers"]["ETag"].update(required=False),
        {"response-header-became-optional"},
    ),
    "shared error schema loses a field (through two $refs)": (
        lambda d: (schema(d, "Problem")["properties"].pop("status"), schema(d, "Problem").pop("required")),
        {"response-property-removed"},
    ),
    # parameters
    "new required parameter": (
        lambda d: things(d)["parameters"].append(
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        {"parameter-required-added"},
    ),
    "new required header": (
        lambda d: (
            thing(d, "delete")
            .setdefault("parameters", [])
            .append({"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}})
        ),
        {"parameter-required-added"},
    ),
    "parameter becomes required": (
        lambda d: things(d)["parameters"][0].update(required=True),
        {"parameter-became-required"},
    ),
    "parameter removed": (lambda d: things(d)["parameters"].pop(1), {"parameter-removed"}),
    "parameter enum value removed": (
        lambda d: things(d)["parameters"][1]["schema"]["enum"].remove("b"),
        {"request-enum-value-removed"},
    ),
    "parameter type changed": (
        lambda d: things(d)["parameters"][0]["schema"].update(type="string"),
        {"request-type-narrowed"},
    ),
    "parameter maximum lowered": (
        lambda d: things(d)["parameters"][0]["schema"].update(maximum=100),
        {"request-constraint-tightened"},
    ),
    "shared header parameter changes type (through $ref)": (
        lambda d: d["components"]["parameters"]["If-None-Match"]["schema"].update(type="integer"),
        {"request-type-narrowed"},
    ),
    # request bodies
    "new required request field": (
        lambda d: (
            schema(d, "ThingBody")["properties"].update(owner={"type": "string"}),
            schema(d, "ThingBody")["required"].append("owner"),
        ),
        {"request-property-required-added"},
    ),
    "request field becomes required": (
        lambda d: schema(d, "ThingBody")["required"].append("note"),
        {"request-property-became-required"},
    ),
    "request field removed": (lambda d: schema(d, "ThingBody")["properties"].pop("note"), {"request-property-removed"}),
    "request enum value removed": (
        lambda d: schema(d, "ThingBody")["properties"]["status"]["enum"].remove("retired"),
        {"request-enum-value-removed"},
    ),
    "request field no longer nullable": (
        lambda d: schema(d, "ThingBody")["properties"]["note"].update(type="string"),
        {"request-type-narrowed"},
    ),
    "request type changed (string to integer)": (
        lambda d: schema(d, "ThingBody")["properties"]["name"].update(type="integer"),
        {"request-type-narrowed"},
    ),
    "request maxLength lowered": (
        lambda d: schema(d, "ThingBody")["properties"]["name"].update(maxLength=50),
        {"request-constraint-tightened"},
    ),
    "request pattern added": (
        lambda d: schema(d, "ThingBody")["properties"]["name"].update(pattern="^[a-z]+$"),
        {"request-constraint-tightened"},
    ),
    "request body removed": (lambda d: things(d, "post").pop("requestBody"), {"request-body-removed"}),
    "request media type removed": (
        lambda d: things(d, "post")["requestBody"].update(content={"application/merge-patch+json": {}}),
        {"request-media-type-removed"},
    ),
    "new required request body": (
        lambda d: thing(d, "delete").update(requestBody={"required": True, "content": json_body({"type": "object"})}),
        {"request-body-required-added"},
    ),
    # security
    "anonymous read now needs a token": (
        lambda d: thing(d).update(security=[{"bearerAuth": ["read"]}]),
        {"security-tightened"},
    ),
    "write needs one scope more": (
        lambda d: things(d, "post").update(security=[{"bearerAuth": ["write", "admin"]}]),
        {"security-tightened"},
    ),
}


@pytest.mark.parametrize("change", BREAKING)
def test_a_breaking_change_is_found(change):
    mutate, expected = BREAKING[change]
    assert kinds(mutate) == expected


def test_request_closing_to_unknown_fields_is_found():
    found = kinds(before=lambda d: schema(d, "ThingBody").pop("additionalProperties"), after=lambda d: None)
    assert found == {"request-additional-properties-closed"}


def test_a_required_parameter_that_becomes_optional_passes():
    assert kinds(before=lambda d: things(d)["parameters"][0].update(required=True), after=lambda d: None) == set()


def test_a_request_body_that_becomes_required_is_found():
    found = kinds(before=lambda d: things(d, "post")["requestBody"].update(required=False), after=lambda d: None)
    assert found == {"request-body-became-required"}


ADDITIVE: dict[str, Callable[[dict], Any]] = {
    "new path": lambda d: d["paths"].update({"/widgets": {"get": {"responses": {"200": {"description": "OK"}}}}}),
    "new operation": lambda d: d["paths"]["/things/{thing_id}"].update(
        put={"responses": {"200": {"description": "OK"}}}
    ),
    "new optional parameter": lambda d: things(d)["parameters"].append(
        {"name": "q", "in": "query", "schema": {"type": "string"}}
    ),
    "new response field, even required, even with additionalProperties false": lambda d: (
        schema(d, "Thing")["properties"].update(summary={"type": "string"}),
        schema(d, "Thing")["required"].append("summary"),
    ),
    "new status code": lambda d: things(d, "post")["responses"].update({"409": ref("responses", "Problem")}),
    "new response header": lambda d: things(d)["responses"]["200"]["headers"].update(
        Link={"schema": {"type": "string"}}
    ),
    "new response media type": lambda d: thing(d)["responses"]["200"]["content"].update(
        {"text/csv": {"schema": {"type": "string"}}}
    ),
    "new optional request field": lambda d: schema(d, "ThingBody")["properties"].update(tags={"type": "array"}),
    "request field becomes optional": lambda d: schema(d, "ThingBody")["required"].remove("name"),
    "request enum value added": lambda d: schema(d, "ThingBody")["properties"]["status"]["enum"].append("archived"),
    "parameter enum value added": lambda d: things(d)["parameters"][1]["schema"]["enum"].append("c"),
    "request accepts null too": lambda d: schema(d, "ThingBody")["properties"]["name"].update(type=["string", "null"]),
    "request constraints loosened": lambda d: (
        things(d)["parameters"][0]["schema"].update(maximum=1000),
        schema(d, "ThingBody")["properties"]["name"].pop("maxLength"),
    ),
    "response never null any more": lambda d: schema(d, "Thing")["properties"]["note"].update(type="string"),
    "response anyOf null branch dropped": lambda d: schema(d, "Thing")["properties"].update(
        parent=ref("schemas", "Thing")
    ),
    "response number narrowed to integer": lambda d: schema(d, "Problem")["properties"]["status"].update(
        type="integer", minimum=100
    ),
    "path parameter renamed": lambda d: d["paths"].update(
        {
            "/things/{id}": {
                **d["paths"].pop("/things/{thing_id}"),
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            }
        }
    ),
    "security loosened": lambda d: things(d, "post").update(security=[{}, {"bearerAuth": []}]),
    "descriptions, examples, ids and versions": lambda d: (
        d["info"].update(version="1.1.0", description="More words."),
        things(d).update(operationId="listAllThings", summary="List"),
        schema(d, "Thing")["properties"]["id"].update(description="The id.", example="t_1"),
    ),
}


@pytest.mark.parametrize("change", ADDITIVE)
def test_an_additive_change_passes(change):
    assert kinds(ADDITIVE[change]) == set()


# --- allow-list, errors and the command line -----------------------------------------------


def test_allow_list_patterns_and_reasons(tmp_path):
    finding = Finding(
        "GET /v1/changes 200 application/json body.items[].resource",
        "response-enum-value-added",
        'enum value "statements"',
    )
    allowed = tmp_path / "allowed.txt"
    allowed.write_text("# comment\n\nresponse-enum-value-added GET /v1/changes * # announced in 1.3.0\n")
    assert is_allowed(finding, load_allowed(allowed))
    assert not is_allowed(finding, ["response-enum-value-added GET /v1/relations *"])
    allowed.write_text("response-enum-value-added *\n")
    with pytest.raises(ContractFormatError, match="reason"):
        load_allowed(allowed)


def test_external_and_dangling_refs_are_refused():
    external = copy.deepcopy(BASE)
    things(external)["responses"]["200"]["content"]["application/json"]["schema"] = {"$ref": "other.yaml#/Thing"}
    with pytest.raises(ContractFormatError, match="local"):
        breaking_changes(BASE, external)
    dangling = copy.deepcopy(BASE)
    del dangling["components"]["schemas"]["ThingPage"]
    with pytest.raises(ContractFormatError, match="dangling"):
        breaking_changes(BASE, dangling)


def test_command_line_exit_codes(tmp_path, capsys):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(yaml.safe_dump(BASE))
    new.write_text(yaml.safe_dump(BASE))
    assert main([str(old), str(new)]) == 0
    broken = copy.deepcopy(BASE)
    del broken["paths"]["/things/{thing_id}"]
    new.write_text(yaml.safe_dump(broken))
    assert main([str(old), str(new)]) == 1
    assert "BREAKING  path-removed /things/{thing_id}" in capsys.readouterr().out
    allowed = tmp_path / "allowed.txt"
    allowed.write_text("path-removed /things/{thing_id}: * # gone in a test\n")
    assert main([str(old), str(new), "--allowed", str(allowed)]) == 0
    new.write_text("not: openapi\n")
    assert main([str(old), str(new)]) == 2


# --- the checker on the real contract ------------------------------------------------------


@pytest.fixture(scope="module")
def baseline() -> dict:
    return load(V1_BASELINE)


def relations_get(document: dict) -> dict:
    return document["paths"]["/v1/governments/{government_id}/relations"]["get"]


REAL_BREAKS: dict[str, tuple[Callable[[dict], Any], set[str]]] = {
    "a relation loses its sources": (
        lambda d: (
            schema(d, "Relation")["properties"].pop("sources"),
            schema(d, "Relation")["required"].remove("sources"),
        ),
        {"response-property-removed"},
    ),
    "a new relation category": (
        lambda d: schema(d, "Relation")["properties"]["category"]["enum"].append("partial"),
        {"response-enum-value-added"},
    ),
    "the recognition in force loses a field (inside anyOf with null)": (
        lambda d: schema(d, "Recognition")["required"].remove("country"),
        {"response-property-became-optional"},
    ),
    "relations without CSV": (
        lambda d: relations_get(d)["responses"]["200"]["content"].pop("text/csv"),
        {"response-media-type-removed"},
    ),
    "limit required": (
        lambda d: next(p for p in things_real(d) if p.get("name") == "limit").update(required=True),
        {"parameter-became-required"},
    ),
    "the change feed removed": (lambda d: d["paths"].pop("/v1/changes"), {"path-removed"}),
}


def things_real(document: dict) -> list[dict]:
    return document["paths"]["/v1/governments"]["get"]["parameters"]


@pytest.mark.parametrize("change", REAL_BREAKS)
def test_breaks_of_the_real_contract_are_found(baseline, change):
    mutate, expected = REAL_BREAKS[change]
    new = copy.deepcopy(baseline)
    mutate(new)
    assert {finding.kind for finding in breaking_changes(baseline, new)} == expected
