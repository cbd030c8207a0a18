"""The document the generator reads: the effective spec with the shapes openapi-python-client 0.29.1 misreads
rewritten into equivalent ones it reads. The spec's meaning is unchanged (the mock and the tests validate against
the spec as published); only the generator's view of it is.

* A schema with `allOf` and properties or `required` of its own beside it: the generator merges the `allOf` parts
  and drops the rest, so the model, and the method, lose those fields (and the server answers 400 for a missing
  required one). The schema's own object keywords move into one more `allOf` part, which it merges.
"""

from __future__ import annotations

import copy
from typing import Any

# The keywords of an object schema that the generator reads from an allOf part, moved there from beside `allOf`.
OWN_OBJECT_KEYWORDS = ("properties", "required", "additionalProperties")


def for_generator(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of `spec` with every schema's object keywords beside `allOf` moved into an `allOf` part."""
    copied = copy.deepcopy(spec)
    _rewrite(copied)
    return copied


def _rewrite(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _rewrite(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _rewrite(value)
    parts = node.get("allOf")
    own = {keyword: node[keyword] for keyword in OWN_OBJECT_KEYWORDS if keyword in node}
    if isinstance(parts, list) and ("properties" in own or "required" in own):
        for keyword in own:
            del node[keyword]
        parts.append({"type": "object", **own})
