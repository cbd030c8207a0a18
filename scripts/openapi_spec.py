"""Read openapi.yaml the way the tests, the demo and the mock server need it.

Everything here is derived from the spec at run time -- operations, documented statuses, schemas,
examples -- so that when the vendor's spec grows, whatever uses this module grows with it. Where a
name has to match the generated package, the generator's own naming functions are used
(openapi_python_client.strings / parser), not a re-implementation.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_python_client.parser.openapi import generate_operation_id
from openapi_python_client.schema.untrusted_string import UntrustedString
from openapi_python_client.strings import ClassName, PythonIdentifier
from werkzeug.datastructures import Headers, ImmutableMultiDict

from scripts.validate_spec import HTTP_METHODS

REPO = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO / "openapi.yaml"
PACKAGE = "modelslab_enterprise_3d"
# The generator's default prefix for identifiers that would otherwise be invalid (its config: field_prefix).
FIELD_PREFIX = "field_"


def run_generate_sh(*args: str, repo: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run a repo's generate.sh with this interpreter's venv first on PATH (it needs the pinned tools)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHON"] = sys.executable
    return subprocess.run(
        ["bash", str(repo / "generate.sh"), *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        document = yaml.safe_load(f)
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return document


def lookup(spec: dict[str, Any], ref: str) -> Any:
    """What a local $ref ('#/a/b') points at, unresolved."""
    target: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


def resolve(spec: dict[str, Any], node: Any, _seen: tuple[str, ...] = ()) -> Any:
    """Return node with every local $ref replaced by what it points at (recursively)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in _seen:
                raise ValueError(f"recursive $ref {ref} is not supported here")
            return resolve(spec, lookup(spec, ref), (*_seen, ref))
        return {key: resolve(spec, value, _seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(spec, value, _seen) for value in node]
    return node


def server_base_url(spec: dict[str, Any]) -> str:
    """The first server's URL: what the generated client's base_url should be in production."""
    servers = spec.get("servers") or [{"url": "/"}]
    return str(servers[0]["url"]).rstrip("/")


def server_base_path(spec: dict[str, Any]) -> str:
    return urlsplit(server_base_url(spec)).path.rstrip("/")


@dataclass(frozen=True)
class DocumentedResponse:
    status: int
    description: str
    content_type: str | None
    schema: dict[str, Any] | None  # $refs resolved
    model: str | None  # the generated model class the body parses into (generator's naming), if any


@dataclass(frozen=True)
class Operation:
    method: str  # lower case, as in the spec
    path: str  # as in the spec, without the server's base path
    operation_id: str | None
    tag: str
    module: str  # the generated module: modelslab_enterprise_3d.api.<tag>.<name>
    request_content_type: str | None
    request_schema: dict[str, Any] | None  # $refs resolved
    parameters: list[dict[str, Any]] = field(default_factory=list)  # path/query/header, $refs resolved
    responses: dict[int, DocumentedResponse] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_regex(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.path)) + "$")

    def default_status(self) -> int:
        """What a mock answers when no status is asked for: 200, else the lowest 2xx, else the lowest."""
        if 200 in self.responses:
            return 200
        success = sorted(s for s in self.responses if 200 <= s < 300)
        return success[0] if success else min(self.responses)


def _json_content(content: dict[str, Any] | None) -> tuple[str | None, dict[str, Any] | None]:
    if not content:
        return None, None
    for content_type, media in content.items():
        if content_type == "application/json" or content_type.endswith("+json"):
            return content_type, (media or {}).get("schema")
    first = next(iter(content))
    return first, (content[first] or {}).get("schema")


def endpoint_name(method: str, path: str, operation: dict[str, Any]) -> str:
    """The generator's name for an operation: its operationId, else one made from method and path."""
    operation_id = operation.get("operationId")
    if operation_id is None:
        return str(generate_operation_id(path=UntrustedString(path), method=method, prefix=FIELD_PREFIX))
    return str(PythonIdentifier(UntrustedString(operation_id), prefix=FIELD_PREFIX))


def generated_module(method: str, path: str, operation: dict[str, Any]) -> str:
    """The module openapi-python-client writes for an operation (first tag, operationId), by its naming."""
    tags = operation.get("tags") or ["default"]
    tag = PythonIdentifier(UntrustedString(tags[0]), prefix="tag")
    module_name = PythonIdentifier(UntrustedString(endpoint_name(method, path, operation)), prefix=FIELD_PREFIX)
    return f"{PACKAGE}.api.{tag}.{module_name}"


