"""The request method every high-level call goes through, tested on the runtime alone: a stand-in for the
package's Client, an operation, a parser and an in-process transport -- no generated code."""

from __future__ import annotations

import asyncio
import json
import os
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from codegen.runtime import errors
from codegen.runtime.core import base_client as _base_client
from codegen.runtime.core import retries as _retries
from codegen.runtime.core import transports as _transports
from codegen.runtime.core import vendor_facts as _vendor_facts
from codegen.runtime.core.base_client import AsyncAPIClient, Operation, SyncAPIClient

KEY = "runtime-test-key"
BASE_URL = "https://api.test/v1"
SAFE = Operation("safe_read", "safe_read (POST /read)", ((200, 200),))
NEVER = Operation("restart", "restart (POST /restart)", ((200, 200),))


class LowLevel:
    """What the request method uses of the package's Client."""

    raise_on_unexpected_status = False

    def __init__(self, **settings: Any) -> None:
        self.settings = settings
        self.strict_response_validation = settings["strict_response_validation"]
        self.http: Any = None

    def set_httpx_client(self, client: httpx.Client) -> None:
        self.http = client

    def set_async_httpx_client(self, client: httpx.AsyncClient) -> None:
        self.http = client

    def _args(self) -> dict[str, Any]:
        s = self.settings
        return {"base_url": s["base_url"], "headers": s["headers"], "timeout": s["timeout"], **s["httpx_args"]}

    def get_httpx_client(self) -> httpx.Client:
        self.http = self.http or httpx.Client(**self._args())
        return self.http  # type: ignore[no-any-return]

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        self.http = self.http or httpx.AsyncClient(**self._args())
        return self.http  # type: ignore[no-any-return]


class Api(SyncAPIClient):
    _low_level_client = LowLevel
    _distribution = "runtime-test"
    _version = "9.9.9"
    _default_base_url = BASE_URL
    _RETRY_SAFE = frozenset({SAFE.name})


class AsyncApi(AsyncAPIClient):
    _low_level_client = LowLevel
    _distribution = "runtime-test"
    _version = "9.9.9"
    _default_base_url = BASE_URL
    _RETRY_SAFE = frozenset({SAFE.name})


def parser(*, client: Any, response: httpx.Response) -> Any:
    """An endpoint's parser: the body as an object for 200 and 400, None for other statuses."""
    if response.status_code in (200, 400):
        return SimpleNamespace(**response.json())
    return None


class Script:
    """Answers requests from a list (a status and body, or an httpx error class to raise), then 200 success."""

    def __init__(self, *steps: Any) -> None:
        self.steps, self.requests = list(steps), list[httpx.Request]()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if self.steps else (200, {"status": "success"})
        if isinstance(step, type):
            raise step("scripted", request=request)
        status, body, *headers = step
        return httpx.Response(status, json=body, headers=headers[0] if headers else {})


def api(script: Script, **options: Any) -> Api:
    client = Api(api_key=KEY, httpx_args={"transport": httpx.MockTransport(script)}, **options)
    client._sleep = lambda seconds: None
    return client


def request() -> dict[str, Any]:
    return {"method": "post", "url": "/read", "json": {_vendor_facts.API_KEY_FIELD: KEY}, "headers": {}}


def test_the_status_map_and_its_fallbacks() -> None:
    for status, cls in _retries.STATUS_ERRORS.items():
        assert _retries.error_class(status) is cls and issubclass(cls, errors.APIStatusError)
    assert _retries.error_class(500) is _retries.error_class(599) is errors.InternalServerError
    assert _retries.error_class(418) is errors.APIStatusError


def test_a_success_returns_the_parsed_body_and_the_url_is_absolute() -> None:
    script = Script()
    result = api(script)._request(SAFE, parser, request())
    assert result.status == "success"
    assert str(script.requests[0].url) == BASE_URL + "/read"
    assert json.loads(script.requests[0].content) == {_vendor_facts.API_KEY_FIELD: KEY}


