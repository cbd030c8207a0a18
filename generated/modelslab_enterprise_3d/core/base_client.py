"""The part of the clients that is the same for every API: how a request is sent and its answer turned into a
result or an exception.

Every method of the high-level clients goes through one request method (`SyncAPIClient._request`,
`AsyncAPIClient._request`): it sends, retries what is safe to retry, honours Retry-After, and maps the status to an
exception of the errors module. The generated classes only say, per operation, how to build the request and parse
its answer.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, NamedTuple, Self, TypedDict

import httpx

from . import errors
from .answers import message_of, status_of
from .checks import check_body
from .logs import setup_logging
from .parsing import parse
from .recording import RequestRecorder
from .retries import NOT_SENT_ERRORS, RETRY_STATUSES, RETRYABLE_ERRORS, connection_error, retry_delay, status_error
from .steps import Call, Steps, run, run_async
from .transports import (
    QUERY_KEY_EXTENSION,
    as_timeout,
    bounded_timeout,
)
from .vendor_facts import API_KEY_ENV, API_KEY_FIELD, BASE_URL_ENV, CREDENTIAL_FIELDS, ERROR_STATUSES, REFUSED_STATUSES

logger = logging.getLogger(__package__ or __name__)

# Finite by default: without a timeout a server that accepts and never answers hangs the caller forever.
# 5 s is ample to open a connection; 60 s covers a slow queue operation without hiding a dead server.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2


class NotGiven:
    """The default of arguments for which None means something (timeout=None: no timeout)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


