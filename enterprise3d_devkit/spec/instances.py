"""Values built from a spec's schemas (the runtime's, shared with the package's spec-driven mock), and the findings
about a spec's own examples.

An `example` / `examples` / `default` that breaks its own schema is a finding about the spec (`example_findings`),
never a value to send.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from codegen.runtime.testing.instances import (
    NoInstance,
    example_path,
    is_openapi_31,
    is_valid,
    request_instance,
    response_instance,
    to_json_schema,
    valid_instance,
    validator_for,
)
from enterprise3d_devkit.spec.loading import iter_nodes, json_path, resolve

__all__ = [
    "NoInstance",
    "example_findings",
    "example_path",
    "is_openapi_31",
    "is_valid",
    "request_instance",
    "response_instance",
    "to_json_schema",
    "valid_instance",
    "validator_for",
]


def example_findings(spec: dict[str, Any]) -> list[str]:
    """Every `example` / `examples` / `default` in the spec that breaks its own schema, with its JSONPath."""
    version = str(spec.get("openapi", "3.0"))
    findings: list[str] = []
    for path, node in iter_nodes(spec):
        if _looks_like_schema(node):
            schema = resolve(spec, node)
            own = {k: v for k, v in schema.items() if k not in ("example", "examples", "default")}
            for key in ("example", "default"):
                if key in node and not is_valid(node[key], own, version):
                    findings.append(f"{json_path((*path, key))}: the {key} does not satisfy its schema")
            for index, value in enumerate(node["examples"] if isinstance(node.get("examples"), list) else []):
                if not is_valid(value, own, version):
                    findings.append(f"{json_path((*path, 'examples', index))}: the example does not satisfy its schema")
        if isinstance(node.get("schema"), dict):  # a media type or a parameter: its examples are of `schema`
            schema = resolve(spec, node["schema"])
            for where, value in _media_examples(node):
                if not is_valid(value, schema, version):
                    findings.append(f"{json_path((*path, *where))}: the example does not satisfy its schema")
    return findings


def _media_examples(node: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(where, value) of a media type's or parameter's `example` and of each `examples` entry's `value`."""
    if "example" in node:
        yield ("example",), node["example"]
    examples = node.get("examples")
    if isinstance(examples, dict):
        for name, example in examples.items():
            if isinstance(example, dict) and "value" in example:
                yield ("examples", name, "value"), example["value"]


def _looks_like_schema(node: dict[str, Any]) -> bool:
    return ("type" in node or "properties" in node or "$ref" in node) and any(
        key in node for key in ("example", "examples", "default")
    )
