"""The spec's own examples: one that breaks its schema is a finding about the spec (reported as a warning),
never a value the tests or the mock send; every value they do send satisfies its schema."""

from __future__ import annotations

import warnings

import pytest

from enterprise3d_devkit.spec.instances import example_findings, is_valid, request_instance, response_instance
from enterprise3d_devkit.spec.operations import Operation
from tests.support.spec_cases import OPERATIONS, SPEC, op_id


class SpecFinding(UserWarning):
    """Something wrong in the vendor's spec that the client copes with (shown in pytest's warnings summary)."""


def test_examples_that_break_their_schema_are_reported() -> None:
    for finding in example_findings(SPEC):
        warnings.warn(SpecFinding(finding), stacklevel=1)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_every_value_built_for_an_operation_satisfies_its_schema(op: Operation) -> None:
    if op.request_schema is not None:
        assert is_valid(request_instance(op), op.request_schema, op.openapi_version)
    for status, documented in op.responses.items():
        if documented.schema is not None:
            assert is_valid(response_instance(op, status), documented.schema, op.openapi_version), status
