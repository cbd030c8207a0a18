"""The API key of a high-level client goes into request bodies only: never into a URL or header (test_methods),
a repr, an exception (message, repr, chained traceback) or a log line -- on success, retries and every failure."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.instances import response_instance
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import errors
from tests.support.contract_checks import Recorder
from tests.support.high_level import KEY, ScriptedAnswers, call_method, mock_body, no_sleep, transport_client
from tests.support.servers import Step
from tests.support.spec_cases import OPERATIONS, SPEC, op_id

pytestmark = pytest.mark.mock_only


def scripts(op: Operation) -> dict[str, list[Any]]:
    """Every way a call can go: retried then answered, each kind of error answer, no answer."""
    success = min((s for s in op.responses if 200 <= s < 300), default=200)
    instance = response_instance(op, success) if op.responses.get(success) and op.responses[success].schema else {}
    failed = {**instance, "status": "error"} if isinstance(instance, dict) else instance  # the 200-with-error
    return {
        "retried-then-ok": [Step(503, mock_body(op, 503)), httpx.ConnectError],
        "bad-request": [Step(400, mock_body(op, 400))],
        "rate-limited": [Step(429, {**mock_body(op, 429), "retry_after": 1})] * 3,
        "server-error": [Step(500, mock_body(op, 500))] * 3,
        "operation-failed": [Step(success, failed)],
        "invalid-body": [Step(success, [1, 2])],
        "timeout": [httpx.ReadTimeout] * 3,
        "no-connection": [httpx.ConnectError] * 3,
    }


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_the_key_is_in_no_repr_exception_or_log_line(op: Operation, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx's, httpcore's
    seen: list[str] = []
    for name, script in scripts(op).items():
        client = transport_client(ScriptedAnswers(script, Recorder(SPEC).handle))
        client._RETRY_SAFE = frozenset({method_name(op)})  # exercise the retry logging too
        no_sleep(client, [])
        seen += [repr(client), repr(client.with_options(timeout=1, headers={"X": "y"}))]
        try:
            result = call_method(client, op)
            seen.append(repr(result))
        except errors.APIError as error:
            seen += [name, str(error), repr(error), "".join(traceback.format_exception(error))]
            seen += [repr(value) for value in vars(error).values()]
    seen += [record.getMessage() for record in caplog.records]
    assert any("retrying" in line for line in seen), "the retry log line was produced (and checked)"
    leaks = [line[:200] for line in seen if KEY in line]
    assert not leaks, leaks
