"""Values built from a spec's schemas: what the spec-driven mock answers, what tests send.

Every value is *valid* against its schema. The spec's own `example` / `examples` / `default` are preferred, but
only when they satisfy the schema: vendors publish examples that break their own schemas (a `pattern`, a renamed
required field). Otherwise a value is built from the schema's constraints (a `pattern`'s string by exrex: the first
of its matches that fits the lengths); where that is not enough (a tricky combination), hypothesis-jsonschema finds
one, bounded in time and examples, when it is installed (the mock does not need it).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from .mock_options import TESTING_EXTRA
from .spec_reading import SpecOperation

try:
    from jsonschema.protocols import Validator
    from openapi_schema_validator import OAS31Validator, oas31_format_checker
except ImportError as missing:  # (the testing extra)
    raise ImportError(TESTING_EXTRA) from missing

__all__ = [
    "NoInstance",
    "example_path",
    "is_openapi_31",
    "is_valid",
    "request_instance",
    "response_instance",
    "to_json_schema",
    "valid_instance",
    "validator_for",
]

_FORMAT_SAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "binary": "",
    "byte": "",
}


class NoInstance(ValueError):
    """No value satisfies the schema (or none could be found in the time allowed)."""


def is_openapi_31(version: str) -> bool:
    return version.startswith("3.1")


@functools.cache
def _validator(schema_json: str, version: str) -> Validator:
    # A 3.0 schema is validated as the JSON Schema it means (to_json_schema: `nullable` becomes a null type):
    # openapi-schema-validator's OAS30Validator loses `nullable` inside oneOf/anyOf branches and rejects a null
    # the schema allows (the bug openapi-core inherits, python-openapi/openapi-core#277).
    schema = to_json_schema(json.loads(schema_json), version)
    validator: Validator = OAS31Validator(schema, format_checker=oas31_format_checker)
    return validator


def validator_for(schema: Any, version: str) -> Validator:
    """A cached jsonschema validator for a resolved OpenAPI schema (3.0 with `nullable`, or 3.1)."""
    return _validator(json.dumps(schema, sort_keys=True, default=str), "3.1" if is_openapi_31(version) else "3.0")


def is_valid(value: Any, schema: Any, version: str) -> bool:
    return bool(validator_for(schema, version).is_valid(value))


def _examples(schema: dict[str, Any]) -> Iterator[Any]:
    """The values a schema offers as examples, in the order a reader meets them."""
    if "example" in schema:
        yield schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list):
        yield from examples
    elif isinstance(examples, dict):  # OpenAPI example objects
        yield from (e.get("value") for e in examples.values() if isinstance(e, dict) and "value" in e)
    if "default" in schema:
        yield schema["default"]


def _build(schema: Any, version: str, depth: int = 0) -> Any:
    """A value shaped by the schema's constraints (valid in all usual cases; the caller checks)."""
    if not isinstance(schema, dict) or depth > 12:
        return None
    for example in _examples(schema):
        if is_valid(example, schema, version):
            return copy.deepcopy(example)
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    if schema.get("enum"):
        return copy.deepcopy(schema["enum"][0])
    if "allOf" in schema:
        parts = [_build(part, version, depth + 1) for part in schema["allOf"]]
        if all(isinstance(part, dict) for part in parts):
            merged: dict[str, Any] = {}
            for part in parts:
                merged.update(part)
            own = {k: v for k, v in schema.items() if k != "allOf"}
            if own.get("properties"):
                merged.update(_build({**own, "type": "object"}, version, depth + 1) or {})
            return merged
        return parts[0] if parts else None
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            candidates = [_build(branch, version, depth + 1) for branch in schema[combinator]]
            for candidate in candidates:
                if is_valid(candidate, schema, version):
                    return candidate
            return candidates[0] if candidates else None
    kind = schema.get("type")
    if isinstance(kind, list):  # 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        properties = schema.get("properties") or {}
        return {name: _build(prop, version, depth + 1) for name, prop in properties.items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        if schema.get("maxItems") == 0:
            count = 0
        return [_build(schema.get("items") or {}, version, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "string":
        if "pattern" in schema:  # a regex to satisfy
            matched = _matching(schema)
            if matched is not None:
                return matched
        sample = _FORMAT_SAMPLES.get(str(schema.get("format", "")), "string")
        minimum, maximum = int(schema.get("minLength", 0)), schema.get("maxLength")
        sample = sample.ljust(minimum, "x")
        return sample[: int(maximum)] if maximum is not None else sample
    return "string" if kind is None and not schema else None


def _number(schema: dict[str, Any], kind: str) -> int | float:
    low = schema.get("minimum")
    exclusive_low = schema.get("exclusiveMinimum")
    if isinstance(exclusive_low, bool):  # 3.0: a flag on minimum
        exclusive_low = low if exclusive_low else None
    value: float = 0
    if low is not None:
        value = float(low)
    if exclusive_low is not None:
        value = max(value, float(exclusive_low) + (1 if kind == "integer" else 0.5))
    high = schema.get("maximum")
    if high is not None and value > float(high):
        value = float(high)
    step = schema.get("multipleOf")
    if step:
        value = (value // float(step)) * float(step)
        if low is not None and value < float(low):
            value += float(step)
    return int(value) if kind == "integer" else float(value)


# How many of a pattern's matches are tried for one that fits the string's lengths.
PATTERN_TRIES = 200


def _matching(schema: dict[str, Any]) -> str | None:
    """The first string exrex generates for the schema's pattern that fits its lengths (the same one every time),
    or None."""
    import re

    try:
        import exrex  # type: ignore[import-untyped]
    except ImportError as missing:  # (the testing extra)
        raise ImportError(TESTING_EXTRA) from missing
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    try:
        for candidate in exrex.generate(str(schema["pattern"]), limit=PATTERN_TRIES):
            fits = len(candidate) >= low and (high is None or len(candidate) <= int(high))
            if fits and re.search(str(schema["pattern"]), candidate):  # (exrex reads a few constructs loosely)
                return str(candidate)
    except Exception:  # (a pattern exrex cannot read: left to the search)
        return None
    return None


def _search(schema: dict[str, Any], version: str) -> Any:
    """hypothesis-jsonschema's smallest instance of the schema, bounded: a few seconds at most; NoInstance without
    it (the mock does not need it: the extra does not install it, so that your hypothesis can be any release)."""
    try:
        from hypothesis import HealthCheck, find, settings
        from hypothesis_jsonschema import from_schema
    except ImportError:
        raise NoInstance(
            "no instance of the schema could be built (hypothesis-jsonschema would search for one)"
        ) from None

    bounded = settings(
        max_examples=200, database=None, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    try:
        return find(from_schema(to_json_schema(schema, version)), lambda value: True, settings=bounded)
    except Exception as exc:  # no example, unsatisfiable, or a schema hypothesis-jsonschema rejects outright
        raise NoInstance(f"no instance of the schema could be found ({type(exc).__name__})") from exc


@functools.cache
def _valid_instance(schema_json: str, version: str) -> str:
    schema = json.loads(schema_json)
    value = _build(schema, version)
    if not is_valid(value, schema, version):
        value = _search(schema, version)
        if not is_valid(value, schema, version):
            raise NoInstance("the instance found does not satisfy the schema")
    return json.dumps(value)


def valid_instance(schema: Any, version: str = "3.0") -> Any:
    """A value valid against a resolved schema, preferring the spec's own valid examples (a fresh copy each call)."""
    if not schema:
        return {}
    return json.loads(_valid_instance(json.dumps(schema, sort_keys=True), "3.1" if is_openapi_31(version) else "3.0"))


def to_json_schema(schema: Any, version: str = "3.0") -> Any:
    """An OpenAPI schema as plain JSON Schema, for hypothesis-jsonschema: 3.0's `nullable` becomes a null type,
    OpenAPI-only keywords go."""
    if isinstance(schema, list):
        return [to_json_schema(item, version) for item in schema]
    if not isinstance(schema, dict):
        return schema
    dropped = {"example", "examples", "nullable", "discriminator", "xml", "externalDocs", "readOnly", "writeOnly"}
    converted = {key: to_json_schema(value, version) for key, value in schema.items() if key not in dropped}
    if "properties" in schema:
        converted["properties"] = {name: to_json_schema(sub, version) for name, sub in schema["properties"].items()}
    if schema.get("nullable") and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    if not is_openapi_31(version) and isinstance(schema.get("exclusiveMinimum"), bool):
        converted.pop("exclusiveMinimum")
        if schema["exclusiveMinimum"] and "minimum" in schema:
            converted["exclusiveMinimum"] = converted.pop("minimum")
    if not is_openapi_31(version) and isinstance(schema.get("exclusiveMaximum"), bool):
        converted.pop("exclusiveMaximum")
        if schema["exclusiveMaximum"] and "maximum" in schema:
            converted["exclusiveMaximum"] = converted.pop("maximum")
    return converted


def example_path(op: SpecOperation) -> str:
    """The operation's path relative to the base URL, with every `{parameter}` filled by a valid value of its schema
    (URL-quoted); an operation served by a server of its own starts with its prefix ("/../update_s3")."""
    path = op.prefix + op.path
    for parameter in op.path_parameters:
        value = valid_instance(parameter.get("schema") or {"type": "string"}, op.openapi_version)
        path = path.replace("{" + str(parameter["name"]) + "}", quote(str(value), safe=""))
    return path


def response_instance(op: SpecOperation, status: int) -> Any:
    """A valid body for a documented response of the operation ({} when it documents none)."""
    return valid_instance(op.responses[status].schema, op.openapi_version)


def request_instance(op: SpecOperation) -> Any:
    """A valid request body for the operation ({} when it takes none)."""
    return valid_instance(op.request_schema, op.openapi_version)
