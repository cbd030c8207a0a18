"""Enterprise3D / AsyncEnterprise3D: a method per operation of the spec, with the spec's arguments, returning the
success model -- enumerated from the spec, against the mock (in-process: SpecMock behind an httpx.MockTransport)."""

from __future__ import annotations

import inspect
import json
import typing

import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.loading import object_schema
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import AsyncEnterprise3D, Enterprise3D, errors
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_FIELD
from tests.support.contract_checks import check_key_where_declared, check_request
from tests.support.high_level import (
    KEY,
    AnswerKeeper,
    call_method,
    call_method_async,
    fits,
    has_key_field,
    success_models,
    transport_client,
    union_members,
)
from tests.support.spec_cases import OPERATIONS, SPEC, op_id, plans

pytestmark = pytest.mark.mock_only


def test_the_clients_have_a_method_for_every_operation_and_no_other() -> None:
    """One method per operation; for each generating operation (the table's result column) <method>_and_wait, and
    a wait method for each operation that fetches results, as the operation plans name them; close, with_options,
    download and generate_many besides."""
    expected = plans().method_names()
    assert {method_name(op) for op in OPERATIONS} <= expected, "the plans name every operation's module"
    for cls in (Enterprise3D, AsyncEnterprise3D):
        public = {name for name, _ in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}
        assert public - {"close", "with_options", "download", "generate_many"} == expected, cls.__name__


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_signature_path_parameters_positional_body_fields_keyword_key_absent(op: Operation) -> None:
    path_params = [p["name"] for p in op.parameters if p.get("in") == "path"]
    body_fields = set(object_schema(op.request_schema or {}).get("properties") or {})
    for cls in (Enterprise3D, AsyncEnterprise3D):
        parameters = list(inspect.signature(getattr(cls, method_name(op))).parameters.values())[1:]
        positional = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert len(positional) == len(path_params), "every path parameter, and nothing else, is positional"
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters[len(positional) :])
        assert API_KEY_FIELD not in {p.name for p in parameters}, "the client supplies the key"
        if body_fields and "body" not in {p.name for p in parameters}:
            keyword = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY}
            assert len(keyword) >= len(body_fields - {API_KEY_FIELD}), "each body field is a keyword argument"


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_return_annotation_is_the_success_models_never_none_or_an_error_model(op: Operation) -> None:
    from modelslab_enterprise_3d import client as client_module

    for cls in (Enterprise3D, AsyncEnterprise3D):
        hints = typing.get_type_hints(getattr(cls, method_name(op)), vars(client_module) | vars_of_models())
        returned = set(union_members(hints["return"]))
        models = set(success_models(op))
        assert returned == (models or {type(None)}), hints["return"]


def vars_of_models() -> dict[str, object]:
    from modelslab_enterprise_3d import models

    return {name: getattr(models, name) for name in models.__all__}


def check_result(op: Operation, recorder: AnswerKeeper, outcome: object) -> None:
    (request,) = recorder.requests
    check_request(SPEC, op, request)
    check_key_where_declared(op, request, KEY, in_body=has_key_field(op))
    if has_key_field(op):
        assert json.loads(request.content)[API_KEY_FIELD] == KEY
    answered = json.loads(recorder.last_answer.content) if recorder.last_answer.content else None
    if isinstance(answered, dict) and answered.get("status") == "error":  # a valid body the mock may choose
        assert isinstance(outcome, errors.OperationFailedError)
        return
    models = success_models(op)
    assert fits(outcome, models) if models else outcome is None


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_each_method_succeeds_against_the_mock_sync(op: Operation) -> None:
    recorder = AnswerKeeper(SPEC)
    with transport_client(recorder.handle) as client:
        try:
            outcome: object = call_method(client, op)
        except errors.OperationFailedError as failed:
            outcome = failed
    check_result(op, recorder, outcome)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
async def test_each_method_succeeds_against_the_mock_async(op: Operation) -> None:
    recorder = AnswerKeeper(SPEC)
    async with transport_client(recorder.handle, asynchronous=True) as client:
        try:
            outcome: object = await call_method_async(client, op)
        except errors.OperationFailedError as failed:
            outcome = failed
    check_result(op, recorder, outcome)


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(function)
        for name, function in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") or name == "__init__"
    }


def test_the_async_client_has_the_sync_clients_methods_with_the_same_signatures() -> None:
    """Every method of Enterprise3D exists on AsyncEnterprise3D with the same parameters (names, kinds, defaults)
    and annotations, but for the httpx client class an argument takes."""
    sync, asynchronous = _public_methods(Enterprise3D), _public_methods(AsyncEnterprise3D)
    assert sync.keys() == asynchronous.keys()
    for name, signature in sync.items():
        other = asynchronous[name]
        assert list(signature.parameters) == list(other.parameters), name
        for parameter in signature.parameters.values():
            twin = other.parameters[parameter.name]
            assert (parameter.kind, parameter.default) == (twin.kind, twin.default), f"{name}({parameter.name})"
            annotation = str(parameter.annotation).replace("httpx.Client", "httpx.AsyncClient")
            annotation = annotation.replace("SyncClientSettings", "AsyncClientSettings")
            assert annotation == str(twin.annotation), f"{name}({parameter.name})"
        assert str(signature.return_annotation) == str(other.return_annotation), name
        awaited = name not in ("__init__", "with_options")
        assert inspect.iscoroutinefunction(getattr(AsyncEnterprise3D, name)) == awaited, name
