"""End to end, over real loopback HTTP: the generated client against the embedded mock server.

The mock runs as a child process (python -m scripts.mock_server --port 0), exactly as `make mock`
and `make demo` run it, and is stopped by the fixture.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from modelslab_enterprise_3d import Client
from scripts.mock_server import running_mock_server
from scripts.openapi_spec import REPO, Operation, load_spec, operations, with_server
from tests.contract.checks import call_kwargs, check_parsed, check_response_body, module_for

SPEC = load_spec()
OPERATIONS = operations(SPEC)
DOCUMENTED = [(op, status) for op in OPERATIONS for status in sorted(op.responses)]


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running_mock_server(port=0) as url:
        yield url


def case_id(case: tuple[Operation, int]) -> str:
    return f"{case[0].label.replace(' ', '')}-{case[1]}"


@pytest.mark.parametrize(("op", "status"), DOCUMENTED, ids=[case_id(c) for c in DOCUMENTED])
def test_every_documented_status_sync_and_async(mock_url: str, op: Operation, status: int) -> None:
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    client = Client(base_url=mock_url, headers={"Prefer": f"code={status}"})
    with client:
        response = module.sync_detailed(client=client, **kwargs)
        assert response.status_code == status
        check_parsed(op, status, response.parsed)
        check_parsed(op, status, module.sync(client=client, **kwargs))

    async def run() -> tuple[Any, Any]:
        async with Client(base_url=mock_url, headers={"Prefer": f"code={status}"}) as async_client:
            detailed = await module.asyncio_detailed(client=async_client, **kwargs)
            parsed = await module.asyncio(client=async_client, **kwargs)
            return detailed, parsed

    detailed, parsed = asyncio.run(run())
    assert detailed.status_code == status
    check_parsed(op, status, detailed.parsed)
    check_parsed(op, status, parsed)


@pytest.mark.parametrize(("op", "status"), DOCUMENTED, ids=[case_id(c) for c in DOCUMENTED])
def test_mock_answers_are_valid_against_the_spec(mock_url: str, op: Operation, status: int) -> None:
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    captured: list[httpx.Request] = []
    hooks = {"request": [lambda request: captured.append(request)]}
    with Client(base_url=mock_url, headers={"Prefer": f"code={status}"}, httpx_args={"event_hooks": hooks}) as client:
        response = module.sync_detailed(client=client, **kwargs)
    check_response_body(with_server(SPEC, mock_url), captured[0], status, json.loads(response.content))


def test_200_concurrent_async_calls_through_one_client(mock_url: str) -> None:
    op = OPERATIONS[0]
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)

    async def run() -> list[Any]:
        async with Client(base_url=mock_url) as client:
            return await asyncio.gather(*(module.asyncio_detailed(client=client, **kwargs) for _ in range(200)))

    responses = asyncio.run(run())
    assert len(responses) == 200
    assert all(r.status_code == op.default_status() for r in responses)
    for response in responses:
        check_parsed(op, op.default_status(), response.parsed)


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.request_schema], ids=lambda op: op.label)
def test_invalid_request_gets_a_400_error_response_naming_the_violation(mock_url: str, op: Operation) -> None:
    url = mock_url + op.path
    spec = with_server(SPEC, mock_url)
    required = (op.request_schema or {}).get("required", [])
    assert required, "this test needs a required request field"
    with httpx.Client() as http:
        for body in ({}, {name: 12345 for name in required}, "not an object"):
            request = http.build_request(op.method.upper(), url, json=body)
            response = http.send(request)
            assert response.status_code == 400, response.text
            error = response.json()
            assert error["status"] == "error"
            assert required[0] in error["message"] or "object" in error["message"]
            if 400 in op.responses:
                check_response_body(spec, request, 400, error)


def test_prefer_picks_an_undocumented_status_and_unknown_routes_are_errors(mock_url: str) -> None:
    op = OPERATIONS[0]
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    with Client(base_url=mock_url, headers={"Prefer": "code=429"}) as client:
        response = module.sync_detailed(client=client, **kwargs)
    assert response.status_code == 429 and response.parsed is None
    assert json.loads(response.content)["status"] == "error"
    with httpx.Client() as http:
        assert http.post(mock_url + "/no_such_operation", json={}).status_code == 404
        wrong_method = "GET" if op.method != "get" else "DELETE"
        assert http.request(wrong_method, mock_url + op.path).status_code == 405


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_mock_cli_binds_loopback_prints_its_url_and_stops_cleanly(stop: signal.Signals) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "scripts.mock_server", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert httpx.post(url + OPERATIONS[0].path, json={}).status_code == 400
        child.send_signal(stop)
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + OPERATIONS[0].path, json={})


def test_the_mock_is_stopped_even_when_the_code_using_it_fails() -> None:
    with pytest.raises(RuntimeError, match="the demo failed"), running_mock_server(port=0) as url:
        assert httpx.post(url + OPERATIONS[0].path, json={}).status_code == 400
        raise RuntimeError("the demo failed")
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + OPERATIONS[0].path, json={})
