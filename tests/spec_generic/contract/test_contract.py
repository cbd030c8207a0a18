"""The generated client against openapi.yaml, operation by operation and status by status.

Everything is enumerated from the spec at collection time: a new operation or status in openapi.yaml
is a new set of test cases, and an operation without a generated module is a failing one.
"""

from __future__ import annotations

import json
import pkgutil
from typing import Any

import httpx
import pytest
from hypothesis import given

import modelslab_enterprise_3d.api
from enterprise3d_devkit.repo.layout import PACKAGE
from enterprise3d_devkit.spec.instances import response_instance, to_json_schema
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import errors
from tests.support.contract_checks import (
    DETAILED,
    VARIANTS,
    Recorder,
    call,
    call_kwargs,
    check_parsed,
    check_request,
    check_response_body,
    check_secret_only_in_body,
    module_for,
    same_data,
    to_plain,
    variants_for,
)
from tests.support.spec_cases import OPERATIONS, SPEC, WITH_BODY, case_id, case_ids, op_id
from tests.support.strategies import schema_shaped
from tests.support.vendor import undocumented_statuses

# Statuses the vendor's API returns that its spec does not document (tests/fixtures/vendor/vendor-facts.md).
UNDOCUMENTED = [(op, s) for op in OPERATIONS for s in undocumented_statuses() if s not in op.responses]


def test_the_spec_has_operations() -> None:
    assert OPERATIONS, "openapi.yaml defines no operations"


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_every_operation_has_a_generated_module(op: Operation) -> None:
    module = module_for(op)
    for variant in VARIANTS:
        expected = variant in variants_for(op)
        assert callable(getattr(module, variant, None)) == expected, f"{op.module}.{variant}() exists: {not expected}"


def test_every_generated_module_is_an_operation_of_the_spec() -> None:
    expected = {op.module for op in OPERATIONS}
    generated = {
        name
        for _, name, is_package in pkgutil.walk_packages(modelslab_enterprise_3d.api.__path__, prefix=f"{PACKAGE}.api.")
        if not is_package
    }
    assert generated == expected


# --- 1. request contract ----------------------------------------------------------------------------


CALLS = [(op, variant) for op in OPERATIONS for variant in variants_for(op)]


@pytest.mark.parametrize(("op", "variant"), CALLS, ids=case_ids(CALLS))
def test_request_matches_the_spec(op: Operation, variant: str) -> None:
    module = module_for(op)
    kwargs, secrets = call_kwargs(op, module)
    recorder = Recorder(SPEC)
    call(variant, module, recorder.client(), kwargs)
    (request,) = recorder.requests
    check_request(SPEC, op, request)
    if secrets:  # the body's free-form strings travel in the body, and only there
        check_secret_only_in_body(request, secrets)


# --- 2. response contract ---------------------------------------------------------------------------


def _answer(status: int, body: Any, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers={"content-type": content_type})


@pytest.mark.parametrize(("op", "status"), WITH_BODY, ids=case_ids(WITH_BODY))
def test_a_valid_body_parses_into_the_declared_model(op: Operation, status: int) -> None:
    body = response_instance(op, status)
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    for variant in ("sync_detailed", "asyncio_detailed"):
        recorder = Recorder(SPEC, lambda request: _answer(status, body))
        response = call(variant, module, recorder.client(), kwargs)
        assert response.status_code == status
        check_parsed(op, status, response.parsed)
        assert same_data(to_plain(response.parsed)) == same_data(body)
        check_response_body(SPEC, op, recorder.requests[0], status, to_plain(response.parsed))
    for variant in ("sync", "asyncio"):
        recorder = Recorder(SPEC, lambda request: _answer(status, body))
        check_parsed(op, status, call(variant, module, recorder.client(), kwargs))


@pytest.mark.parametrize(("op", "status"), WITH_BODY, ids=case_ids(WITH_BODY))
def test_schema_instances_parse_and_round_trip(op: Operation, status: int) -> None:
    """Bodies drawn from the schema (unknown fields included) parse into the declared model and come back the same."""
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    bodies: list[Any] = []
    recorder = Recorder(SPEC, lambda request: _answer(status, bodies[-1]))

    with recorder.client() as client:  # one client for every example: building one costs more than the check

        @given(instance=schema_shaped(to_json_schema(op.responses[status].schema, op.openapi_version)))
        def round_trip(instance: Any) -> None:
            bodies.append(instance)
            response = module.sync_detailed(client=client, **kwargs)
            check_parsed(op, status, response.parsed)
            round_tripped = to_plain(response.parsed)
            assert same_data(round_tripped) == same_data(instance)  # unknown extra properties included
            check_response_body(SPEC, op, recorder.requests[-1], status, round_tripped)

        round_trip()
    assert bodies, "hypothesis drew no body"


# --- 3. statuses the spec does not document -----------------------------------------------------------


@pytest.mark.parametrize(("op", "status"), UNDOCUMENTED, ids=case_ids(UNDOCUMENTED))
def test_undocumented_status_raises_when_asked_to(op: Operation, status: int) -> None:
    body = {"status": "error", "message": f"vendor says {status}"}
    raw = json.dumps(body).encode()
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    for variant in variants_for(op):
        recorder = Recorder(SPEC, lambda request: _answer(status, body))
        with pytest.raises(errors.UnexpectedStatus) as caught:
            call(variant, module, recorder.client(raise_on_unexpected_status=True), kwargs)
        assert caught.value.status_code == status
        assert caught.value.content == raw

    for variant in ("sync_detailed", "asyncio_detailed"):
        recorder = Recorder(SPEC, lambda request: _answer(status, body))
        response = call(variant, module, recorder.client(), kwargs)
        assert response.parsed is None
        assert response.status_code == status
        assert response.content == raw
    for variant in set(variants_for(op)) - set(DETAILED):
        recorder = Recorder(SPEC, lambda request: _answer(status, body))
        assert call(variant, module, recorder.client(), kwargs) is None


# --- 4. every enum value of a documented body parses (a 200 with "status": "error" among them) -------


def _enum_cases() -> list[tuple[Operation, int, str, Any]]:
    cases: list[tuple[Operation, int, str, Any]] = []
    for op, status in WITH_BODY:
        schema = op.responses[status].schema or {}
        for name, prop in (schema.get("properties") or {}).items():
            cases.extend((op, status, name, value) for value in prop.get("enum", []))
    return cases


ENUM_CASES = _enum_cases()


@pytest.mark.parametrize(
    ("op", "status", "field", "value"),
    ENUM_CASES,
    ids=[f"{case_id(c[:2])}-{c[2]}={c[3]}" for c in ENUM_CASES],
)
def test_every_documented_enum_value_parses(op: Operation, status: int, field: str, value: Any) -> None:
    schema = op.responses[status].schema
    assert schema is not None
    body = {**response_instance(op, status), field: value}
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    recorder = Recorder(SPEC, lambda request: _answer(status, body))
    parsed = call("sync", module, recorder.client(), kwargs)
    check_parsed(op, status, parsed)
    assert to_plain(parsed)[field] == value
