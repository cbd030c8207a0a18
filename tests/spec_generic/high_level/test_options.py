"""Constructing the high-level clients (key, base URL, environment, timeouts, httpx), with_options copies that
share the connection pool and leave the original alone, and the generator's Client.with_* fixed the same way."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.spec.operations import server_base_url
from modelslab_enterprise_3d import AsyncEnterprise3D, AuthenticatedClient, Client, Enterprise3D
from modelslab_enterprise_3d._version import __version__ as VERSION
from modelslab_enterprise_3d.client import DISTRIBUTION
from modelslab_enterprise_3d.core.base_client import DEFAULT_TIMEOUT, user_agent
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_ENV, BASE_URL_ENV
from tests.support.contract_checks import Recorder
from tests.support.high_level import KEY, call_method, has_key_field, transport_client
from tests.support.spec_cases import OPERATIONS, SPEC

pytestmark = pytest.mark.mock_only
OP = next((op for op in OPERATIONS if has_key_field(op)), OPERATIONS[0])


@pytest.mark.parametrize("cls", [Enterprise3D, AsyncEnterprise3D])
def test_the_key_and_base_url_come_from_arguments_else_the_environment_else_the_spec(
    cls: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    with pytest.raises(ValueError, match=f"api_key=.*{API_KEY_ENV}"):
        cls()
    if server_base_url(SPEC).startswith(("http://", "https://")):
        assert cls(api_key="k").base_url == server_base_url(SPEC), "the spec's server is the default"
    else:
        with pytest.raises(ValueError, match=f"base_url=.*{BASE_URL_ENV}"):
            cls(api_key="k")
    monkeypatch.setenv(API_KEY_ENV, "from-env")
    monkeypatch.setenv(BASE_URL_ENV, "https://env.example/v1/")
    client = cls()
    assert client._api_key == "from-env" and client.base_url == "https://env.example/v1"
    client = cls(api_key="given", base_url="https://given.example")
    assert client._api_key == "given" and client.base_url == "https://given.example"
    with pytest.raises(ValueError, match="max_retries"):
        cls(api_key="k", max_retries=-1)


def test_the_key_from_the_environment_is_the_one_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API_KEY_ENV, KEY)
    recorder = Recorder(SPEC)
    client = Enterprise3D(
        base_url=server_base_url(SPEC), httpx_args={"transport": httpx.MockTransport(recorder.handle)}
    )
    call_method(client, OP)
    if has_key_field(OP):
        assert json.loads(recorder.requests[0].content)["key"] == KEY


def test_timeout_defaults_to_the_finite_default_and_none_switches_it_off() -> None:
    assert Enterprise3D(api_key="k", base_url="https://h")._http.timeout == DEFAULT_TIMEOUT
    assert Enterprise3D(api_key="k", base_url="https://h", timeout=None)._http.timeout == httpx.Timeout(None)
    assert Enterprise3D(api_key="k", base_url="https://h", timeout=3)._http.timeout == httpx.Timeout(3)


def recorded(headers: list[httpx.Headers]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        headers.append(request.headers)
        timeouts.append(request.extensions.get("timeout"))
        return Recorder(SPEC).answer(request)

    timeouts: list[Any] = []
    answer.timeouts = timeouts  # type: ignore[attr-defined]
    return answer


def test_with_options_shares_the_pool_and_leaves_the_original_untouched() -> None:
    seen: list[httpx.Headers] = []
    answer = recorded(seen)
    original = transport_client(answer, default_headers={"X-Team": "3d"})
    copy = original.with_options(timeout=2.5, max_retries=0, headers={"X-Trace": "t1"})
    assert copy._http is original._http, "one connection pool"
    assert (copy.timeout, copy.max_retries) == (2.5, 0)
    assert (original.timeout, original.max_retries) == (DEFAULT_TIMEOUT, 2)
    call_method(copy, OP)
    call_method(original, OP)
    assert seen[0]["X-Trace"] == "t1" and "X-Trace" not in seen[1]
    assert seen[0]["X-Team"] == seen[1]["X-Team"] == "3d" and seen[0]["User-Agent"] == user_agent(DISTRIBUTION, VERSION)
    assert answer.timeouts[0]["read"] == 2.5 and answer.timeouts[1] == DEFAULT_TIMEOUT.as_dict()
    copy.close()
    assert not original._http.is_closed, "closing a copy leaves the pool open"
    with original:
        pass
    assert original._http.is_closed


def test_a_client_passed_in_keeps_its_settings_gets_ours_per_request_and_stays_open() -> None:
    seen: list[httpx.Headers] = []
    mine = httpx.Client(transport=httpx.MockTransport(recorded(seen)), headers={"X-Mine": "1"}, timeout=9)
    with Enterprise3D(api_key=KEY, base_url=server_base_url(SPEC), http_client=mine, default_headers={"X-D": "d"}) as c:
        call_method(c, OP)
    assert seen[0]["X-Mine"] == "1" and seen[0]["X-D"] == "d"
    assert seen[0]["User-Agent"] == user_agent(DISTRIBUTION, VERSION)
    assert not mine.is_closed and mine.timeout == httpx.Timeout(9)
    with pytest.raises(TypeError, match=r"httpx\.Client"):
        Enterprise3D(api_key="k", http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not both"):
        Enterprise3D(api_key="k", http_client=mine, httpx_args={"timeout": 1})


async def test_the_async_client_closes_its_own_pool() -> None:
    async with transport_client(Recorder(SPEC).handle, asynchronous=True) as client:
        copy = client.with_options(max_retries=0)
        assert copy._http is client._http
    assert client._http.is_closed


@pytest.mark.parametrize("cls", [Client, AuthenticatedClient])
def test_the_functional_clients_with_methods_copy_on_the_same_pool_and_leave_the_original_alone(cls: type) -> None:
    extra = {"token": "t"} if cls is AuthenticatedClient else {}
    original = cls(base_url="https://h", headers={"A": "1"}, cookies={"c": "1"}, timeout=httpx.Timeout(7), **extra)
    sync_before, async_before = original.get_httpx_client(), original.get_async_httpx_client()
    copies = [
        original.with_headers({"B": "2"}),
        original.with_cookies({"d": "2"}),
        original.with_timeout(httpx.Timeout(1)),
    ]
    # the original's live httpx clients are as they were: upstream's with_* changed them
    assert original.get_httpx_client() is sync_before and "B" not in sync_before.headers
    assert "d" not in sync_before.cookies and sync_before.timeout == httpx.Timeout(7)
    assert "B" not in async_before.headers and async_before.timeout == httpx.Timeout(7)
    for copy in copies:
        assert copy.get_httpx_client()._transport is sync_before._transport, "the copy shares the pool"
        assert copy.get_async_httpx_client()._transport is async_before._transport
    assert copies[0].get_httpx_client().headers["B"] == "2"
    assert copies[1].get_httpx_client().cookies["d"] == "2"
    assert copies[2].get_httpx_client().timeout == httpx.Timeout(1)
