"""The committed OpenAPI contract: current, valid, complete, served as is; and /docs offline."""

from __future__ import annotations

import difflib
import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from openapi_spec_validator import validate

from service import create_app
from service.cli import cli
from service.openapi.document import CONTRACT_FILE, generate_yaml, load_yaml
from service.schemas.sources import SourceBody
from tests.support.constants import PROBLEM

METHODS = ("get", "post", "put", "patch", "delete")
CONTRACT_ROUTES = {"/v1/openapi.yaml", "/v1/openapi.json", "/docs", "/docs/assets/<version>/<path:filename>"}


@pytest.fixture(scope="module")
def generated(app) -> str:
    """What openapi.yaml must hold for the code as it is now."""
    return generate_yaml(app, create_app)


@pytest.fixture(scope="module")
def document(generated) -> dict:
    return load_yaml(generated)


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item, item[method]


def resolve(document, node):
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = document["components"][section][name]
    return node


# --- the committed file -------------------------------------------------------------------


def test_committed_contract_is_what_the_code_generates(generated):
    committed = CONTRACT_FILE.read_text(encoding="utf-8") if CONTRACT_FILE.exists() else ""
    if committed != generated:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    "openapi.yaml (committed)",
                    "openapi.yaml (generated)",
                    n=2,
                )
            )[:60]
        )
        pytest.fail(f"openapi.yaml is stale: run `make openapi` and commit it.\n{diff}", pytrace=False)


def test_generation_is_byte_stable(app, generated):
    assert generate_yaml(app, create_app) == generated


def test_cli_writes_the_contract(app, tmp_path, generated):
    target = tmp_path / "openapi.yaml"
    result = app.test_cli_runner().invoke(cli, args=["openapi", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == generated.encode("utf-8")


def test_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == "1.1.0"
    assert document["info"]["description"].strip()


# --- what the document says -------------------------------------------------------------


def test_every_api_route_is_documented_and_nothing_else(app, document):
    routes = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        # The pages for people (service.views.pages) are HTML, not part of the API contract.
        if rule.endpoint != "static" and rule.rule not in CONTRACT_ROUTES and not rule.endpoint.startswith("pages.")
        for method in rule.methods
        if method.lower() in METHODS
    }
    documented = {(path, method) for path, method, _, _ in operations(document)}
    assert documented == routes


def test_every_operation_has_an_id_a_summary_and_a_description(document):
    ids = []
    for path, method, _, operation in operations(document):
        assert re.fullmatch(r"[a-z][A-Za-z0-9]*", operation.get("operationId", "")), (method, path)
        assert operation.get("summary", "").strip(), (method, path)
        assert operation.get("description", "").strip(), (method, path)
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))
    assert document["paths"]["/v1/governments"]["get"]["operationId"] == "listGovernments"


def test_every_error_is_documented_as_problem_json(document):
    for path, method, _, operation in operations(document):
        responses = operation["responses"]
        assert "500" in responses and "default" in responses, (method, path)
        for code, response in responses.items():
            if code == "default" or code[0] in "45":
                content = resolve(document, response)["content"]
                assert list(content) == [PROBLEM], (method, path, code)
                schema = content[PROBLEM]["schema"]["$ref"].split("/")[-1]
                assert schema == ("ValidationProblem" if code == "422" else "Problem"), (method, path, code)
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "request_id", "errors"} <= problem["properties"].keys()
    assert "errors" in document["components"]["schemas"]["ValidationProblem"]["required"]
    assert "Error" not in document["components"]["schemas"]
    assert "DEFAULT_ERROR" not in document["components"]["responses"]


def test_gets_document_caching_negotiation_and_their_errors(document):
    for path, method, item, operation in operations(document):
        if method != "get":
            continue
        responses = operation["responses"]
        query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        path_parameters = [p for p in item.get("parameters", []) if p.get("in") == "path"]
        where = (method, path)
        assert {"200", "304", "400", "406", "431", "500"} <= responses.keys(), where
        assert ("422" in responses) == bool(query), where
        assert ("404" in responses) == bool(path_parameters), where
        not_modified = resolve(document, responses["304"])
        assert "content" not in not_modified and {"ETag", "Cache-Control"} <= not_modified["headers"].keys()
        success = responses["200"]
        assert {"ETag", "Cache-Control", "X-Request-ID"} <= success["headers"].keys(), where
        if "cursor" in query:  # a collection
            assert {"Vary", "Link"} <= success["headers"].keys(), where
            assert resolve(document, success["headers"]["Link"])["required"] is False
        if "format" in query:
            # JSON first (the default), CSV; the relations answer also draws itself as SVG.
            assert list(success["content"])[0] == "application/json", where
            assert set(success["content"]) - {"application/json", "image/svg+xml"} == {"text/csv"}, where
            assert success["content"]["text/csv"]["schema"]["type"] == "string"
    readiness = document["paths"]["/readyz"]["get"]["responses"]["503"]
    assert list(readiness["content"]) == [PROBLEM]


