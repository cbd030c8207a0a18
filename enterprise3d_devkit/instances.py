"""Values built from a spec's schemas: what the mock answers, what the tests send."""

from __future__ import annotations

import copy
from typing import Any

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