@pytest.mark.parametrize("failed", sorted(_vendor_facts.ERROR_STATUSES))
def test_a_2xx_saying_the_operation_failed_raises(failed: str) -> None:
    with pytest.raises(errors.OperationFailedError) as caught:
        api(Script((200, {"status": failed, "message": "no"})))._request(SAFE, parser, request())
    assert (
        getattr(caught.value.result, "status", None) == failed
        and caught.value.message == "no"
        and caught.value.status_code == 200
    )


def test_an_undocumented_2xx_or_3xx_raises_unexpected_status() -> None:
    for status in (201, 302):
        with pytest.raises(errors.UnexpectedStatus):
            api(Script((status, {})))._request(SAFE, parser, request())


def test_an_error_status_raises_its_class_with_the_parsed_or_decoded_body() -> None:
    with pytest.raises(errors.BadRequestError) as bad:
        api(Script((400, {"status": "error", "message": "bad"})))._request(SAFE, parser, request())
    assert isinstance(bad.value.body, SimpleNamespace) and bad.value.message == "bad"
    with pytest.raises(errors.PaymentRequiredError) as unpaid:
        api(Script((402, {"message": "out of credits"})))._request(NEVER, parser, request())
    assert unpaid.value.body == {"message": "out of credits"}


def test_a_body_that_does_not_parse_raises_invalid_response() -> None:
    def strict_parser(*, client: Any, response: httpx.Response) -> Any:
        raise errors.InvalidField("status", "one of 'success'", "'x' (str)")

    with pytest.raises(errors.InvalidResponse) as caught:
        api(Script())._request(SAFE, strict_parser, request())
    assert caught.value.field == "status"


def test_a_safe_operation_is_retried_on_the_retry_statuses_honouring_retry_after() -> None:
    waits: list[float] = []
    script = Script((503, {}), (429, {_vendor_facts.RETRY_AFTER_FIELD: 3}), (429, {}, {"Retry-After": "7"}))
    client = api(script, max_retries=3)
    client._sleep = waits.append  # type: ignore[assignment]
    assert client._request(SAFE, parser, request()).status == "success"
    assert len(script.requests) == 4
    assert 0 <= waits[0] <= _retries.INITIAL_RETRY_DELAY and waits[1:] == [3.0, 7.0]


def test_no_wait_is_longer_than_the_cap() -> None:
    assert _retries.retry_delay(1, httpx.Response(429, headers={"Retry-After": "3600"})) == 60.0
    assert all(0 <= _retries.retry_delay(n, None) <= _retries.MAX_BACKOFF for n in range(1, 12))


@pytest.mark.parametrize("status", sorted(_retries.RETRY_STATUSES))
def test_an_operation_not_safe_to_repeat_is_not_retried_on_a_status(status: int) -> None:
    script = Script((status, {}))
    with pytest.raises(errors.APIStatusError):
        api(script)._request(NEVER, parser, request())
    assert len(script.requests) == 1


def test_statuses_outside_the_list_are_final() -> None:
    for status in (400, 401, 404, 501):
        script = Script((status, {}))
        with pytest.raises(errors.APIStatusError):
            api(script)._request(SAFE, parser, request())
        assert len(script.requests) == 1


def test_transport_errors_are_retried_only_where_the_request_cannot_have_arrived_unless_safe() -> None:
    script = Script(httpx.ConnectError, httpx.ReadTimeout)
    assert api(script)._request(SAFE, parser, request()).status == "success" and len(script.requests) == 3
    script = Script(httpx.ConnectError)
    assert api(script)._request(NEVER, parser, request()).status == "success" and len(script.requests) == 2
    script = Script(httpx.ReadTimeout)
    with pytest.raises(errors.APITimeoutError) as caught:
        api(script)._request(NEVER, parser, request())
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout) and len(script.requests) == 1
    with pytest.raises(errors.APIConnectionError):
        api(Script(httpx.ConnectError, httpx.ConnectError), max_retries=1)._request(SAFE, parser, request())


