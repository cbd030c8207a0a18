"""openapi-core for the contract tests: the runtime's httpx adapters and cached OpenAPI (shared with the package's
spec-driven mock), and a spec copy that also lists a loopback server."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from codegen.runtime.testing.openapi_core_adapters import HttpxOpenAPIRequest, HttpxOpenAPIResponse, openapi_core
from enterprise3d_devkit.spec.loading import HTTP_METHODS, server_prefix

__all__ = ["HttpxOpenAPIRequest", "HttpxOpenAPIResponse", "openapi_core", "with_server"]


def with_server(spec: dict[str, Any], url: str) -> dict[str, Any]:
    """A copy of the spec that also lists `url` (same base path) as a server, and where a path or an operation
    names a server of its own, `url` with that server's prefix (spec_loading.server_prefix) as one more.

    openapi-core rejects a request whose URL matches none of the spec's servers; tests and the mock
    add their loopback server to a *copy* -- openapi.yaml itself stays the vendor's, byte for byte.
    """
    patched = copy.deepcopy(spec)
    patched["servers"] = [{"url": url.rstrip("/")}, *(patched.get("servers") or [])]
    # a path's or an operation's own server is reached from `url` as from the document's server
    for path, item in (patched.get("paths") or {}).items():
        for node, method in [(item, ""), *((item[m], m) for m in HTTP_METHODS if isinstance(item.get(m), dict))]:
            prefix = server_prefix(spec, path, method)
            if node.get("servers") and prefix is not None:
                node["servers"] = [{"url": str(httpx.URL(url.rstrip("/") + prefix))}, *node["servers"]]
    return patched
