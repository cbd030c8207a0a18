"""The document the generator reads: the effective spec with the shapes openapi-python-client 0.29.1 misreads
rewritten into equivalent ones it reads. The spec's meaning is unchanged (the mock and the tests validate against
the spec as published); only the generator's view of it is.

* A schema with `allOf` and properties or `required` of its own beside it: the generator merges the `allOf` parts
  and drops the rest, so the model, and the method, lose those fields (and the server answers 400 for a missing
  required one). The schema's own object keywords move into one more `allOf` part, which it merges.
* A string enum whose values name the same Python member (values that differ only in case, or only in
  punctuation): the generator stops ("Duplicate key"), or silently keeps one of the values. The enum gets
  `x-enum-varnames`, the generator's own extension for member names: its default names, each repeated one
  numbered (QUEUED, QUEUED_2).
* A response under components/responses whose object schema is inline and has a `title`: the generator names the
  model after the operation and the title, so one operation that uses the response for two statuses asks for two
  models of one name, and it stops. The schema moves to components/schemas (under its title, numbered when that
  is taken) and the response refers to it: one model, shared.
* An array schema without `items`: JSON Schema reads it as an array of anything; the generator refuses it ("type
  array must have items") and drops every operation that uses it. It gets `items: {}`, which says the same.
* An object schema whose `oneOf` / `anyOf` branches only say which of its own properties go together (each branch
  holds `required` lists, or narrows a property the object declares, and declares no type of its own): the
  generator reads the branches as a union of models and cannot generate it. It reads the object without them;
  the client still checks a body against the whole schema before sending it.
"""

from __future__ import annotations

import copy
from typing import Any

# The keywords of an object schema that the generator reads from an allOf part, moved there from beside `allOf`.
OWN_OBJECT_KEYWORDS = ("properties", "required", "additionalProperties")
# What a branch of a oneOf / anyOf that only constrains its object's own properties may hold.
CONSTRAINT_KEYWORDS = frozenset({"title", "description", "required", "properties"})


def for_generator(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of `spec` rewritten as above."""
    copied = copy.deepcopy(spec)
    _hoist_titled_responses(copied)
    _rewrite(copied)
    return copied


def _hoist_titled_responses(spec: dict[str, Any]) -> None:
    components = spec.get("components")
    if not isinstance(components, dict) or not isinstance(components.get("responses"), dict):
        return
    schemas = components.setdefault("schemas", {})
    if not isinstance(schemas, dict):
        return
    for response in components["responses"].values():
        for media in ((response or {}).get("content") or {}).values():
            schema = media.get("schema") if isinstance(media, dict) else None
            if not isinstance(schema, dict) or "$ref" in schema or not isinstance(schema.get("title"), str):
                continue
            target, number = schema["title"], 1
            while target in schemas:  # (another schema has that name: the title, numbered)
                number += 1
                target = f"{schema['title']}{number}"
            schemas[target] = schema
            media["schema"] = {"$ref": "#/components/schemas/" + target.replace("~", "~0").replace("/", "~1")}


def _member_name(value: object, index: int) -> str:
    """The member name the generator gives a string enum value (its enum_property.values_from_list)."""
    from openapi_python_client.strings import snake_case

    key = value.upper() if isinstance(value, str) and value and value[0].isalpha() else f"VALUE_{index}"
    return snake_case(key).upper()


def unique_member_names(values: list[Any]) -> list[str] | None:
    """Member names for a string enum's values that the generator would give two of them alike: its own names,
    the second and later of a name numbered; None when its names are unique already."""
    names = [_member_name(value, index) for index, value in enumerate(values)]
    if len(set(names)) == len(names):
        return None
    unique: list[str] = []
    for name in names:
        candidate, number = name, 1
        while candidate in unique or (candidate != name and candidate in names):
            number += 1
            candidate = f"{name}_{number}"
        unique.append(candidate)
    return unique


def _rewrite(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _rewrite(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _rewrite(value)
    if node.get("type") == "array" and "items" not in node and "prefixItems" not in node:
        node["items"] = {}
    values = node.get("enum")
    if isinstance(values, list) and all(isinstance(v, str) for v in values) and "x-enum-varnames" not in node:
        names = unique_member_names(values)
        if names is not None:
            node["x-enum-varnames"] = names
    for combinator in ("oneOf", "anyOf"):
        if only_constrains_own_properties(node, node.get(combinator)):
            del node[combinator]
    parts = node.get("allOf")
    own = {keyword: node[keyword] for keyword in OWN_OBJECT_KEYWORDS if keyword in node}
    if isinstance(parts, list) and ("properties" in own or "required" in own):
        for keyword in own:
            del node[keyword]
        parts.append({"type": "object", **own})


def only_constrains_own_properties(node: dict[str, Any], branches: object) -> bool:
    """Whether `branches` (a oneOf / anyOf of the object schema `node`) only say which of its declared properties
    are required together or what values they take then: no branch declares a type or a property of its own."""
    declared = node.get("properties")
    if not isinstance(declared, dict) or not isinstance(branches, list) or not branches:
        return False
    for branch in branches:
        if not isinstance(branch, dict) or not set(branch) <= CONSTRAINT_KEYWORDS:
            return False
        named = [*(branch.get("required") or []), *(branch.get("properties") or {})]
        if not all(isinstance(name, str) and name in declared for name in named):
            return False
    return True
