"""The package's mock server (`modelslab-3d mock`, the testing extra), over real loopback HTTP.

It runs as a child process (python -m modelslab_enterprise_3d mock --port 0), exactly as `make mock`, `make demo` and
the package's pytest plugin run it: the session's `api_base_url` mock, or one a test starts and stops itself.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.repo.layout import PACKAGE, REPO
from enterprise3d_devkit.spec.instances import example_path, is_valid, request_instance
from enterprise3d_devkit.spec.openapi_core_adapters import with_server
from enterprise3d_devkit.spec.operations import Operation, operations
from modelslab_enterprise_3d.core.answers import message_of
from modelslab_enterprise_3d.testing import running_mock
from tests.support.contract_checks import (
    SCHEME_KEY,
    call_kwargs,
    check_refusal_body,
    check_response_body,
    key_headers,
    key_params,
    keyed_client,
    module_for,
)
from tests.support.spec_cases import DOCUMENTED, OPERATIONS, SPEC, WRONG_TYPE, case_ids, op_id
from tests.support.spec_variants import grown_spec

pytestmark = pytest.mark.mock_only


@pytest.mark.parametrize(("op", "status"), DOCUMENTED, ids=case_ids(DOCUMENTED))
def test_mock_answers_are_valid_against_the_spec(api_base_url: str, op: Operation, status: int) -> None:
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    captured: list[httpx.Request] = []
    hooks = {"request": [captured.append]}
    headers = {"Prefer": f"code={status}"}
    with keyed_client(api_base_url, SCHEME_KEY, [op], headers=headers, httpx_args={"event_hooks": hooks}) as client:
        response = module.sync_detailed(client=client, **kwargs)
    assert response.status_code == status
    if op.responses[status].schema is None:
        assert response.content == b"", "a response the spec gives no body is sent without one"
    else:
        check_response_body(with_server(SPEC, api_base_url), op, captured[0], status, json.loads(response.content))


WITH_REQUIRED_FIELDS = [op for op in OPERATIONS if (op.request_schema or {}).get("required")]


@pytest.mark.parametrize("op", WITH_REQUIRED_FIELDS, ids=op_id)
def test_invalid_request_gets_a_400_error_response_naming_the_violation(api_base_url: str, op: Operation) -> None:
    url = api_base_url + example_path(op)
    spec = with_server(SPEC, api_base_url)
    schema = op.request_schema or {}
    required = schema["required"]
    properties = schema.get("properties") or {}
    wrong = {name: WRONG_TYPE.get((properties.get(name) or {}).get("type", "string"), 5) for name in required}
    with httpx.Client() as http:
        for body in ({}, {**request_instance(op), **wrong}, "not an object"):
            headers, params = key_headers(op, SCHEME_KEY), key_params(op, SCHEME_KEY)
            request = http.build_request(op.method.upper(), url, json=body, headers=headers, params=params)
            response = http.send(request)
            assert response.status_code == 400, response.text
            error = response.json()
            check_refusal_body(op, 400, error)
            message = message_of(error)  # (under the name the spec declares: its legacy spelling too)
            assert message is not None and (required[0] in message or "object" in message), error
            if 400 in op.responses:
                check_response_body(spec, op, request, 400, error)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_unknown_routes_are_404_and_wrong_methods_405_with_allow(api_base_url: str, op: Operation) -> None:
    allowed = sorted(o.method.upper() for o in OPERATIONS if o.path == op.path)
    with httpx.Client() as http:
        assert http.post(api_base_url + "/no_such_operation_here", json={}).status_code == 404
        wrong_method = next(m for m in ("GET", "DELETE", "PUT", "PATCH", "POST") if m not in allowed)
        response = http.request(wrong_method, api_base_url + example_path(op))
    assert response.status_code == 405
    assert sorted(m.strip() for m in response.headers["allow"].split(",")) == allowed


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_mock_cli_binds_loopback_prints_its_url_and_stops_cleanly(stop: signal.Signals) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", PACKAGE, "mock", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with_body = next((op for op in OPERATIONS if op.request_content_type), OPERATIONS[0])
        answer = httpx.request(with_body.method, url + example_path(with_body), content=b"{")
        assert answer.status_code == (400 if with_body.request_content_type else with_body.default_status())
        child.send_signal(stop)
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
    with pytest.raises(httpx.ConnectError):
        httpx.request(OPERATIONS[0].method, url + example_path(OPERATIONS[0]), json={})


def test_the_mock_is_stopped_even_when_the_code_using_it_fails() -> None:
    with pytest.raises(RuntimeError, match="the demo failed"), running_mock() as url:
        assert httpx.post(url + "/no_such_operation_here").status_code == 404
        raise RuntimeError("the demo failed")
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "/no_such_operation_here")


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.request_content_type], ids=op_id)
def test_over_http_an_unreadable_body_is_a_400_not_a_500(api_base_url: str, op: Operation) -> None:
    headers = {"content-type": op.request_content_type or ""}
    with httpx.Client() as http:
        for body in (b"\xff\xfe\x00", b'{"unterminated": ', b"[" * 10_000):
            response = http.request(op.method.upper(), api_base_url + example_path(op), headers=headers, content=body)
            assert response.status_code == 400, response.text
            check_refusal_body(op, 400, response.json())


def test_an_operation_added_to_the_spec_gets_its_mock_route_tool_and_command_with_no_hand_edit(
    grown_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package generated from the spec plus one operation: its mock (`modelslab-3d mock`) answers the new
    operation as the spec says, and its MCP server and command line list it, all read from that package alone."""
    served = json.loads((grown_package / "openapi.json").read_text(encoding="utf-8"))  # with the overlay, if any
    known = {o.label for o in OPERATIONS}
    new = [op for op in operations(served) if op.label not in known]
    assert [op.label for op in new] == [op.label for op in operations(grown_spec()) if op.label not in known] != []
    monkeypatch.setenv("PYTHONPATH", str(grown_package.parent))  # the grown package, before the installed one
    listing = """
import sys
from modelslab_enterprise_3d.api import OPERATIONS
from modelslab_enterprise_3d.cli import commands as _commands
from modelslab_enterprise_3d.cli import mcp_server as _mcp
commands = _commands.commands_from(OPERATIONS)
print(" ".join(c.name for c in commands))
print(" ".join(_mcp.tool(c, frozenset()).name for c in commands))
"""
    listed = subprocess.run([sys.executable, "-c", listing], capture_output=True, text=True, check=False)
    assert listed.returncode == 0, listed.stderr
    command_names, tool_names = (set(line.split()) for line in listed.stdout.splitlines())
    with running_mock() as url:
        for op in new:
            assert method_name(op).replace("_", "-") in command_names and method_name(op) in tool_names
            answer = httpx.request(
                op.method.upper(),
                url + example_path(op),
                json=request_instance(op) if op.request_schema else None,
                headers=key_headers(op, SCHEME_KEY),
                params=key_params(op, SCHEME_KEY),
            )
            assert answer.status_code == op.default_status(), answer.text
            documented = op.responses[answer.status_code]
            if documented.schema is not None:
                assert is_valid(answer.json(), documented.schema, op.openapi_version)
