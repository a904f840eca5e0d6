"""Contract tests: schemathesis drives the app in-process from the committed openapi.yaml.

Every GET operation is exercised with generated parameters, valid and invalid, on
both engines against the seeded database; each answer must match the contract: no
server error, a documented status code, content type, headers and body schema.

(schemathesis's own pytest plugin does not run under pytest 9, so the operations are
parametrized here and each one runs a hypothesis test built from its strategy.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.constants import CONTRACT

SCHEMA = schemathesis.openapi.from_path(CONTRACT)
GET_OPERATIONS = [result.ok() for result in SCHEMA.include(method="GET").get_all_operations()]
GET_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(__import__("os").environ.get("CONTRACT_EXAMPLES", "25"))


def test_every_get_operation_is_covered():
    labels = {operation.label for operation in GET_OPERATIONS}
    assert len(labels) >= 19
    assert "GET /v1/governments/{government_id}/relations" in labels


def takes_query(operation) -> bool:
    return any(parameter.location == "query" for parameter in operation.iter_parameters())


# Invalid input can only be generated where there is a constrained parameter to break:
# the query strings (a path segment is any string).
CASES = [(operation, GenerationMode.POSITIVE) for operation in GET_OPERATIONS] + [
    (operation, GenerationMode.NEGATIVE) for operation in GET_OPERATIONS if takes_query(operation)
]


@pytest.mark.parametrize(("operation", "mode"), CASES, ids=lambda value: getattr(value, "label", None) or value.value)
def test_get_operation_honours_the_contract(app, seeded, operation, mode):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case):
        case.call_and_validate(app=app, checks=GET_CHECKS)

    exercise()