def test_settings_come_from_arguments_else_the_environment_else_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_vendor_facts.API_KEY_ENV, raising=False)
    monkeypatch.delenv(_vendor_facts.BASE_URL_ENV, raising=False)
    with pytest.raises(ValueError, match=_vendor_facts.API_KEY_ENV):
        Api()
    monkeypatch.setenv(_vendor_facts.API_KEY_ENV, "env-key")
    assert Api().base_url == BASE_URL and Api()._api_key == "env-key"
    monkeypatch.setenv(_vendor_facts.BASE_URL_ENV, "https://env.test/")
    assert Api().base_url == "https://env.test" and Api(base_url="https://arg.test").base_url == "https://arg.test"
    for wrong in (-1, 1.5, True):
        with pytest.raises(ValueError, match="max_retries"):
            Api(max_retries=wrong)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not both"):
        Api(http_client=httpx.Client(), httpx_args={"timeout": 1})
    with pytest.raises(TypeError):
        Api(http_client=httpx.AsyncClient())  # type: ignore[arg-type]


def test_the_timeout_defaults_to_the_finite_default_and_none_switches_it_off() -> None:
    assert Api(api_key=KEY)._http.timeout == _base_client.DEFAULT_TIMEOUT
    assert Api(api_key=KEY, timeout=None)._http.timeout == httpx.Timeout(None)
    assert Api(api_key=KEY, timeout=2)._http.timeout == httpx.Timeout(2)


def test_with_options_shares_the_pool_and_leaves_the_original_alone() -> None:
    script = Script()
    original = api(script)
    copy = original.with_options(timeout=1.0, max_retries=0, headers={"X-Call": "1"})
    assert copy._http is original._http and copy._api_key == original._api_key
    assert (copy.max_retries, copy.timeout) == (0, 1.0) and (original.max_retries, original.timeout) != (0, 1.0)
    copy._request(SAFE, parser, request())
    original._request(SAFE, parser, request())
    assert script.requests[0].headers["X-Call"] == "1" and "X-Call" not in script.requests[1].headers
    copy.close()
    assert not original._http.is_closed
    original.close()
    assert original._http.is_closed


def test_a_client_of_yours_keeps_its_settings_and_is_not_closed() -> None:
    script = Script()
    mine = httpx.Client(transport=httpx.MockTransport(script), headers={"X-Mine": "1"})
    with Api(api_key=KEY, http_client=mine, default_headers={"X-Default": "d"}) as client:
        client._request(SAFE, parser, request())
    sent = script.requests[0].headers
    assert sent["X-Mine"] == "1" and sent["X-Default"] == "d" and sent["User-Agent"].startswith("runtime-test/9.9.9 ")
    assert not mine.is_closed


def test_the_repr_never_shows_the_key() -> None:
    client = api(Script())
    assert KEY not in repr(client) and "strict_response_validation=False" in repr(client)


def test_the_async_client_sends_the_same_way_and_a_cancelled_wait_stops_at_once() -> None:
    async def run() -> None:
        script = Script((503, {}))
        client = AsyncApi(api_key=KEY, httpx_args={"transport": httpx.MockTransport(script)}, max_retries=1)
        waits: list[float] = []

        async def record(seconds: float) -> None:
            waits.append(seconds)

        client._sleep = record
        assert (await client._request(SAFE, parser, request())).status == "success" and len(waits) == 1
        slow = AsyncApi(api_key=KEY, httpx_args={"transport": httpx.MockTransport(Script((503, {})))})

        async def long_wait(seconds: float) -> None:
            await asyncio.sleep(30)  # what a long Retry-After would make it wait

        slow._sleep = long_wait
        task = asyncio.ensure_future(slow._request(SAFE, parser, request()))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=1.0)
        await client.close()
        await slow.close()

    asyncio.run(run())


def test_transport_settings_are_split_from_the_clients_own() -> None:
    limits = httpx.Limits(max_connections=3)
    transport, rest = _transports.split_transport_settings(
        {"limits": limits, "http2": False, "trust_env": False, "event_hooks": {}}, verify=False
    )
    assert transport == {"verify": False, "limits": limits, "http2": False, "trust_env": False}
    assert rest == {"event_hooks": {}, "trust_env": False}
    given = httpx.MockTransport(Script())
    wrapped = _transports.http_transport({"transport": given}, True)
    assert isinstance(wrapped, _transports.QueryKeyTransport) and wrapped._transport is given
    assert "transport" not in _transports.httpx_client_settings({"transport": given}, True)


