"""The spec's own examples: one that breaks its schema is a finding about the spec (`make test-spec` and `make
test-corpus` list them in their report), never a value the tests or the mock send; every value they do send
satisfies its schema."""

from __future__ import annotations

import jsonpath
import pytest

from enterprise3d_devkit.spec.instances import example_findings, is_valid, request_instance, response_instance
from enterprise3d_devkit.spec.operations import Operation
from tests.support.spec_cases import OPERATIONS, SPEC, op_id


def test_each_finding_names_a_value_of_the_spec_that_breaks_its_schema() -> None:
    """A finding's JSONPath leads to the example in the spec, and that example is never what is sent."""
    sent = [request_instance(op) for op in OPERATIONS if op.request_schema is not None]
    for finding in example_findings(SPEC):
        where = finding.split(": ", 1)[0]
        found = jsonpath.findall(where, SPEC)
        assert found, f"{finding}: no such place in the spec"
        assert all(value not in sent or not isinstance(value, dict) for value in found), finding


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_every_value_built_for_an_operation_satisfies_its_schema(op: Operation) -> None:
    if op.request_schema is not None:
        assert is_valid(request_instance(op), op.request_schema, op.openapi_version)
    for status, documented in op.responses.items():
        if documented.schema is not None:
            assert is_valid(response_instance(op, status), documented.schema, op.openapi_version), status
