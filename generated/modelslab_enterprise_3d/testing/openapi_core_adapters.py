"""openapi-core for httpx, for the spec-driven mock: it ships no adapters for httpx's Request/Response; and a cached
OpenAPI per spec."""

from __future__ import annotations

import copy
from http.cookies import SimpleCookie
from typing import Any

import httpx

from .mock_options import TESTING_EXTRA

try:
    from openapi_core import Config, OpenAPI
    from openapi_core.datatypes import RequestParameters
    from werkzeug.datastructures import Headers, ImmutableMultiDict
except ImportError as missing:  # (the testing extra)
    raise ImportError(TESTING_EXTRA) from missing

__all__ = ["HttpxOpenAPIRequest", "HttpxOpenAPIResponse", "openapi_core"]


class HttpxOpenAPIRequest:
    """An httpx.Request seen through openapi-core's Request protocol."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request
        url = request.url
        self.host_url = f"{url.scheme}://{url.netloc.decode('ascii')}"
        self.path = url.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(url.params.multi_items())),
            header=Headers(list(request.headers.multi_items())),
            cookie=ImmutableMultiDict(
                [(name, morsel.value) for name, morsel in SimpleCookie(request.headers.get("cookie", "")).items()]
            ),
        )

    @property
    def body(self) -> bytes:
        return self.request.read()

    @property
    def content_type(self) -> str:
        return str(self.request.headers.get("content-type", "")).lower()


class HttpxOpenAPIResponse:
    """An httpx.Response seen through openapi-core's Response protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        self.headers = Headers(list(response.headers.multi_items()))

    @property
    def data(self) -> bytes:
        return self.response.read()

    @property
    def content_type(self) -> str:
        return str(self.response.headers.get("content-type", "")).lower()


# Building an OpenAPI object is costly, and a content key (dumping the spec) more so: cached by the spec dict's
# identity instead, holding the dict so that its id cannot be reused. Callers pass specs they do not mutate after.
_OPENAPI_CACHE: dict[int, tuple[dict[str, Any], OpenAPI]] = {}
# openapi-core validates the whole document again each time an OpenAPI object is built (most of that cost); the
# package's own document was validated before the package was generated, so that check is switched off.
_NO_SPEC_CHECK = Config(spec_validator_cls=None)  # type: ignore[arg-type]  # None: no check (its check_spec), unannotated


def openapi_core(spec: dict[str, Any]) -> OpenAPI:
    """An openapi-core OpenAPI object for a spec dict (cached per dict)."""
    cached = _OPENAPI_CACHE.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = (spec, OpenAPI.from_dict(copy.deepcopy(spec), config=_NO_SPEC_CHECK))
        _OPENAPI_CACHE[id(spec)] = cached
    return cached[1]