def test_verifying_clients_share_one_ssl_context_per_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """verify=True gets httpx's own default context, built once: the same object for every client of a kind, another
    for HTTP/2 (the pool sets ALPN on it) and for a CA bundle named in the environment; what a caller gave is kept."""
    import ssl

    import certifi

    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE"):
        monkeypatch.delenv(name, raising=False)

    def context(verify: Any = True, **settings: Any) -> Any:
        return _transports.transport_settings(settings, verify)["verify"]

    shared = context()
    assert isinstance(shared, ssl.SSLContext) and shared is context()
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
    assert context(http2=True) is not shared and context(http2=True) is context(http2=True)
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    assert context() is not shared
    assert context(trust_env=False) is context(trust_env=False) is not context()
    monkeypatch.setenv("SSLKEYLOGFILE", os.devnull)  # read by the ssl module whatever trust_env says
    assert context(trust_env=False).keylog_filename == os.devnull
    mine = ssl.create_default_context()
    assert context(mine) is mine and context(False) is False
    assert context(cert="client.pem") is True  # httpx builds the context that holds a client certificate
    # A client given its own transport builds no context at all (loading the CA bundle is what costs).
    built: list[object] = []
    monkeypatch.setattr(_transports, "_ssl_context", lambda *key: built.append(key))
    given = httpx.MockTransport(Script())
    wrapped = _transports.http_transport({"transport": given}, True)
    assert isinstance(wrapped, _transports.QueryKeyTransport) and wrapped._transport is given
    assert _transports.httpx_client_settings({"transport": given}, True) == {} and built == []


def test_given_keeps_what_the_caller_gave() -> None:
    unset = object()
    assert _base_client.given(unset, a=1, b=unset, c=None) == {"a": 1, "c": None}


def test_a_verify_among_the_httpx_arguments_goes_to_the_transport_and_only_there() -> None:
    transport, rest = _transports.split_transport_settings({"verify": False, "headers": {"a": "b"}}, True)
    assert transport["verify"] is False and "verify" not in rest
    assert "verify" not in _transports.httpx_client_settings({"verify": False}, True)


PLACEMENTS = [("header", "Authorization", "Bearer "), ("header", "x-api-key", ""), ("query", "api_key", "")]


@pytest.mark.parametrize("key_in", PLACEMENTS, ids=lambda p: f"{p[0]}-{p[1]}")
def test_a_security_scheme_key_goes_where_it_says_and_never_into_httpxs_log(
    key_in: tuple[str, str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """A key in a header is set on the request; a key in the query is added by the client's own transport, below
    httpx's client: the request httpx logs (and an answer names) never holds it."""
    location, name, prefix = key_in
    op = SAFE._replace(key_in=key_in)
    script = Script()
    transport = _transports.QueryKeyTransport(httpx.MockTransport(script))
    with caplog.at_level("DEBUG"), Api(api_key=KEY, httpx_args={"transport": transport}) as client:
        client._request(op, parser, {"method": "post", "url": "/read", "json": {}, "headers": {}})

    async def run() -> None:
        async_transport = _transports.AsyncQueryKeyTransport(httpx.MockTransport(script))
        async with AsyncApi(api_key=KEY, httpx_args={"transport": async_transport}) as client:
            await client._request(op, parser, {"method": "post", "url": "/read", "json": {}, "headers": {}})

    with caplog.at_level("DEBUG"):
        asyncio.run(run())
    assert len(script.requests) == 2
    for sent in script.requests:
        if location == "header":
            assert sent.headers[name] == prefix + KEY and KEY not in str(sent.url)
        else:
            assert sent.url.params[name] == KEY and KEY not in repr(sent.headers.multi_items())
        assert KEY not in sent.content.decode()
    assert any(record.name == "httpx" for record in caplog.records), "httpx logged the requests"
    assert KEY not in caplog.text


def test_a_query_key_needs_the_clients_own_transport() -> None:
    op = SAFE._replace(key_in=("query", "api_key", ""))
    with httpx.Client(transport=httpx.MockTransport(Script())) as http, pytest.raises(ValueError, match="query"):
        Api(api_key=KEY, http_client=http)._request(op, parser, {"method": "post", "url": "/read", "headers": {}})
