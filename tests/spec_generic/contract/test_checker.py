"""The checker checks: each contract check, fed a deliberately mismatched spec/client pair, reports it.

A contract suite that cannot fail is worthless; these tests are what shows ours can.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

import modelslab_enterprise_3d.models as models
from enterprise3d_devkit.instances import example_instance
from enterprise3d_devkit.operations import Operation, operations, server_base_url
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
from tests.support.spec_cases import OPERATIONS, SPEC, WITH_MODEL, case_ids, op_id


def captured_request(op: Operation) -> httpx.Request:
    recorder = Recorder(SPEC)
    module = module_for(op)
    call("sync_detailed", module, recorder.client(), call_kwargs(op, module)[0])
    return recorder.requests[0]


def mutated(op: Operation, change: Any) -> tuple[dict[str, Any], Operation]:
    """A spec copy changed by `change(spec, path_item, operation)`, and the operation as it now reads."""
    spec = copy.deepcopy(SPEC)
    path_item = spec["paths"][op.path]
    change(spec, path_item, path_item[op.method])
    (changed,) = [o for o in operations(spec) if o.operation_id == op.operation_id]
    return spec, changed


def rename_path(spec: dict[str, Any], item: Any, operation: Any) -> None:
    for path, value in list(spec["paths"].items()):
        if value is item:
            spec["paths"][path + "_v2"] = spec["paths"].pop(path)


def other_method(spec: dict[str, Any], item: Any, operation: Any) -> None:
    method = next(m for m in ("post", "put", "patch", "get") if m in item)
    item["put" if method != "put" else "patch"] = item.pop(method)


def require_extra_field(spec: dict[str, Any], item: Any, operation: Any) -> None:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    schema.setdefault("properties", {})["workspace_id"] = {"type": "string"}
    schema.setdefault("required", []).append("workspace_id")


def other_content_type(spec: dict[str, Any], item: Any, operation: Any) -> None:
    content = operation["requestBody"]["content"]
    content["application/x-www-form-urlencoded"] = content.pop("application/json")


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
@pytest.mark.parametrize(
    ("change", "words"),
    [(rename_path, "path"), (other_method, "method"), (require_extra_field, "workspace_id")],
    ids=["path", "method", "required-field"],
)
def test_check_request_reports_a_spec_that_disagrees(op: Operation, change: Any, words: str) -> None:
    request = captured_request(op)
    check_request(SPEC, op, request)  # the real pair agrees
    spec, changed = mutated(op, change)
    with pytest.raises(ContractViolation, match=words):
        check_request(spec, changed, request)


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.request_schema is not None], ids=op_id)
def test_check_request_reports_a_content_type_the_spec_does_not_have(op: Operation) -> None:
    spec, changed = mutated(op, other_content_type)
    with pytest.raises(ContractViolation, match="Content-Type"):
        check_request(spec, changed, captured_request(op))


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_check_request_reports_hand_made_wrong_requests(op: Operation) -> None:
    good = captured_request(op)
    url = server_base_url(SPEC) + op.path
    wrong = {
        "method": httpx.Request("DELETE" if op.method != "delete" else "GET", url, content=good.content),
        "path": httpx.Request(op.method.upper(), url + "/extra", headers=good.headers, content=good.content),
        "Content-Type": httpx.Request(
            op.method.upper(), url, headers={"content-type": "text/plain"}, content=good.content
        ),
        "openapi-core": httpx.Request(op.method.upper(), url, json={}),  # required body fields missing
    }
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
    right = getattr(models, expected).from_dict(example_instance(schema))
    check_parsed(op, status, right)
    others = [getattr(models, name) for name in models.__all__ if name != expected]
    wrong_model = next(cls for cls in others if hasattr(cls, "from_dict"))
    with pytest.raises(ContractViolation, match=expected):
        check_parsed(op, status, object.__new__(wrong_model))
    with pytest.raises(ContractViolation):
        check_parsed(op, status, None)


@pytest.mark.parametrize(("op", "status"), WITH_MODEL, ids=case_ids(WITH_MODEL))
def test_check_response_body_reports_an_invalid_body(op: Operation, status: int) -> None:
    schema = op.responses[status].schema
    assert schema is not None
    request = captured_request(op)
    body = example_instance(schema)
    check_response_body(SPEC, request, status, body)
    for name in schema.get("required", []):
        broken = {k: v for k, v in body.items() if k != name}
        with pytest.raises(ContractViolation):
            check_response_body(SPEC, request, status, broken)


def test_an_operation_without_a_generated_module_fails() -> None:
    spec = copy.deepcopy(SPEC)
    first = next(iter(spec["paths"].values()))
    spec["paths"]["/restart_server"] = {
        method: {**copy.deepcopy(operation), "operationId": "restartServer"} for method, operation in first.items()
    }
    (new,) = [op for op in operations(spec) if op.operation_id == "restartServer"]
    with pytest.raises(ContractViolation, match="make generate"):
        module_for(new)
