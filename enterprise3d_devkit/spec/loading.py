"""Reading an OpenAPI document: one loader (bytes or a path), one JSON-pointer walker, `$ref` resolution.

Every problem is a SpecError saying what is wrong and where (a line for text/YAML problems, a JSON
path for structure), so that callers can print one clear sentence instead of a traceback.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.layout import SPEC_PATH

# The operations a path item can hold (OpenAPI 3.0 and 3.1).
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(Exception):
    """What is wrong with a spec, and where."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(f"{what} (at {where})")
        self.what = what
        self.where = where


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


def walk(document: Any, pointer: str) -> Any:
    """What a local JSON pointer ('#/a/b') names in the document; LookupError if it names nothing."""
    node = document
    for raw in pointer.removeprefix("#").removeprefix("/").split("/") if pointer not in {"#", ""} else []:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise LookupError(f"{pointer!r} names nothing: no {key!r}")
    return node


def resolve(document: dict[str, Any], node: Any, _seen: tuple[str, ...] = ()) -> Any:
    """`node` with every local $ref replaced by what it points at, recursively (siblings of a $ref are dropped)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in _seen:
                raise SpecError(f"has a recursive $ref {ref!r}, which is not supported here", ref)
            return resolve(document, walk(document, ref), (*_seen, ref))
        return {key: resolve(document, value, _seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(document, value, _seen) for value in node]
    return node


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


def first_server_url(node: dict[str, Any]) -> str | None:
    """The URL of a node's first server (the document, a path or an operation), its variables replaced by their
    defaults; None when the node names no server."""
    servers = node.get("servers") or []
    if not servers or not isinstance(servers[0], dict):
        return None
    server = servers[0]
    variables = server.get("variables") or {}

    def default_of(match: re.Match[str]) -> str:
        return str((variables.get(match.group(1)) or {}).get("default", match.group(0)))

    return re.sub(r"\{([^}]+)\}", default_of, str(server.get("url", "/"))).rstrip("/")


def server_base_url(spec: dict[str, Any]) -> str:
    """The first server's URL, its variables replaced by their defaults: what the generated client's base_url
    should be in production ("" for a spec whose server is "/" or that names none)."""
    return first_server_url(spec) or ""


def server_prefix(spec: dict[str, Any], path: str, method: str) -> str | None:
    """Where an operation is served, relative to the document's server: "" on the document's own server, else the
    path from it to the operation's (or its path's) server, e.g. "/.." for a server one level up, "/finetune" for
    one below; None for a server on another origin (scheme and host), which no base URL can be made to reach."""
    item = (spec.get("paths") or {}).get(path) or {}
    operation = item.get(method)
    own = first_server_url(operation if isinstance(operation, dict) else {}) or first_server_url(item)
    document = server_base_url(spec)
    if own is None or own == document:
        return ""
    base, served = urlsplit(document), urlsplit(own)
    if (base.scheme, base.netloc) != (served.scheme, served.netloc):
        return None
    relative = posixpath.relpath(served.path or "/", base.path or "/")
    return "" if relative == "." else "/" + relative


def server_base_path(spec: dict[str, Any]) -> str:
    return urlsplit(server_base_url(spec)).path.rstrip("/")
