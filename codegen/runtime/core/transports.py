"""How the clients reach the server: the transports they build themselves (so that a client's copies share one
connection pool), the SSL context shared by every client of a process, the transport that adds a query-parameter
key below httpx (so that no logged or raised request holds it), and the timeouts bounded by a deadline.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Mapping
from typing import Any

import httpx

# The settings of httpx.Client that belong to its transport (the connection pool), which copies of a client share.
TRANSPORT_SETTINGS = ("cert", "trust_env", "http1", "http2", "limits")


def as_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def bounded_timeout(timeout: float | httpx.Timeout | None, seconds: float) -> httpx.Timeout:
    """`timeout`, with no phase (connect, read, write, pool) longer than `seconds`."""
    full = as_timeout(timeout)

    def bound(phase: float | None) -> float:
        return seconds if phase is None else min(phase, seconds)

    return httpx.Timeout(
        connect=bound(full.connect), read=bound(full.read), write=bound(full.write), pool=bound(full.pool)
    )


def split_transport_settings(
    httpx_args: Mapping[str, Any], verify: str | bool | ssl.SSLContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the transport's settings, the httpx.Client's others) of a client's httpx arguments. A client builds its
    transport itself, with httpx's public constructors, so that its copies can share it: httpx has no public way to
    read a client's transport back."""
    rest = dict(httpx_args)
    verify = rest.pop("verify", verify)  # httpx_args={"verify": ...} is the transport's, as verify_ssl is
    transport = {name: rest.pop(name) for name in TRANSPORT_SETTINGS if name in rest}
    if "trust_env" in transport:
        rest["trust_env"] = transport["trust_env"]  # httpx.Client reads it too (proxies from the environment)
    return {"verify": verify, **transport}, rest


def transport_settings(httpx_args: Mapping[str, Any], verify: str | bool | ssl.SSLContext) -> dict[str, Any]:
    """The settings a client's own transport is built with: verify=True becomes the shared default SSL context."""
    settings = split_transport_settings(httpx_args, verify)[0]
    if settings["verify"] is True and "cert" not in settings:  # (httpx builds a context holding a client cert)
        settings["verify"] = default_ssl_context(bool(settings.get("trust_env", True)), bool(settings.get("http2")))
    return settings


def default_ssl_context(trust_env: bool, http2: bool) -> ssl.SSLContext:
    """The SSL context httpx would build for `verify=True`, built once per process and shared by every client.

    httpx builds a new one for each client, and loading the CA bundle costs more than a whole call to a local
    server. A context is safe to share between connections and threads. Clients with and without HTTP/2
    get different contexts, because the connection pool sets the ALPN protocols on the context it is given; and
    the environment the context is built from is part of the key: with `trust_env`, the CA bundle named by
    SSL_CERT_FILE or SSL_CERT_DIR (as httpx reads them), and always SSLKEYLOGFILE (as the ssl module reads it).
    """
    names = ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE") if trust_env else ("SSLKEYLOGFILE",)
    return _ssl_context(trust_env, http2, tuple(os.environ.get(name) for name in names))


@functools.cache
def _ssl_context(trust_env: bool, http2: bool, environment: tuple[str | None, ...]) -> ssl.SSLContext:
    del http2, environment  # (only the cache's key: see default_ssl_context)
    return httpx.create_ssl_context(verify=True, trust_env=trust_env)


# The request extension that carries a query-parameter key (name, key) to the transport: see QueryKeyTransport.
QUERY_KEY_EXTENSION = "modelslab_query_key"


def with_query_key(request: httpx.Request) -> httpx.Request:
    """The request to put on the wire: its URL with the key a query-parameter scheme asks for, when it has one.

    The key is added below httpx's client, in the transport: httpx logs the URL of the request it sent, and that
    request (the one an answer or an error names) never holds the key."""
    carried = request.extensions.get(QUERY_KEY_EXTENSION)
    if carried is None:
        return request
    name, key = carried
    return httpx.Request(
        request.method,
        request.url.copy_merge_params({name: key}),
        headers=request.headers,
        stream=request.stream,
        extensions={k: v for k, v in request.extensions.items() if k != QUERY_KEY_EXTENSION},
    )


class QueryKeyTransport(httpx.BaseTransport):
    """A client's transport: adds a query-parameter key to the request it sends (with_query_key)."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._transport.handle_request(with_query_key(request))

    def close(self) -> None:
        self._transport.close()


class AsyncQueryKeyTransport(httpx.AsyncBaseTransport):
    """An async client's transport: adds a query-parameter key to the request it sends (with_query_key)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._transport.handle_async_request(with_query_key(request))

    async def aclose(self) -> None:
        await self._transport.aclose()


def http_transport(httpx_args: Mapping[str, Any], verify: str | bool | ssl.SSLContext) -> httpx.BaseTransport:
    given = httpx_args.get("transport")
    return QueryKeyTransport(
        given if given is not None else httpx.HTTPTransport(**transport_settings(httpx_args, verify))
    )


def async_http_transport(
    httpx_args: Mapping[str, Any], verify: str | bool | ssl.SSLContext
) -> httpx.AsyncBaseTransport:
    given = httpx_args.get("transport")
    inner = given if given is not None else httpx.AsyncHTTPTransport(**transport_settings(httpx_args, verify))
    return AsyncQueryKeyTransport(inner)


def httpx_client_settings(httpx_args: Mapping[str, Any], verify: str | bool | ssl.SSLContext) -> dict[str, Any]:
    """The httpx.Client / AsyncClient arguments left once the transport is built from the rest."""
    rest = split_transport_settings(httpx_args, verify)[1]
    rest.pop("transport", None)
    return rest


class UnclosedTransport(httpx.BaseTransport):
    """A transport of the caller's, lent to a short-lived client (the file host's) that must not close it."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._transport.handle_request(request)


class AsyncUnclosedTransport(httpx.AsyncBaseTransport):
    """An async transport of the caller's, lent to a short-lived client that must not close it."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._transport.handle_async_request(request)