def test_relations_example_is_the_seed_case(document):
    example = document["paths"]["/v1/governments/{government_id}/relations"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]["seed-case"]["value"]
    assert example["as_of"] == "2025-07-04"
    categories = {row["country"]: row["category"] for row in example["items"]}
    assert categories == {
        "RU": "recognized",
        "AE": "ambassadors_exchanged",
        "CN": "ambassadors_exchanged",
        "QA": "limited_relations",
    }


def test_relations_example_is_what_the_service_answers(client, seeded, document):
    example = document["paths"]["/v1/governments/{government_id}/relations"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]["seed-case"]["value"]
    response = client.get("/v1/governments/af-islamic-emirate/relations?as_of=2025-07-04")
    assert response.status_code == 200
    assert response.json == example


def test_relation_basis_has_an_example_the_service_would_give(client, seeded, document):
    schemas = document["components"]["schemas"]
    basis = schemas["Basis"]
    for name in ("Relation", "SingleRelation"):
        example = schemas[name]["properties"]["basis"]["example"]
        assert example, name
        for item in example:
            assert set(item) == set(basis["properties"]) == set(basis["required"])
            for field, value in item.items():
                assert value in basis["properties"][field].get("enum", [value])
    # The seed's Russia on the example's day, as the row's other examples describe it.
    russia = client.get("/v1/governments/af-islamic-emirate/relations/RU?as_of=2025-07-04").json
    assert russia["basis"] == schemas["Relation"]["properties"]["basis"]["example"]


# --- serving ----------------------------------------------------------------------------


def test_yaml_route_serves_the_committed_bytes(client):
    response = client.get("/v1/openapi.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.data == CONTRACT_FILE.read_bytes()
    assert response.headers["ETag"] and response.headers["Cache-Control"]
    again = client.get("/v1/openapi.yaml", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_json_route_serves_the_same_document(client):
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["ETag"] and response.headers["Cache-Control"]
    assert json.loads(response.data) == load_yaml(CONTRACT_FILE.read_bytes())


def test_flask_smorest_serves_no_spec_of_its_own(app, client):
    assert not [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api-docs")]
    assert client.get("/openapi.json").status_code == 404


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_docs_page_works_offline(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert '"url": "/v1/openapi.json"' in html
    parser = _Links()
    parser.feed(html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in parser.urls)
    assert any(url.endswith("swagger-ui.css") for url in parser.urls)
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.data, url
        asset.close()


def test_unknown_docs_asset_is_a_404_problem(client):
    response = client.get("/docs/assets/0.0.0/swagger-ui.css")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


# --- what the contract claims of a request field, the service enforces ------------------------

URLISH = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A[A-Za-z+.-]{0,8}:{0,2}/{0,3}[^\s/]{0,20}(/\S{0,20})?\Z"),
    st.sampled_from(["HTTP://EXAMPLE.ORG/", "https://example.org/é", "http://[::1]/", "http://example.org/<x>"]),
)


@settings(max_examples=400, deadline=None)
@given(url=URLISH)
def test_source_url_pattern_documents_what_the_service_refuses(url):
    """The contract's pattern for a source's url (v1-allowed.txt) claims nothing the
    service did not already enforce: any url the body schema takes matches it."""
    pattern = load_yaml(CONTRACT_FILE.read_bytes())["components"]["schemas"]["SourceBody"]["properties"]["url"][
        "pattern"
    ]
    try:
        SourceBody(partial=True).load({"url": url})
    except ValidationError:
        return
    assert re.search(pattern, url), url


@pytest.mark.parametrize("url", ["ftp://example.org/a", "example.org/a", "//example.org/a", "javascript:alert(1)"])
def test_a_url_without_http_is_refused_with_422(client, editor, url):
    body = {"publisher": "Reuters", "title": "A test report", "kind": "news", "url": url}
    response = client.post("/v1/sources", json=body, headers=editor)
    assert response.status_code == 422 and "url" in response.json["errors"]