@functools.cache
def user_agent(distribution: str, version: str) -> str:
    """What every request says it is: `<distribution>/<version> python/<x.y> httpx/<x.y.z>`."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"{distribution}/{version} python/{python} httpx/{httpx.__version__}"


def given(unset: object, **arguments: Any) -> dict[str, Any]:
    """The optional arguments a caller gave (those not `unset`): the others keep the defaults the spec gives them."""
    return {name: value for name, value in arguments.items() if value is not unset}


def names_only(mapping: Mapping[str, object]) -> str:
    """The repr of headers, cookies and httpx arguments: their names, as their values may be credentials."""
    return repr(sorted(mapping))


class Operation(NamedTuple):
    """What the request method needs to know of an operation beside its request and parser."""

    name: str  # the method's name
    where: str  # how errors name it: "clear_queue (POST /clear_queue)"
    success: tuple[tuple[int, int], ...]  # the documented 2xx statuses (ranges, inclusive)
    body_schema: str = ""  # the JSON body's schema (JSON text), checked before the request is sent; "" for none
    generates: bool = False  # a paid generation: recorded in the client's ledger, if it has one
    # where the spec's security scheme puts the key: ("header" | "query", name, prefix); () for none (the body's
    # `key` field, where the body has one, is filled in by the method itself)
    key_in: tuple[str, str, str] | tuple[()] = ()

    def documents(self, status: int) -> bool:
        return any(low <= status <= high for low, high in self.success)


Parser = Callable[..., Any]


class ClientSettings(TypedDict, total=False):
    """The settings every client takes (keyword arguments of its constructor), as a subclass passes them on."""

    api_key: str | None
    base_url: str | None
    timeout: float | httpx.Timeout | NotGiven | None
    max_retries: int
    default_headers: Mapping[str, str] | None
    httpx_args: Mapping[str, Any] | None
    strict_response_validation: bool


class SyncClientSettings(ClientSettings, total=False):
    http_client: httpx.Client | None


class AsyncClientSettings(ClientSettings, total=False):
    http_client: httpx.AsyncClient | None


def says_error(parsed: object) -> bool:
    """A 2xx answer whose `status` says the operation failed (the vendor's 200-with-error)."""
    return status_of(parsed) in ERROR_STATUSES


def request_secrets(api_key: str, request: Mapping[str, Any]) -> list[str]:
    """The credentials a request carries: the client's key and the value of every credential field of its body."""
    found = [api_key]

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                if isinstance(name, str) and name.lower() in CREDENTIAL_FIELDS and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(request.get("json"))
    return found


def vendor_error_body(response: httpx.Response) -> dict[str, Any] | None:
    """The vendor's error shape, {"status": "error", "message": ...}, when a 2xx body that does not parse as the
    operation's answer is that (any operation may answer it, whatever its success schema says)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("status") in ERROR_STATUSES and message_of(body) is not None:
        return body
    return None


def _check_max_retries(max_retries: object) -> int:
    if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
        raise ValueError(f"max_retries must be a whole number >= 0, not {max_retries!r}")
    return max_retries


# Why not httpx-retries (the well-kept library for retries in httpx): its policy belongs to a transport and chooses
# by HTTP method, but here every operation is a POST and the choice is per operation; it honours only the
# Retry-After header, not the vendor's body field retry_after; and it retries below the client, where the
# exceptions of the errors module cannot be raised. The loops of _request are the part it would replace.
class BaseAPIClient:
    """What the sync and async high-level clients share: settings, the retry policy, turning answers into results.

    A generated subclass sets the class attributes below and adds one method per operation.
    """

    # The package's Client class (the functional API's), which holds the connection pool; the distribution's name
    # and version (for the User-Agent).
    _low_level_client: ClassVar[Callable[..., Any]]
    _distribution: ClassVar[str]
    _version: ClassVar[str]
    # The spec's server: the base URL when neither base_url= nor the environment gives one ("" when none).
    _default_base_url: ClassVar[str] = ""
    # The methods whose operation is safe to repeat: retried on RETRY_STATUSES and RETRYABLE_ERRORS.
    _RETRY_SAFE: ClassVar[frozenset[str]] = frozenset()
    # The methods whose operation is retried only when the server refused it (REFUSED_STATUSES: it did nothing) or
    # no connection was made: a generation, which a repeat would bill twice.
    _RETRY_REFUSED: ClassVar[frozenset[str]] = frozenset()
    # What writes each step of a generating request down (None: nothing is recorded); the production runs' clients
    # set it to their ledger's recorder.
    _recorder: RequestRecorder | None = None
    # The command line's profile the client was made from: a recorder records it with each job.
    _profile: str | None = None
    # A transport given in httpx_args: the file host's client uses it too (tests serve files in process).
    _file_transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None
    # Every operation (the generated client's table).
    _OPERATIONS: ClassVar[tuple[Operation, ...]] = ()
    # When set (a copy made by _until for a wait), no request of this client runs or waits past this
    # time.monotonic() value: an attempt's timeout is cut to what is left, and a retry that would end later is not made.
    _deadline: float | None = None

    _client: Any
    # The httpx client (sync or async) and the pause between attempts or polls: the I/O the subclass performs.
    _http: Any
    _http_class: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]
    _sleep: Callable[[float], Any]
    _owns_http: bool
    _owns_transport: bool  # built by this client (with_query_key's transport), not a client passed in

    def _configure(
        self,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | NotGiven | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        strict_response_validation: bool,
        httpx_args: Mapping[str, Any] | None,
        http_client: httpx.Client | httpx.AsyncClient | None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, self._http_class):
            raise TypeError(
                f"http_client must be an httpx.{self._http_class.__name__}, not {type(http_client).__name__}"
            )
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        if not key or not key.strip():
            raise ValueError(
                f"{type(self).__name__} needs an API key: pass api_key=... or set the {API_KEY_ENV} environment "
                "variable (a blank one is refused)"
            )
        url = base_url or os.environ.get(BASE_URL_ENV) or self._default_base_url
        if not url:
            raise ValueError(
                f"{type(self).__name__} needs a base URL: pass base_url=... or set the {BASE_URL_ENV} environment "
                "variable (the API's spec names no absolute server URL)"
            )
        if http_client is not None and httpx_args:
            raise ValueError("pass http_client or httpx_args, not both")
        self._api_key = key
        self._file_transport = (httpx_args or {}).get("transport")
        setup_logging()
        self.base_url = url.rstrip("/")
        self.max_retries = _check_max_retries(max_retries)
        self.timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
        headers = dict(default_headers or {})
        self._client = self._low_level_client(
            base_url=self.base_url,
            headers=headers,
            timeout=as_timeout(self.timeout),
            httpx_args=dict(httpx_args or {}),
            strict_response_validation=strict_response_validation,
        )
        # Per request only what the httpx client does not already carry (with_options, a client passed in).
        self._request_headers: dict[str, str] = {}
        self._request_timeout: Any = httpx.USE_CLIENT_DEFAULT
        self._owns_http = self._owns_transport = http_client is None
        if http_client is not None:  # a client passed in keeps its own settings; ours go with each request
            if isinstance(http_client, httpx.AsyncClient):
                self._client.set_async_httpx_client(http_client)
            else:
                self._client.set_httpx_client(http_client)
            self._request_headers = {"User-Agent": user_agent(self._distribution, self._version), **headers}
            if not isinstance(timeout, NotGiven):
                self._request_timeout = timeout

    @property
    def strict_response_validation(self) -> bool:
        """Whether an answer with an enum value the spec does not list raises InvalidResponse (else it is kept)."""
        return bool(self._client.strict_response_validation)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A copy with other settings, for some calls: `client.with_options(timeout=5.0, max_retries=0).<method>()`.

        The copy shares this client's connection pool and API key; this client is left as it is. Closing the
        copy does not close the pool (close the client it came from).
        """
        options = self._borrowed()
        if not isinstance(timeout, NotGiven):
            options.timeout = options._request_timeout = timeout
        if max_retries is not None:
            options.max_retries = _check_max_retries(max_retries)
        if headers:
            options._request_headers = {**self._request_headers, **headers}
        return options

    def __repr__(self) -> str:  # never the API key
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries}, "
            f"timeout={self.timeout!r}, strict_response_validation={self.strict_response_validation!r})"
        )

    def _check(self, op: Operation, request: dict[str, Any], extra_body: Mapping[str, Any] | None) -> None:
        """Check the body against the spec (ValueError: nothing is sent), then add `extra_body`, unchecked."""
        body = request.get("json")
        if op.body_schema and body is not None:
            check_body(op.where, body, op.body_schema)
        if extra_body:
            if not isinstance(body, dict):
                raise ValueError(f"{op.where}: extra_body needs a JSON object body")
            if API_KEY_FIELD in extra_body:
                raise ValueError(f"{op.where}: extra_body may not set {API_KEY_FIELD!r}: the client sets the key")
            request["json"] = {**body, **extra_body}

    def _prepare(self, op: Operation, request: dict[str, Any]) -> dict[str, Any]:
        """The request as sent: to this client's base URL, with the key where `op`'s security scheme puts it."""
        request["url"] = self.base_url + request["url"]  # absolute: httpx merges no base URL per call
        if self._request_headers:
            request["headers"] = {**self._request_headers, **request.get("headers", {})}
        elif "headers" in request and not request["headers"]:
            del request["headers"]  # an empty dict still costs httpx a header merge on every call
        if op.key_in:
            location, name, prefix = op.key_in
            if location == "header":
                request["headers"] = {**request.get("headers", {}), name: prefix + self._api_key}
            elif not self._owns_transport:
                raise ValueError(
                    f"{op.where} takes the key in the query string, which this client adds in its own transport: "
                    "pass httpx_args=... instead of http_client=..."
                )
            else:
                request["extensions"] = {QUERY_KEY_EXTENSION: (name, prefix + self._api_key)}
        return request

    def _borrowed(self) -> Self:
        """A copy that shares this client's connection pool (and whatever else it holds open) without owning it."""
        borrowed = copy.copy(self)
        borrowed._owns_http = False
        return borrowed

    def _until(self, deadline: float) -> Self:
        """A copy whose requests all end by `deadline` (a time.monotonic() value); it shares the pool."""
        bounded = self._borrowed()
        bounded._deadline = deadline
        return bounded

    def _attempt_timeout(self, op: Operation) -> Any:
        """The timeout of one attempt: the client's, cut to what is left before the deadline, if there is one."""
        if self._deadline is None:
            return self._request_timeout
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise errors.APITimeoutError(op.where)
        return bounded_timeout(self.timeout, left)

    def _retry_after_error(self, op: Operation, attempt: int, error: httpx.TransportError) -> float | None:
        """Seconds to wait before trying again after this transport error, or None: it is final."""
        retryable = RETRYABLE_ERRORS if op.name in self._RETRY_SAFE else NOT_SENT_ERRORS
        if attempt >= self.max_retries or not isinstance(error, retryable):
            return None
        return self._log_retry(op, type(error).__name__, attempt, retry_delay(attempt + 1, None))

    def _retry_after_status(self, op: Operation, attempt: int, response: httpx.Response) -> float | None:
        """Seconds to wait before trying again after this answer, or None: it is final."""
        status = response.status_code
        retried = op.name in self._RETRY_SAFE and status in RETRY_STATUSES
        refused = op.name in self._RETRY_REFUSED and status in REFUSED_STATUSES
        if not (retried or refused) or attempt >= self.max_retries:
            return None
        return self._log_retry(op, f"HTTP {status}", attempt, retry_delay(attempt + 1, response))

    def _log_retry(self, op: Operation, reason: str, attempt: int, delay: float) -> float | None:
        if self._deadline is not None and time.monotonic() + delay >= self._deadline:
            return None  # the retry would end after the deadline: this answer is final
        logger.info(
            "%s: %s, retrying in %.2f s (retry %d of %d)",
            op.where,
            reason,
            delay,
            attempt + 1,
            self.max_retries,
            extra={"retry": attempt + 1, "delay": delay},
        )
        return delay

    def _request_steps(
        self, op: Operation, parser: Parser, request: dict[str, Any], extra_body: Mapping[str, Any] | None
    ) -> Steps[Any]:
        """A request's steps (_steps): check, record, send, retry as `op` allows; its result or exception. The I/O
        (sending, sleeping) is yielded to the client's runner."""
        self._check(op, request, extra_body)
        request = self._prepare(op, request)
        recorder = self._recorder if op.generates else None
        entry = (
            None
            if recorder is None
            else recorder.sending(op.name, request, op.body_schema, self.base_url, self._profile)
        )
        attempt, in_flight = 0, entry is not None
        try:
            while True:
                logger.debug("%s: sending %s %s", op.where, request["method"].upper(), request["url"])
                sent = time.monotonic()
                try:
                    response = yield Call(self._http.request, kwargs={**request, "timeout": self._attempt_timeout(op)})
                except httpx.TransportError as error:
                    logger.info(
                        "%s: no answer (%s) after %.2f s", op.where, type(error).__name__, time.monotonic() - sent
                    )
                    delay = self._retry_after_error(op, attempt, error)
                    if delay is None:
                        failure = connection_error(op.where, error)
                        errors.redact(failure, request_secrets(self._api_key, request))
                        in_flight = False  # (recorded here, once)
                        if recorder is not None and entry is not None:
                            recorder.ended(entry, failure)
                        raise failure from error
                else:
                    logger.info("%s: HTTP %d in %.2f s", op.where, response.status_code, time.monotonic() - sent)
                    delay = self._retry_after_status(op, attempt, response)
                    if delay is None:
                        try:
                            result = self._result(op, parser, response)
                        except errors.APIError as answered:
                            errors.redact(answered, request_secrets(self._api_key, request))
                            raise
                        in_flight = False  # (answered: whatever happens next, it is not lost)
                        if recorder is not None and entry is not None:
                            recorder.answered(entry, result)
                        return result
                if in_flight and recorder is not None and entry is not None:
                    recorder.refused(entry, delay)
                    in_flight = False
                yield Call(self._sleep, (delay,))
                if recorder is not None and entry is not None:
                    recorder.resending(entry)
                    in_flight = True
                attempt += 1
        except BaseException as error:
            if in_flight and recorder is not None and entry is not None:
                recorder.ended(entry, error)
            raise

    def _result(self, op: Operation, parser: Parser, response: httpx.Response) -> Any:
        """The parsed body of a documented success status, or the exception this answer calls for."""
        status = response.status_code
        if 200 <= status < 300:
            if not op.documents(status):
                if vendor_error_body(response) is not None:
                    raise errors.OperationFailedError(op.where, response, vendor_error_body(response))
                raise errors.UnexpectedStatus(status, response.content, op.where)
            try:
                parsed = parse(parser, self._client, response)
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                failure = vendor_error_body(response)
                if failure is not None:  # the vendor's error shape, whatever the operation's success schema says
                    raise errors.OperationFailedError(op.where, response, failure) from None
                raise errors.InvalidResponse.from_error(op.where, response, error) from error
            if says_error(parsed):
                raise errors.OperationFailedError(op.where, response, parsed)
            return parsed
        if status < 400:
            raise errors.UnexpectedStatus(status, response.content, op.where)
        raise status_error(op.where, response, self._error_body(parser, response))

    def _error_body(self, parser: Parser, response: httpx.Response) -> object:
        """The spec's model for a documented error status when the body matches it, else the JSON, else None."""
        try:
            parsed = parser(client=self._client, response=response)
        except (ValueError, TypeError, KeyError, AttributeError):
            parsed = None
        if parsed is not None:
            return parsed
        try:
            return response.json()
        except ValueError:
            return None


