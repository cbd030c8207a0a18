"""hypothesis strategies shared by the property-based tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema


def json_values(infinities: bool = False) -> st.SearchStrategy[Any]:
    """Any JSON value, small; numbers finite unless `infinities` (which Python's json reads and writes)."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=infinities)
        | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )


# What an unknown field of an answer or a request may hold.
JSON_VALUES = json_values()


def schema_shaped(schema: Any, unknown_values: st.SearchStrategy[Any] = JSON_VALUES) -> st.SearchStrategy[Any]:
    """Values of a JSON Schema; an object one that allows unknown fields gets up to three, of `unknown_values`.

    hypothesis-jsonschema draws the unknown fields itself, but slowly: most of the time of the tests that use it. So
    a flat object schema that allows unknown fields is drawn without them at its top level (the library still draws
    those of nested objects) and gets them from `unknown_values` (a declared field wins over an unknown one of its
    name). An array of such objects is a list of them. A composed schema is left to the library."""
    if isinstance(schema, dict) and schema.get("type") == "array" and _plain_items(schema):
        # (a list of objects, a top-level array answer among them: each item drawn as an object is)
        low = int(schema.get("minItems", 0))
        return st.lists(
            schema_shaped(schema["items"], unknown_values), min_size=low, max_size=int(schema.get("maxItems", low + 4))
        )
    flat = isinstance(schema, dict) and "properties" in schema and not {"allOf", "anyOf", "oneOf"} & set(schema)
    if not flat or "additionalProperties" in schema:
        return from_schema(schema)
    unknown = st.dictionaries(st.text(max_size=8), unknown_values, max_size=3)
    return st.builds(
        lambda declared, extra: {**extra, **declared} if isinstance(declared, dict) else declared,
        from_schema({**schema, "additionalProperties": False}),
        unknown,
    )


def _plain_items(schema: dict[str, Any]) -> bool:
    """Whether an array schema says no more than its items' schema and its length (no uniqueItems, contains, ...)."""
    return isinstance(schema.get("items"), dict) and set(schema) <= {
        "type",
        "items",
        "minItems",
        "maxItems",
        "description",
        "title",
    }
