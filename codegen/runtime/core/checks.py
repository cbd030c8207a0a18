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
from collections.abc import Callable
from typing import Any

from .vendor_facts import CREDENTIAL_FIELDS

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
        "minItems",
        "maxItems",
        "pattern",
        "format",  # (not checked: the server judges a format; kept so that an agent is told of it)
        "required",
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
    }
)

_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
_LENGTHS = frozenset({"minLength", "maxLength"})
_COUNTS = frozenset({"minItems", "maxItems"})
_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    # (an integral float is no integer: its JSON, 256.0, has a fraction part, which OpenAPI 3.0's validators refuse)
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
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


# A check of a value at a field (its dotted path; "" for the body itself): what is wrong with it, or None.
Check = Callable[[Any, str], "str | None"]


def _anything(value: object) -> bool:
    return True


def compiled(schema: dict[str, Any]) -> Check:
    """The check of `schema`, decided once: it runs only the keywords the schema has, in this order: type (a None
    passes a nullable schema), enum, const, bounds, lengths, required fields and the properties given, items, allOf,
    then anyOf / oneOf (one variant must fit)."""
    steps: list[Check] = []
    types = schema.get("type")
    allowed = [types] if isinstance(types, str) else list(types or [])
    if allowed:
        tests = [_TYPES.get(kind, _anything) for kind in allowed]
        expected = " or ".join(allowed)

        def type_step(value: Any, field: str) -> str | None:
            for test in tests:
                if test(value):
                    return None
            return f"{field or 'the body'} must be {expected}, not {shown(field, value)}"

        steps.append(type_step)
    if "enum" in schema:
        enum, listed = schema["enum"], ", ".join(repr(item) for item in schema["enum"])

        def enum_step(value: Any, field: str) -> str | None:
            return (
                None if value in enum else f"{field or 'the body'} must be one of {listed}, not {shown(field, value)}"
            )

        steps.append(enum_step)
    if "const" in schema:
        const = schema["const"]

        def const_step(value: Any, field: str) -> str | None:
            return None if value == const else f"{field or 'the body'} must be {const!r}, not {shown(field, value)}"

        steps.append(const_step)
    if _BOUNDS & schema.keys():

        def bounds_step(value: Any, field: str) -> str | None:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return _bound_problem(value, schema, field)
            return None

        steps.append(bounds_step)
    if _LENGTHS & schema.keys():
        shortest, longest = schema.get("minLength"), schema.get("maxLength")

        def length_step(value: Any, field: str) -> str | None:
            if not isinstance(value, str):
                return None
            if shortest is not None and len(value) < shortest:
                return f"{field or 'the body'} must be at least {shortest} characters long"
            if longest is not None and len(value) > longest:
                return f"{field or 'the body'} must be at most {longest} characters long"
            return None

        steps.append(length_step)
    if isinstance(schema.get("pattern"), str):
        import re

        try:
            pattern = re.compile(schema["pattern"])
        except re.error:  # (a pattern Python's regular expressions do not read: the server judges it)
            pattern = re.compile("")

        def pattern_step(value: Any, field: str) -> str | None:
            if isinstance(value, str) and not pattern.search(value):
                return f"{field or 'the body'} must match {pattern.pattern!r}"
            return None

        steps.append(pattern_step)
    if _COUNTS & schema.keys():
        fewest, most = schema.get("minItems"), schema.get("maxItems")

        def count_step(value: Any, field: str) -> str | None:
            if not isinstance(value, list):
                return None
            if fewest is not None and len(value) < fewest:
                return f"{field or 'the body'} must have at least {fewest} items"
            if most is not None and len(value) > most:
                return f"{field or 'the body'} must have at most {most} items"
            return None

        steps.append(count_step)
    properties = schema.get("properties") or {}
    # (a required field with a default is filled in by the client's model when not given)
    needed = [name for name in schema.get("required") or [] if "default" not in (properties.get(name) or {})]
    checks = {name: compiled(sub) for name, sub in properties.items() if isinstance(sub, dict)}
    if needed or checks:

        def object_step(value: Any, field: str) -> str | None:
            if not isinstance(value, dict):
                return None
            for name in needed:
                if name not in value:
                    return f"{_join(field, name)} is required"
            for name, item in value.items():
                check = checks.get(name)
                if check is not None:
                    found = check(item, _join(field, name))
                    if found:
                        return found
            return None

        steps.append(object_step)
    if isinstance(schema.get("items"), dict):
        item_check = compiled(schema["items"])

        def items_step(value: Any, field: str) -> str | None:
            if not isinstance(value, list):
                return None
            for index, item in enumerate(value):
                found = item_check(item, f"{field}[{index}]")
                if found:
                    return found
            return None

        steps.append(items_step)
    steps += [compiled(part) for part in schema.get("allOf") or []]
    for keyword in ("anyOf", "oneOf"):
        if schema.get(keyword):
            steps.append(_one_of([compiled(variant) for variant in schema[keyword]]))
    nullable = schema.get("nullable") is True

    def check(value: Any, field: str) -> str | None:
        if value is None and nullable:
            return None
        for step in steps:
            found = step(value, field)
            if found:
                return found
        return None

    if len(steps) == 1 and not nullable:
        return steps[0]  # (one step: no loop around it)
    return check


def _one_of(variants: list[Check]) -> Check:
    """The check of anyOf / oneOf: the value fits one of the variants (the first one's problem, else)."""

    def step(value: Any, field: str) -> str | None:
        problems = [variant(value, field) for variant in variants]
        if not all(problems):
            return None
        first = str(problems[0])
        return first if len(problems) == 1 else f"{field or 'the body'} matches none of its forms ({first})"

    return step


def problem(value: Any, schema: dict[str, Any], field: str) -> str | None:
    """What is wrong with `value` at `field` under `schema`, or None when nothing is."""
    return compiled(schema)(value, field)


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


@functools.cache
def body_check(schema_text: str) -> Check:
    """The check of a body schema as the generated client carries it, compiled once per operation."""
    return compiled(schema_of(schema_text))


def check_body(where: str, body: Any, schema_text: str) -> None:
    """Raise ValueError when `body` breaks the operation's body schema (nothing is sent then)."""
    found = body_check(schema_text)(body, "")
    if found:
        raise ValueError(f"{where}: {found}; nothing was sent")
