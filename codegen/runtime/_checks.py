"""Checking a request body against the spec before it is sent: a paid request that the spec already forbids is
refused here, with a ValueError naming the field and what is allowed, and nothing reaches the server.

The schema of each operation's body is the spec's (references resolved), reduced to the keywords checked here and
written into the generated client: types (and nullable), enum, minimum / maximum (inclusive and exclusive),
minLength / maxLength, required, properties, items, allOf / anyOf / oneOf. Fields the spec does not list are not
refused (the server may know them; `extra_body=` sends them on purpose, unchecked).
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any

from ._vendor_facts import CREDENTIAL_FIELDS

# The keywords the generated client keeps of a body's schema (the generator's data step reduces schemas to them).
CHECKED_KEYWORDS = frozenset(
    {
        "default",  # (not checked: it tells which required fields a caller may leave out)
        "type",
        "nullable",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "required",
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
    }
)

_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


@functools.cache
def schema_of(text: str) -> dict[str, Any]:
    """A body schema as the generated client carries it (JSON text), parsed once."""
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def shown(field: str, value: object) -> str:
    """A value for an error message; never a credential's."""
    if field.rsplit(".", 1)[-1].lower() in CREDENTIAL_FIELDS:
        return "the value given"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def problem(value: Any, schema: dict[str, Any], field: str) -> str | None:
    """What is wrong with `value` at `field` under `schema`, or None when nothing is."""
    if value is None and schema.get("nullable") is True:
        return None
    types = schema.get("type")
    allowed = [types] if isinstance(types, str) else list(types or [])
    if allowed and not any(_TYPES.get(kind, lambda v: True)(value) for kind in allowed):
        return f"{field or 'the body'} must be {' or '.join(allowed)}, not {shown(field, value)}"
    if "enum" in schema and value not in schema["enum"]:
        listed = ", ".join(repr(item) for item in schema["enum"])
        return f"{field or 'the body'} must be one of {listed}, not {shown(field, value)}"
    if "const" in schema and value != schema["const"]:
        return f"{field or 'the body'} must be {schema['const']!r}, not {shown(field, value)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        found = _bound_problem(value, schema, field)
        if found:
            return found
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"{field or 'the body'} must be at least {schema['minLength']} characters long"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"{field or 'the body'} must be at most {schema['maxLength']} characters long"
    if isinstance(value, dict):
        for name in schema.get("required") or []:
            # (a required field with a default is filled in by the client's model when not given)
            if name not in value and "default" not in ((schema.get("properties") or {}).get(name) or {}):
                return f"{_join(field, name)} is required"
        for name, item in value.items():
            sub = (schema.get("properties") or {}).get(name)
            if isinstance(sub, dict):
                found = problem(item, sub, _join(field, name))
                if found:
                    return found
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found = problem(item, schema["items"], f"{field}[{index}]")
            if found:
                return found
    for part in schema.get("allOf") or []:
        found = problem(value, part, field)
        if found:
            return found
    for keyword in ("anyOf", "oneOf"):
        variants = schema.get(keyword) or []
        if variants:
            problems = [problem(value, variant, field) for variant in variants]
            if all(problems):
                first = str(problems[0])
                return first if len(problems) == 1 else f"{field or 'the body'} matches none of its forms ({first})"
    return None


def _bound_problem(value: float, schema: dict[str, Any], field: str) -> str | None:
    low, high = schema.get("minimum"), schema.get("maximum")
    exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if exclusive_low is True:  # OpenAPI 3.0: a flag on minimum
        exclusive_low, low = low, None
    if exclusive_high is True:
        exclusive_high, high = high, None
    if isinstance(low, (int, float)) and not isinstance(low, bool) and value < low:
        return f"{field or 'the body'} must be at least {low}, not {value!r}"
    if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
        return f"{field or 'the body'} must be at most {high}, not {value!r}"
    if isinstance(exclusive_low, (int, float)) and not isinstance(exclusive_low, bool) and value <= exclusive_low:
        return f"{field or 'the body'} must be more than {exclusive_low}, not {value!r}"
    if isinstance(exclusive_high, (int, float)) and not isinstance(exclusive_high, bool) and value >= exclusive_high:
        return f"{field or 'the body'} must be less than {exclusive_high}, not {value!r}"
    return None


def _join(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name


def needed_fields(schema_text: str, given_by_client: frozenset[str] = frozenset()) -> frozenset[str]:
    """The required fields of a body schema that have no default (and that the client does not fill in itself)."""
    schema = schema_of(schema_text)
    properties = schema.get("properties") or {}
    return frozenset(
        name
        for name in schema.get("required") or []
        if name not in given_by_client and "default" not in (properties.get(name) or {})
    )


def check_body(where: str, body: Any, schema_text: str) -> None:
    """Raise ValueError when `body` breaks the operation's body schema (nothing is sent then)."""
    found = problem(body, schema_of(schema_text), "")
    if found:
        raise ValueError(f"{where}: {found}; nothing was sent")
