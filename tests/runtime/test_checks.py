"""The check of a request body before it is sent (_checks): each keyword it keeps, what it says of a value that
breaks it (naming the field, never a credential's value), and that a schema is compiled once per operation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from codegen.runtime.core import checks as _checks
from codegen.runtime.core.vendor_facts import CREDENTIAL_FIELDS

OBJECT: dict[str, Any] = {
    "type": "object",
    "required": ["prompt", "steps"],
    "properties": {
        "prompt": {"type": "string", "minLength": 1, "maxLength": 5},
        "steps": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        "scale": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
        "format": {"type": "string", "enum": ["glb", "obj"]},
        "version": {"const": 2},
        "tags": {"type": "array", "items": {"type": "string"}},
        "hook": {"type": "string", "nullable": True},
        "seed": {"anyOf": [{"type": "integer"}, {"type": "string", "enum": ["random"]}]},
        "size": {"allOf": [{"type": "integer"}, {"minimum": 64}]},
    },
}

PROBLEMS = [
    ({"steps": 3}, "prompt is required"),
    ({"prompt": ""}, "prompt must be at least 1 characters long"),
    ({"prompt": "abcdef"}, "prompt must be at most 5 characters long"),
    ({"prompt": 5}, "prompt must be string, not 5"),
    ({"prompt": "a", "steps": 0}, "steps must be at least 1, not 0"),
    ({"prompt": "a", "steps": 51}, "steps must be at most 50, not 51"),
    ({"prompt": "a", "steps": True}, "steps must be integer, not True"),
    ({"prompt": "a", "scale": 0}, "scale must be more than 0, not 0"),
    ({"prompt": "a", "scale": 10.0}, "scale must be less than 10, not 10.0"),
    ({"prompt": "a", "format": "stl"}, "format must be one of 'glb', 'obj', not 'stl'"),
    ({"prompt": "a", "version": 3}, "version must be 2, not 3"),
    ({"prompt": "a", "tags": ["x", 1]}, "tags[1] must be string, not 1"),
    ({"prompt": "a", "hook": 5}, "hook must be string, not 5"),
    ({"prompt": "a", "seed": "fixed"}, "seed matches none of its forms (seed must be integer, not 'fixed')"),
    ({"prompt": "a", "size": 32}, "size must be at least 64, not 32"),
    (["not", "an", "object"], "the body must be object, not ['not', 'an', 'object']"),
]


@pytest.mark.parametrize(("body", "said"), PROBLEMS, ids=[said for _, said in PROBLEMS])
def test_each_keyword_names_the_field_and_what_is_allowed(body: Any, said: str) -> None:
    assert _checks.problem(body, OBJECT, "") == said
    with pytest.raises(ValueError, match="nothing was sent") as caught:
        _checks.check_body("op", body, json.dumps(OBJECT))
    assert said in str(caught.value)


def test_a_valid_body_passes_with_nulls_where_allowed_defaults_and_unlisted_fields() -> None:
    body: dict[str, Any] = {"prompt": "a", "hook": None, "seed": "random", "size": 64, "tags": [], "colour": "red"}
    assert _checks.problem(body, OBJECT, "") is None  # (steps has a default; colour the spec does not list)
    _checks.check_body("op", body, json.dumps(OBJECT))


def test_a_credentials_value_is_never_quoted() -> None:
    name = sorted(CREDENTIAL_FIELDS)[0]
    said = _checks.problem({name: 12345678}, {"properties": {name: {"type": "string"}}}, "")
    assert said is not None and "12345678" not in said and name in said


def test_a_body_schema_is_compiled_once() -> None:
    text = json.dumps({"type": "object", "properties": {"a": {"type": "integer"}}})
    assert _checks.body_check(text) is _checks.body_check(text)
    assert _checks.body_check(text)({"a": "x"}, "") == "a must be integer, not 'x'"