def response_model(spec: dict[str, Any], name: str, status: int, response: dict[str, Any]) -> str | None:
    """The generated class a documented response body parses into, named as the generator names it:
    a $ref'd component schema keeps its component name; an inline object is <Endpoint>Response<status>."""
    while "$ref" in response:  # follow the response's own $ref one hop at a time: keep the schema's $ref
        response = lookup(spec, response["$ref"])
    _, schema = _json_content(response.get("content"))
    if schema is None:
        return None
    if "$ref" in schema:
        return str(ClassName(UntrustedString(schema["$ref"].rsplit("/", 1)[-1]), prefix=FIELD_PREFIX))
    if resolve(spec, schema).get("type") == "object":
        return str(ClassName(UntrustedString(f"{name}_response_{status}"), prefix=FIELD_PREFIX))
    return None


def iter_operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            unresolved = item[method]
            name = endpoint_name(method, path, unresolved)
            raw = resolve(spec, unresolved)
            body = raw.get("requestBody") or {}
            content_type, schema = _json_content(body.get("content"))
            responses = {}
            for status, response in (raw.get("responses") or {}).items():
                if not str(status).isdigit():
                    continue  # "default" / "2XX" ranges: the generator does not parse them either
                response_type, response_schema = _json_content(response.get("content"))
                responses[int(status)] = DocumentedResponse(
                    status=int(status),
                    description=response.get("description", ""),
                    content_type=response_type,
                    schema=response_schema,
                    model=response_model(spec, name, int(status), unresolved["responses"][status]),
                )
            parameters = [*resolve(spec, item.get("parameters") or []), *(raw.get("parameters") or [])]
            yield Operation(
                method=method,
                path=path,
                operation_id=raw.get("operationId"),
                tag=(raw.get("tags") or ["default"])[0],
                module=generated_module(method, path, raw),
                request_content_type=content_type,
                request_schema=schema,
                parameters=parameters,
                responses=responses,
            )


def operations(spec: dict[str, Any] | None = None) -> list[Operation]:
    return list(iter_operations(spec if spec is not None else load_spec()))


# --- instances built from the spec's own examples -------------------------------------------------

_FORMAT_SAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com",
    "binary": "",
    "byte": "",
}


def example_instance(schema: dict[str, Any]) -> Any:
    """A value valid against a resolved schema, preferring the spec's own `example`s."""
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    if schema.get("examples"):
        examples = schema["examples"]
        return copy.deepcopy(examples[0] if isinstance(examples, list) else next(iter(examples.values())))
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    if "enum" in schema:
        return schema["enum"][0]
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in schema:
            parts = [example_instance(part) for part in schema[combinator]]
            if combinator == "allOf" and all(isinstance(p, dict) for p in parts):
                merged: dict[str, Any] = {}
                for part in parts:
                    merged.update(part)
                return merged
            return parts[0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: example_instance(prop) for name, prop in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [example_instance(schema.get("items") or {})]
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return True
    if kind == "string":
        sample = _FORMAT_SAMPLES.get(schema.get("format", ""), "string")
        return sample.ljust(int(schema.get("minLength", 0)), "x")
    return None


# --- openapi-core adapters (it ships none for httpx) ------------------------------------------------


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


def with_server(spec: dict[str, Any], url: str) -> dict[str, Any]:
    """A copy of the spec that also lists `url` (same base path) as a server.

    openapi-core rejects a request whose URL matches none of the spec's servers; tests and the mock
    add their loopback server to a *copy* -- openapi.yaml itself stays the vendor's, byte for byte.
    """
    patched = copy.deepcopy(spec)
    patched["servers"] = [{"url": url.rstrip("/")}, *(patched.get("servers") or [])]
    return patched


@cache
def _openapi_for(spec_yaml: str) -> OpenAPI:
    return OpenAPI.from_dict(yaml.safe_load(spec_yaml))


def openapi_core(spec: dict[str, Any]) -> OpenAPI:
    """An openapi-core OpenAPI object for a spec dict (cached: building one costs ~10 ms)."""
    return _openapi_for(yaml.safe_dump(spec, sort_keys=True))
