"""Slow servers, failing servers and many calls: finite timeouts, opt-in retries, no leaked sockets."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import httpx
import pytest
from httpx_retries import Retry, RetryTransport

import modelslab_enterprise_3d.client as client_module
from enterprise3d_devkit.spec.instances import response_instance
from modelslab_enterprise_3d import Client
from tests.support.contract_checks import SCHEME_KEY, call_kwargs, check_parsed, keyed_client, module_for
from tests.support.servers import ScriptedServer, Step, black_hole
from tests.support.spec_cases import OPERATIONS

pytestmark = pytest.mark.slow

OP = OPERATIONS[0]
MODULE = module_for(OP)
KWARGS, _ = call_kwargs(OP, MODULE)
OK = Step(OP.default_status(), response_instance(OP, OP.default_status()))
MARGIN = 1.5  # seconds allowed beyond the timeout for the exception to surface (slow CI machines)


def timed_sync(client: Client) -> float:
    started = time.monotonic()
    with pytest.raises(httpx.TimeoutException), client:
        MODULE.sync_detailed(client=client, **KWARGS)
    return time.monotonic() - started


def timed_async(client: Client) -> float:
    async def run() -> float:
        started = time.monotonic()
        with pytest.raises(httpx.TimeoutException):
            async with client:
                await MODULE.asyncio_detailed(client=client, **KWARGS)
        return time.monotonic() - started

    return asyncio.run(run())


def test_the_default_timeout_is_finite() -> None:
    default = client_module.DEFAULT_TIMEOUT
    parts = (default.connect, default.read, default.write, default.pool)
    assert all(part is not None and 0 < part <= 300 for part in parts), default
    assert Client(base_url="https://h").get_httpx_client().timeout == default
    assert Client(base_url="https://h", timeout=None).get_httpx_client().timeout == httpx.Timeout(None)


@pytest.mark.parametrize("runner", [timed_sync, timed_async], ids=["sync", "async"])
def test_a_server_that_never_answers_times_out_with_a_custom_timeout(runner: Any) -> None:
    with black_hole() as url:
        elapsed = runner(Client(base_url=url, timeout=httpx.Timeout(0.3)))
    assert 0.3 <= elapsed < 0.3 + MARGIN


@pytest.mark.parametrize("runner", [timed_sync, timed_async], ids=["sync", "async"])
def test_a_server_that_never_answers_times_out_with_the_default(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client built without a timeout hands DEFAULT_TIMEOUT to httpx (shortened here: 60 s is too long to wait;
    attrs binds a field's default when the class is made, so the httpx client's constructor sees the short one)."""
    short = httpx.Timeout(0.4, connect=0.3)
    for cls in (httpx.Client, httpx.AsyncClient):
        made = cls.__init__

        def shortened(self: Any, *args: Any, made: Any = made, **kwargs: Any) -> None:
            assert kwargs["timeout"] == client_module.DEFAULT_TIMEOUT, "the default reaches httpx"
            made(self, *args, **{**kwargs, "timeout": short})

        monkeypatch.setattr(cls, "__init__", shortened)
    with black_hole() as url:
        elapsed = runner(Client(base_url=url))
    assert 0.4 <= elapsed < 0.4 + MARGIN


# --- retries: the README recipe (httpx-retries through httpx_args), with short waits for the test ----------


def retrying_client(url: str, total: int = 3) -> Client:
    retry = Retry(
        total=total,
        backoff_factor=0.01,
        status_forcelist=[429, 502, 503, 504],
        allowed_methods=[OP.method.upper()],  # (a POST is retried only as the caller's explicit choice)
        respect_retry_after_header=True,
    )
    return Client(base_url=url, httpx_args={"transport": RetryTransport(retry=retry)})


@pytest.mark.parametrize(
    "failure",
    [
        Step(429, {"status": "error", "message": "queue limit"}),
        Step(502),
        Step(503),
        Step(504),
        Step(drop=True),
    ],
    ids=["429", "502", "503", "504", "connection-dropped"],
)
@pytest.mark.parametrize("failures", [1, 2])
def test_retries_succeed_after_exactly_n_failures(failure: Step, failures: int) -> None:
    with ScriptedServer([failure] * failures, final=OK) as server:
        with retrying_client(server.url) as client:
            response = MODULE.sync_detailed(client=client, **KWARGS)
        assert response.status_code == OK.status
        check_parsed(OP, OK.status, response.parsed)
        assert server.requests == failures + 1


def test_async_retries_too() -> None:
    async def run(url: str) -> Any:
        async with retrying_client(url) as client:
            return await MODULE.asyncio_detailed(client=client, **KWARGS)

    with ScriptedServer([Step(503), Step(503)], final=OK) as server:
        response = asyncio.run(run(server.url))
        assert response.status_code == OK.status and server.requests == 3


def test_retry_after_is_honoured() -> None:
    busy = Step(429, {"status": "error", "message": "queue limit", "retry_after": 1}, {"Retry-After": "1"})
    with ScriptedServer([busy], final=OK) as server, retrying_client(server.url) as client:
        started = time.monotonic()
        response = MODULE.sync_detailed(client=client, **KWARGS)
        assert time.monotonic() - started >= 1.0
        assert response.status_code == OK.status and server.requests == 2


def test_a_server_that_always_fails_gives_up_with_the_last_status_visible() -> None:
    down = Step(503, {"status": "error", "message": "temporarily unavailable"})
    with ScriptedServer([], final=down) as server, retrying_client(server.url, total=3) as client:
        response = MODULE.sync_detailed(client=client, **KWARGS)
        assert server.requests == 4  # the call and 3 retries
    assert response.status_code == 503 and response.parsed is None
    assert b"temporarily unavailable" in response.content


def test_retries_are_off_by_default() -> None:
    with ScriptedServer([Step(503)], final=OK) as server, Client(base_url=server.url) as client:
        assert MODULE.sync_detailed(client=client, **KWARGS).status_code == 503
        assert server.requests == 1


# --- load --------------------------------------------------------------------------------------------


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.mock_only  # 1000 calls: never against a real server
@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts file descriptors through /proc")
def test_1000_concurrent_async_calls_succeed_and_leave_no_sockets(api_base_url: str) -> None:
    # 10 connections, as the README recommends for fan-out: httpcore 1.0.9's pool does work proportional to
    # connections x queued requests on every hand-over (encode/httpcore#1035), so the default 100
    # connections take ~15 s here for the same 1000 calls and 10 take ~4 s.
    limits = httpx.Limits(max_connections=10)

    async def run() -> list[Any]:
        async with keyed_client(api_base_url, SCHEME_KEY, [OP], httpx_args={"limits": limits}) as client:
            return await asyncio.gather(*(MODULE.asyncio_detailed(client=client, **KWARGS) for _ in range(1000)))

    before = open_fds()
    responses = asyncio.run(run())
    after = open_fds()
    assert [r.status_code for r in responses] == [OP.default_status()] * 1000
    for response in responses:
        check_parsed(OP, OP.default_status(), response.parsed)
    assert after <= before, f"{after - before} file descriptors left open"
