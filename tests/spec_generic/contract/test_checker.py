"""The checker checks: each contract check, fed a deliberately mismatched spec/client pair, reports it.

A contract suite that cannot fail is worthless; these tests are what shows ours can.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

import modelslab_enterprise_3d.models as models
from enterprise3d_devkit.spec.instances import example_path, response_instance
from enterprise3d_devkit.spec.loading import walk
from enterprise3d_devkit.spec.operations import Operation, operations, server_base_url
from tests.support.contract_checks import (
    SENTINEL,
    ContractViolation,
    Recorder,
    call,
    call_kwargs,
    check_parsed,
    check_request,
    check_response_body,
    check_secret_only_in_body,
    module_for,
)
from tests.support.spec_cases import OPERATIONS, SPEC, WITH_MODEL, case_id, case_ids, op_id


def captured_request(op: Operation) -> httpx.Request:
    recorder = Recorder(SPEC)
    module = module_for(op)
    call("sync_detailed", module, recorder.client(), call_kwargs(op, module)[0])
    return recorder.requests[0]


TARGET = "contractCheckerTargetOperation"


def mutated(op: Operation, change: Any) -> tuple[dict[str, Any], Operation]:
    """A spec copy changed by `change(spec, path_item, operation)`, and the operation as it now reads."""
    spec = copy.deepcopy(SPEC)
    path_item = spec["paths"][op.path]
    # Found again by a unique operationId: the vendor's operations may have none, or share one.
    path_item[op.method]["operationId"] = TARGET
    change(spec, path_item, path_item[op.method])
    (changed,) = [o for o in operations(spec) if o.operation_id == TARGET]
    return spec, changed


def rename_path(spec: dict[str, Any], item: Any, operation: Any) -> None:
    for path, value in list(spec["paths"].items()):
        if value is item:
            spec["paths"][path + "_v2"] = spec["paths"].pop(path)


def other_method(spec: dict[str, Any], item: Any, operation: Any) -> None:
    method = next(m for m, value in item.items() if value is operation)
    unused = next(m for m in ("put", "patch", "delete", "post", "get") if m not in item)
    item[unused] = item.pop(method)


def _request_content(spec: dict[str, Any], operation: Any) -> dict[str, Any]:
    """The operation's requestBody content, following a $ref to components/requestBodies."""
    body = operation["requestBody"]
    body = walk(spec, body["$ref"]) if "$ref" in body else body
    content: dict[str, Any] = body["content"]
    return content


def require_extra_field(spec: dict[str, Any], item: Any, operation: Any) -> None:
    content = _request_content(spec, operation)
    schema = next(iter(content.values()))["schema"]
    while "$ref" in schema:
        schema = walk(spec, schema["$ref"])
    schema.setdefault("properties", {})["workspace_id"] = {"type": "string"}
    schema.setdefault("required", []).append("workspace_id")


def other_content_type(spec: dict[str, Any], item: Any, operation: Any) -> None:
    content = _request_content(spec, operation)
    content["application/x-www-form-urlencoded"] = content.pop(next(iter(content)))


WITH_REQUEST_BODY = [op for op in OPERATIONS if op.request_schema is not None]
DISAGREEMENTS = [
    *[(op, "path", rename_path, "path") for op in OPERATIONS],
    *[(op, "method", other_method, "method") for op in OPERATIONS],
    *[(op, "required-field", require_extra_field, "workspace_id") for op in WITH_REQUEST_BODY],
]


@pytest.mark.parametrize(
    ("op", "kind", "change", "words"), DISAGREEMENTS, ids=[case_id((op, kind)) for op, kind, _, _ in DISAGREEMENTS]
)
def test_check_request_reports_a_spec_that_disagrees(op: Operation, kind: str, change: Any, words: str) -> None:
    request = captured_request(op)
    check_request(SPEC, op, request)  # the real pair agrees
    spec, changed = mutated(op, change)
    with pytest.raises(ContractViolation, match=words):
        check_request(spec, changed, request)


@pytest.mark.parametrize("op", WITH_REQUEST_BODY, ids=op_id)
def test_check_request_reports_a_content_type_the_spec_does_not_have(op: Operation) -> None:
    spec, changed = mutated(op, other_content_type)
    with pytest.raises(ContractViolation, match="Content-Type"):
        check_request(spec, changed, captured_request(op))


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_check_request_reports_hand_made_wrong_requests(op: Operation) -> None:
    good = captured_request(op)
    url = server_base_url(SPEC) + example_path(op)
    wrong = {
        "method": httpx.Request("DELETE" if op.method != "delete" else "GET", url, content=good.content),
        "path": httpx.Request(op.method.upper(), url + "/extra", headers=good.headers, content=good.content),
    }
    if op.request_schema is not None:
        wrong["Content-Type"] = httpx.Request(
            op.method.upper(), url, headers={"content-type": "text/plain"}, content=good.content
        )
    if op.request_schema is not None and op.request_schema.get("required"):
        wrong["openapi-core"] = httpx.Request(op.method.upper(), url, json={})  # required body fields missing
    for words, request in wrong.items():
        with pytest.raises(ContractViolation, match=words):
            check_request(SPEC, op, request)


def test_check_secret_only_in_body_reports_a_leak() -> None:
    secret = f"{SENTINEL}-key"
    clean = httpx.Request("POST", "https://h/p", json={"key": secret})
    check_secret_only_in_body(clean, [secret])
    for leaky in (
        httpx.Request("POST", f"https://h/p?key={secret}", json={"key": secret}),
        httpx.Request("POST", "https://h/p", headers={"x-api-key": secret}, json={"key": secret}),
        httpx.Request("POST", "https://h/p", json={}),
    ):
        with pytest.raises(ContractViolation):
            check_secret_only_in_body(leaky, [secret])


@pytest.mark.parametrize(("op", "status"), WITH_MODEL, ids=case_ids(WITH_MODEL))
def test_check_parsed_reports_the_wrong_model(op: Operation, status: int) -> None:
    expected = op.responses[status].model
    assert expected is not None
    schema = op.responses[status].schema
    assert schema is not None
    right = getattr(models, expected).from_dict(response_instance(op, status))
    check_parsed(op, status, right)
    with pytest.raises(ContractViolation, match=expected):
        check_parsed(op, status, type("NotTheDeclaredModel", (), {})())
    with pytest.raises(ContractViolation):
        check_parsed(op, status, None)


@pytest.mark.parametrize(("op", "status"), WITH_MODEL, ids=case_ids(WITH_MODEL))
def test_check_response_body_reports_an_invalid_body(op: Operation, status: int) -> None:
    schema = op.responses[status].schema
    assert schema is not None
    request = captured_request(op)
    body = response_instance(op, status)
    check_response_body(SPEC, op, request, status, body)
    broken_bodies: list[Any] = [{k: v for k, v in body.items() if k != name} for name in schema.get("required", [])]
    if schema.get("type") == "object":
        broken_bodies.append([body])
    assert broken_bodies, "the schema offers no way to break a body: extend this test"
    for broken in broken_bodies:
        with pytest.raises(ContractViolation):
            check_response_body(SPEC, op, request, status, broken)


def test_an_operation_without_a_generated_module_fails() -> None:
    spec = copy.deepcopy(SPEC)
    op = OPERATIONS[0]
    spec["paths"]["/contract_checker_not_generated"] = {
        op.method: {**copy.deepcopy(spec["paths"][op.path][op.method]), "operationId": TARGET, "parameters": []}
    }
    (new,) = [op for op in operations(spec) if op.operation_id == TARGET]
    with pytest.raises(ContractViolation, match="make generate"):
        module_for(new)