class SyncAPIClient(BaseAPIClient):
    """The base of the synchronous high-level client."""

    _http_class = httpx.Client
    _sleep = staticmethod(time.sleep)

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        httpx_args: Mapping[str, Any] | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        self._configure(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            strict_response_validation,
            httpx_args,
            http_client,
        )
        self._http: httpx.Client = self._client.get_httpx_client()

    def close(self) -> None:
        """Close the connections (a client passed in as http_client is left open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def _request(
        self, op: Operation, parser: Parser, request: dict[str, Any], extra_body: Mapping[str, Any] | None = None
    ) -> Any:
        """Send `request` (an operation's httpx arguments), retrying as `op` allows; its result or exception."""
        return run(self._request_steps(op, parser, request, extra_body))


async def _async_sleep(seconds: float) -> None:
    import asyncio  # only async users pay for it

    await asyncio.sleep(seconds)


class AsyncAPIClient(BaseAPIClient):
    """The base of the asyncio high-level client."""

    _http_class = httpx.AsyncClient
    _sleep: Callable[[float], Awaitable[None]] = staticmethod(_async_sleep)

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        httpx_args: Mapping[str, Any] | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        self._configure(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            strict_response_validation,
            httpx_args,
            http_client,
        )
        self._http: httpx.AsyncClient = self._client.get_async_httpx_client()

    async def close(self) -> None:
        """Close the connections (a client passed in as http_client is left open)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()

    async def _request(
        self, op: Operation, parser: Parser, request: dict[str, Any], extra_body: Mapping[str, Any] | None = None
    ) -> Any:
        """Send `request` (an operation's httpx arguments), retrying as `op` allows; its result or exception."""
        return await run_async(self._request_steps(op, parser, request, extra_body))
