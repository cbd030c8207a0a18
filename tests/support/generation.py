"""The generating operations of the spec under test and what the tests need to run them: read from the reviewed
table's result column (codegen/operations.yaml) and the effective spec, never named by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from enterprise3d_devkit.generation.template_data import spec_results
from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.instances import valid_instance
from enterprise3d_devkit.spec.operation_table import load_table
from enterprise3d_devkit.spec.operations import Operation, server_base_path
from modelslab_enterprise_3d.core.vendor_facts import SUCCESS_STATUS
from modelslab_enterprise_3d.testing import SpecMock
from modelslab_enterprise_3d.testing.mock_jobs import variant
from tests.support.high_level import method_arguments, transport_client
from tests.support.spec_cases import OPERATIONS, SPEC

RESULTS = spec_results(SPEC, load_table())  # generating label -> the label of the operation fetching its result
BY_LABEL = {op.label: op for op in OPERATIONS}
GENERATING = [BY_LABEL[label] for label in RESULTS]
FAST_POLLS = (0.01, 0.05)  # the clients' poll bounds in these tests: a job of 0.1 s takes milliseconds to wait for


def fetching(op: Operation) -> Operation:
    return BY_LABEL[RESULTS[op.label]]


def is_fetch(op: Operation, request: httpx.Request) -> bool:
    """Whether `request` calls the operation that fetches `op`'s result."""
    served = fetching(op).served_regex(server_base_path(SPEC))
    return request.method == fetching(op).method.upper() and bool(served.match(request.url.path))


def answer_body(op: Operation, status: str, **facts: Any) -> dict[str, Any]:
    """The spec's instance of the fetching operation's 200 variant whose status can be `status` (the success one
    for a status the spec does not list), with `facts` laid over it."""
    schema = fetching(op).responses[200].schema
    chosen = variant(schema, status) or variant(schema, SUCCESS_STATUS)
    assert chosen is not None, f"{fetching(op).label} documents no {status!r} answer"
    body = valid_instance(chosen, fetching(op).openapi_version)
    return {**body, "status": status, **facts}


def json_answer(body: Any) -> httpx.Response:
    return httpx.Response(200, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def client_on(handler: Callable[[httpx.Request], httpx.Response], asynchronous: bool = False, **options: Any) -> Any:
    client = transport_client(handler, asynchronous, **options)
    client._poll_interval = FAST_POLLS
    return client


def and_wait(client: Any, op: Operation) -> Callable[..., Any]:
    """`client.<op>_and_wait` with the operation's arguments (built from the spec) bound."""
    return twin(client, op, "and_wait")


def and_save(client: Any, op: Operation) -> Callable[..., Any]:
    """`client.<op>_and_save` with the operation's arguments (built from the spec) bound."""
    return twin(client, op, "and_save")


def twin(client: Any, op: Operation, suffix: str) -> Callable[..., Any]:
    """`client.<op>_<suffix>` with the operation's arguments (built from the spec) bound."""
    method = getattr(client, f"{method_name(op)}_{suffix}")
    positional, kwargs = method_arguments(op, getattr(client, method_name(op)))

    def call(**options: Any) -> Any:
        return method(*positional, **kwargs, **options)

    return call


def mock(job_seconds: float = 0.1, **options: Any) -> SpecMock:
    return SpecMock(SPEC, job_seconds=job_seconds, **options)
