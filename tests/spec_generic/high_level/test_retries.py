"""Retries by operation: a retry-safe operation is retried on connection errors, timeouts, 408, 429 and 5xx, up to
max_retries, with backoff and full jitter, honouring Retry-After (seconds or HTTP date) and the body's retry_after,
never waiting more than 60 s; any other operation is retried only when the request cannot have reached the server.
Requests are counted at a local server and at an in-process transport; waits are recorded, not slept."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.instances import response_instance
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import AsyncEnterprise3D, Enterprise3D, errors
from modelslab_enterprise_3d.core.answers import MAX_RETRY_DELAY
from modelslab_enterprise_3d.core.retries import RETRY_STATUSES
from modelslab_enterprise_3d.core.vendor_facts import REFUSED_STATUSES
from tests.support.high_level import (
    KEY,
    ScriptedAnswers,
    call_method,
    call_method_async,
    mock_body,
    no_sleep,
    success_statuses,
)
from tests.support.servers import ScriptedServer, Step
from tests.support.spec_cases import OPERATIONS, op_id

pytestmark = pytest.mark.mock_only


def success_step(op: Operation) -> Step:
    status = (success_statuses(op) or [200])[0]
    body = response_instance(op, status) if op.responses.get(status) and op.responses[status].schema else None
    if isinstance(body, dict) and body.get("status") == "error":
        body = {**body, "status": "success"}
    return Step(status, body)


def policy(cls: type, retry_safe: bool) -> type:
    """The client class with every operation marked retry-safe, or none: the retry machinery, apart from which
    operations codegen/operations.yaml marks (this_api/test_operation_table.py checks that part)."""
    names = frozenset(method_name(op) for op in OPERATIONS) if retry_safe else frozenset()
    return type(cls.__name__, (cls,), {"_RETRY_SAFE": names, "_RETRY_REFUSED": frozenset()})


def counting(op: Operation, script: list[Any]) -> ScriptedAnswers:
    """A script of statuses (answered with the mock's body for them) or transport errors, then a success."""
    steps = [Step(step, mock_body(op, step)) if isinstance(step, int) else step for step in script]
    success = success_step(op)
    return ScriptedAnswers(steps, lambda request: httpx.Response(success.status, json=success.body))


def client_for(cls: type, answer: Any, delays: list[float], **options: Any) -> Any:
    client = cls(
        api_key=KEY, base_url="https://api.example", httpx_args={"transport": httpx.MockTransport(answer)}, **options
    )
    no_sleep(client, delays)
    return client


@pytest.mark.slow  # a real server on a socket
@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
@pytest.mark.parametrize("retry_safe", [True, False], ids=["retry-safe", "not-retry-safe"])
def test_counted_at_a_local_server_a_503_is_retried_only_when_safe(op: Operation, retry_safe: bool) -> None:
    unavailable = Step(503, mock_body(op, 503))
    with ScriptedServer([unavailable, unavailable], final=success_step(op)) as server:
        delays: list[float] = []
        with client_for_server(policy(Enterprise3D, retry_safe), server.url, delays) as client:
            if retry_safe:
                call_method(client, op)
                assert server.requests == 3 and len(delays) == 2
            else:
                with pytest.raises(errors.InternalServerError):
                    call_method(client, op)
                assert server.requests == 1 and delays == []


def client_for_server(cls: type, url: str, delays: list[float]) -> Any:
    client = cls(api_key=KEY, base_url=url)
    no_sleep(client, delays)
    return client


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_which_statuses_are_retried_and_max_retries(op: Operation) -> None:
    safe, unsafe = policy(Enterprise3D, True), policy(Enterprise3D, False)
    for status in sorted(RETRY_STATUSES | {400, 401, 404, 501}):
        retried = status in {408, 429, 500, 502, 503, 504}
        answer = counting(op, [status] * 5)
        delays: list[float] = []
        with pytest.raises(errors.APIStatusError):
            call_method(client_for(safe, answer, delays), op)
        assert answer.requests == (3 if retried else 1), status  # max_retries defaults to 2
        answer = counting(op, [status] * 5)
        with pytest.raises(errors.APIStatusError):
            call_method(client_for(unsafe, answer, delays), op)
        assert answer.requests == 1, status
    every = frozenset(method_name(o) for o in OPERATIONS)
    refused = type(Enterprise3D.__name__, (Enterprise3D,), {"_RETRY_SAFE": frozenset(), "_RETRY_REFUSED": every})
    for status in sorted(RETRY_STATUSES | {400, 401, 404, 501}):  # retried only when the server refused it: 429
        answer = counting(op, [status] * 5)
        with pytest.raises(errors.APIStatusError):
            call_method(client_for(refused, answer, delays), op)
        assert answer.requests == (3 if status in REFUSED_STATUSES else 1), status
    for max_retries in (0, 1, 4):
        answer = counting(op, [503] * 9)
        with pytest.raises(errors.InternalServerError):
            call_method(client_for(safe, answer, [], max_retries=max_retries), op)
        assert answer.requests == max_retries + 1


NEVER_SENT = [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout]  # no connection was made
MAYBE_SENT = [httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.RemoteProtocolError]


async def call_either(client: Any, op: Operation) -> Any:
    if isinstance(client, AsyncEnterprise3D):
        return await call_method_async(client, op)
    return call_method(client, op)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
async def test_transport_errors_are_retried_when_safe_and_when_the_request_was_never_sent(op: Operation) -> None:
    cases = [(True, error) for error in NEVER_SENT + MAYBE_SENT] + [(False, error) for error in NEVER_SENT]
    for cls in (Enterprise3D, AsyncEnterprise3D):
        for retry_safe, error in cases:
            answer = counting(op, [error, error])
            await call_either(client_for(policy(cls, retry_safe), answer, []), op)
            assert answer.requests == 3, (cls.__name__, retry_safe, error.__name__)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
async def test_a_request_that_may_have_reached_the_server_is_not_repeated_when_unsafe(op: Operation) -> None:
    for cls in (Enterprise3D, AsyncEnterprise3D):
        for error in MAYBE_SENT:
            answer = counting(op, [error, error])
            with pytest.raises(errors.APIConnectionError):
                await call_either(client_for(policy(cls, False), answer, []), op)
            assert answer.requests == 1, (cls.__name__, error.__name__)


@pytest.mark.parametrize("op", OPERATIONS[:1], ids=op_id)
def test_waits_honour_retry_after_and_retry_after_bodies_and_are_capped(op: Operation) -> None:
    safe = policy(Enterprise3D, True)
    in_ten = email.utils.formatdate(time.time() + 10, usegmt=True)
    unavailable = mock_body(op, 503)
    rate_limited = {k: v for k, v in mock_body(op, 429).items() if k != "retry_after"}  # the vendor's 429 body
    cases: list[tuple[Step, Callable[[float], bool]]] = [
        (Step(503, unavailable, {"Retry-After": "3"}), lambda d: d == 3.0),
        (Step(429, {**rate_limited, "retry_after": 30}), lambda d: d == 30.0),
        (Step(503, unavailable, {"Retry-After": in_ten}), lambda d: 8.0 <= d <= 10.0),
        (Step(429, rate_limited, {"Retry-After": "3600"}), lambda d: d == MAX_RETRY_DELAY),
        (Step(429, {**rate_limited, "retry_after": 900}), lambda d: d == MAX_RETRY_DELAY),
    ]
    for step, expected in cases:
        delays: list[float] = []
        call_method(client_for(safe, counting(op, [step]), delays), op)
        assert len(delays) == 1 and expected(delays[0]), (step, delays)


@pytest.mark.parametrize("op", OPERATIONS[:1], ids=op_id)
def test_backoff_is_exponential_with_full_jitter(op: Operation) -> None:
    safe = policy(Enterprise3D, True)
    firsts, seconds, fourths = [], [], []
    for _ in range(200):
        delays: list[float] = []
        call_method(client_for(safe, counting(op, [500] * 4), delays, max_retries=4), op)
        firsts.append(delays[0])
        seconds.append(delays[1])
        fourths.append(delays[3])
    assert all(0 <= d <= 0.5 for d in firsts) and all(0 <= d <= 1.0 for d in seconds)
    assert all(0 <= d <= 4.0 for d in fourths)
    assert max(fourths) > 1.0, "the bound doubles each retry"
    assert len(set(firsts)) > 150 and min(firsts) < 0.1, "full jitter: spread over [0, bound)"
