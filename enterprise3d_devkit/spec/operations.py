"""The operations of a spec, as the generated client names them.

Everything is derived from the spec at run time -- operations, documented statuses, schemas -- so that
whatever uses this module grows with the spec. Names that must match the generated package come from the
generator's own naming functions (openapi_python_client.strings / parser), not a re-implementation.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openapi_python_client.parser.openapi import generate_operation_id
from openapi_python_client.schema.untrusted_string import UntrustedString
from openapi_python_client.strings import ClassName, PythonIdentifier

from enterprise3d_devkit.repo.layout import FIELD_PREFIX, PACKAGE
from enterprise3d_devkit.spec.loading import (
    HTTP_METHODS,
    resolve,
    server_base_path,
    server_base_url,
    server_prefix,
    walk,
)
from enterprise3d_devkit.spec.security import KeyPlacement, key_placement

__all__ = ["HTTP_METHODS", "DocumentedResponse", "Operation", "operations", "server_base_path", "server_base_url"]


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
    openapi_version: str = "3.0.0"  # the document's `openapi`: which schema dialect its schemas use
    # where its own server (on its path or itself) is, relative to the document's: "" (the document's), "/..", ...
    prefix: str = ""
    key: KeyPlacement | None = None  # where a security scheme the operation declares puts the key (else the body)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def served_path(self, base_path: str) -> str:
        """Its path as a request's URL has it under the document's server path `base_path`, its own server's prefix
        applied ("/api/v1/enterprise/3d" + "/.." + "/update_s3" is "/api/v1/enterprise/update_s3")."""
        return posixpath.normpath(base_path + self.prefix + self.path) if self.prefix else base_path + self.path

    def served_regex(self, base_path: str) -> re.Pattern[str]:
        """Matches the URL paths of its requests (served_path with any value of each path parameter)."""
        pattern = re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(self.served_path(base_path)))
        return re.compile("^" + pattern + "$")

    @property
    def parses_bodies(self) -> bool:
        """Whether any documented response has a body: only then does the generator write sync()/asyncio()
        beside the *_detailed functions."""
        return any(response.schema is not None for response in self.responses.values())

    @property
    def path_parameters(self) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p.get("in") == "path"]

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
        response = walk(spec, response["$ref"])
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
                openapi_version=str(spec.get("openapi", "3.0.0")),
                prefix=server_prefix(spec, path, method) or "",
                key=key_placement(spec, raw),
            )


def operations(spec: dict[str, Any]) -> list[Operation]:
    return list(iter_operations(spec))
