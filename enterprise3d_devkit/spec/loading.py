"""Reading an OpenAPI document: one loader (bytes or a path), one JSON-pointer walker, `$ref` resolution.

Every problem is a SpecError saying what is wrong and where (a line for text/YAML problems, a JSON
path for structure), so that callers can print one clear sentence instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

# Reading a document's servers, references and operations is the runtime's too (the package's spec-driven mock):
# one copy, there.
from codegen.runtime.testing.spec_reading import (
    HTTP_METHODS,
    SpecError,
    first_server_url,
    resolve,
    server_base_path,
    server_base_url,
    server_prefix,
    walk,
)
from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.layout import SPEC_PATH

__all__ = [
    "HTTP_METHODS",
    "VALUE_KEYS",
    "SpecError",
    "first_server_url",
    "iter_nodes",
    "json_path",
    "load_spec",
    "object_schema",
    "resolve",
    "server_base_path",
    "server_base_url",
    "server_prefix",
    "walk",
]


def json_path(parts: Iterable[Any]) -> str:
    """The RFC 9535 normalized JSONPath of a place in the document: $['paths']['/fetch/{id}']['post'], $['tags'][0]."""
    segments = []
    for part in parts:
        if isinstance(part, int):
            segments.append(f"[{part}]")
        else:
            escaped = str(part).replace("\\", "\\\\").replace("'", "\\'")
            segments.append(f"['{escaped}']")
    return "$" + "".join(segments)


# Keys whose values are data (examples, defaults, enum members), not more of the document's structure.
VALUE_KEYS = ("example", "examples", "default", "enum", "const")


def iter_nodes(document: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every object under `paths` and `components`, with its path (for json_path): the document's structure,
    without descending into example, default or enum values."""

    def visit(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
        if isinstance(node, dict):
            yield path, node
            for key, value in node.items():
                if key not in VALUE_KEYS:
                    yield from visit(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from visit(value, (*path, index))

    for section in ("paths", "components"):
        yield from visit(document.get(section) or {}, (section,))


def load_spec(source: Path | bytes = SPEC_PATH) -> dict[str, Any]:
    """Parse a spec from a file or from its bytes; a SpecError for anything that is not a YAML/JSON mapping."""
    if isinstance(source, Path):
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise SpecError(f"cannot be read: {exc.strerror}", "the file") from exc
    else:
        raw = source
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(
            f"is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded",
            f"line {line}",
        ) from exc
    if not text.strip():
        raise SpecError("is empty: an OpenAPI document is expected", "line 1")
    try:
        document = yaml_codec.load(text)
    except yaml_codec.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "the file"
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"is not valid YAML/JSON: {problem}", where) from exc
    if not isinstance(document, dict):
        raise SpecError(f"must be a mapping at the top level, found {type(document).__name__}", json_path([]))
    return document


def object_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A resolved object schema with its allOf parts merged in, as the generator merges them into one model: the
    union of the parts' properties and of their required lists (the schema's own win over a part's)."""
    parts = schema.get("allOf") or []
    if not parts:
        return schema
    properties: dict[str, Any] = {}
    required: list[str] = []
    for part in [*(object_schema(p) for p in parts), schema]:
        properties.update(part.get("properties") or {})
        required += [name for name in part.get("required") or [] if name not in required]
    merged = {key: value for key, value in schema.items() if key != "allOf"}
    return {**merged, "type": "object", "properties": properties, "required": required}
