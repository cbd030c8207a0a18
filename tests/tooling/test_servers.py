"""Servers on a path or an operation: where each operation is served relative to the document's server, written
into its URL; a server on another host refused. The spec-generic suite runs on a document of our own with such
servers (tests/fixtures/documents/path-servers.openapi.yaml, in `make test-corpus`); this checks the rule itself."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from enterprise3d_devkit.generation.template_data import server_prefixes
from enterprise3d_devkit.spec.loading import SpecError, load_spec, server_prefix
from enterprise3d_devkit.spec.openapi_core_adapters import with_server
from enterprise3d_devkit.spec.validation import check_servers
from tests.support.vendor import DOCUMENTS

DOCUMENT = DOCUMENTS / "path-servers.openapi.yaml"


def spec_with(server: str, where: str = "path") -> dict[str, Any]:
    operation: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    item: dict[str, Any] = {"post": operation}
    (item if where == "path" else operation)["servers"] = [{"url": server}]
    return {"openapi": "3.0.3", "servers": [{"url": "https://h.example/api/v1/3d"}], "paths": {"/x": item}}


@pytest.mark.parametrize(
    ("server", "prefix"),
    [
        ("https://h.example/api/v1/3d", ""),
        ("https://h.example/api/v1/3d/", ""),
        ("https://h.example/api/v1", "/.."),
        ("https://h.example/api/v1/3d/next", "/next"),
        ("https://h.example/api/v2/3d", "/../../v2/3d"),
        ("https://other.example/api/v1", None),
        ("http://h.example/api/v1/3d", None),
    ],
)
@pytest.mark.parametrize("where", ["path", "operation"])
def test_an_operations_server_is_relative_to_the_documents(server: str, prefix: str | None, where: str) -> None:
    spec = spec_with(server, where)
    assert server_prefix(spec, "/x", "post") == prefix
    if prefix is None:
        with pytest.raises(SpecError, match="another host") as caught:
            check_servers(spec)
        assert caught.value.where.endswith("['servers']"), caught.value.where
    else:
        check_servers(spec)
        # with the document's own server as base URL, the URL the client builds is the operation's server's
        url = httpx.URL("https://h.example/api/v1/3d" + prefix + "/x")
        assert str(url) == server.rstrip("/") + "/x"


def test_the_document_of_our_own_names_each_kind_and_its_urls_follow_any_base_url() -> None:
    spec = load_spec(DOCUMENT)
    prefixes = server_prefixes(spec)
    assert sorted(prefixes.values()) == ["/..", "/../../v1/things", "/next"], prefixes
    base = "http://127.0.0.1:4010/api/v2/things"  # a mock, a proxy: the rule holds relative to any base URL
    urls = {label: str(httpx.URL(base + prefix + label.split(" ", 1)[1])) for label, prefix in prefixes.items()}
    assert urls == {
        "POST /settings": "http://127.0.0.1:4010/api/v2/settings",
        "POST /echo/{word}": "http://127.0.0.1:4010/api/v2/things/next/echo/%7Bword%7D",
        "POST /versions": "http://127.0.0.1:4010/api/v1/things/versions",
    }
    # openapi-core matches a request at the loopback server under each operation's own server too
    patched = with_server(spec, base)
    assert patched["paths"]["/settings"]["servers"][0]["url"] == "http://127.0.0.1:4010/api/v2"
