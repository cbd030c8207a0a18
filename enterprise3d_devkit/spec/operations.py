"""The operations of a spec, as the generated client names them.

Everything is derived from the spec at run time -- operations, documented statuses, schemas -- so that
whatever uses this module grows with the spec. What an operation is comes from the runtime's reading of a document
(the package's spec-driven mock reads it so too); the names that must match the generated package come from the
generator's own naming functions (openapi_python_client.strings / parser), not a re-implementation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openapi_python_client.parser.openapi import generate_operation_id
from openapi_python_client.schema.untrusted_string import UntrustedString
from openapi_python_client.strings import ClassName, PythonIdentifier

from codegen.runtime.testing import spec_reading
from codegen.runtime.testing.spec_reading import iter_spec_operations, json_content
from enterprise3d_devkit.repo.layout import FIELD_PREFIX, PACKAGE
from enterprise3d_devkit.spec.loading import HTTP_METHODS, resolve, server_base_path, server_base_url, walk

__all__ = ["HTTP_METHODS", "DocumentedResponse", "Operation", "operations", "server_base_path", "server_base_url"]


@dataclass(frozen=True)
class DocumentedResponse(spec_reading.DocumentedResponse):
    model: str | None = None  # the generated model class the body parses into (generator's naming), if any
    item_model: str | None = None  # for a top-level array of models: the model of each item (set from the plans)


@dataclass(frozen=True)
class Operation(spec_reading.SpecOperation):
    responses: Mapping[int, DocumentedResponse] = dataclasses.field(default_factory=dict)
    module: str = ""  # the generated module: modelslab_enterprise_3d.api.<tag>.<name>

    @property
    def parses_bodies(self) -> bool:
        """Whether any documented response has a body: only then does the generator write sync()/asyncio()
        beside the *_detailed functions."""
        return any(response.schema is not None for response in self.responses.values())


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
    _, schema = json_content(response.get("content"))
    if schema is None:
        return None
    if "$ref" in schema:
        return str(ClassName(UntrustedString(schema["$ref"].rsplit("/", 1)[-1]), prefix=FIELD_PREFIX))
    if resolve(spec, schema).get("type") == "object":
        return str(ClassName(UntrustedString(f"{name}_response_{status}"), prefix=FIELD_PREFIX))
    return None


def iter_operations(spec: dict[str, Any]) -> Iterator[Operation]:
    paths = spec.get("paths") or {}
    for read in iter_spec_operations(spec):
        unresolved = paths[read.path][read.method]
        name = endpoint_name(read.method, read.path, unresolved)
        documented: dict[Any, Any] = unresolved.get("responses") or {}
        responses = {
            status: DocumentedResponse(
                **_fields(response),
                model=response_model(
                    spec, name, status, documented[str(status) if str(status) in documented else status]
                ),
            )
            for status, response in read.responses.items()
        }
        module = generated_module(read.method, read.path, unresolved)
        yield Operation(**{**_fields(read), "responses": responses}, module=module)


def _fields(instance: Any) -> dict[str, Any]:
    """A dataclass instance's fields, by name (shallow: what the runtime read, handed on as it is)."""
    return {f.name: getattr(instance, f.name) for f in dataclasses.fields(instance)}


def operations(spec: dict[str, Any]) -> list[Operation]:
    return list(iter_operations(spec))
