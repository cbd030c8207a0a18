"""Validate an OpenAPI document before anything is generated from it.

Usage: python scripts/validate_spec.py openapi.yaml

Exits 0 and prints nothing on a valid spec. On an invalid one, prints one paragraph to stderr --
the file, what is wrong, and where (a line for text/YAML problems, a JSON pointer for schema
problems) -- and exits 1. generate.sh runs this first so that a bad spec never reaches the
generator, whose own failure modes are quieter (a broken $ref makes it exit 0 with a response
silently missing).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing.exceptions import Unresolvable

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(Exception):
    """What is wrong with a spec, and where."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(f"{what} (at {where})")
        self.what = what
        self.where = where


def json_pointer(parts: Iterable[Any]) -> str:
    escaped = [str(p).replace("~", "~0").replace("/", "~1") for p in parts]
    return "#/" + "/".join(escaped) if escaped else "#"


def load_spec_text(path: Path) -> dict[str, Any]:
    """Read and parse the file; raise SpecError for anything that is not a YAML/JSON mapping."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot be read: {exc.strerror}", "the file") from exc
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
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "the file"
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"is not valid YAML/JSON: {problem}", where) from exc
    if not isinstance(document, dict):
        raise SpecError(f"must be a mapping at the top level, found {type(document).__name__}", json_pointer([]))
    return document


def iter_refs(node: Any, path: tuple[Any, ...] = ()) -> Iterable[tuple[tuple[Any, ...], str]]:
    """Yield (location, target) for every $ref in the document."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield (*path, "$ref"), ref
        for key, value in node.items():
            yield from iter_refs(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_refs(value, (*path, index))


def resolve_local_ref(document: dict[str, Any], ref: str) -> bool:
    node: Any = document
    for raw in ref[2:].split("/") if ref != "#" else []:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


def check_spec(document: dict[str, Any]) -> None:
    """Raise SpecError if the parsed document is not a usable OpenAPI 3.x spec."""
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        found = (
            f"swagger: {document['swagger']!r}"
            if "swagger" in document
            else f"openapi: {version!r}"
            if "openapi" in document
            else "no 'openapi' field"
        )
        raise SpecError(f"is not an OpenAPI 3.x document ({found})", json_pointer(["openapi"]))
    for location, ref in iter_refs(document):
        if not ref.startswith("#"):
            raise SpecError(
                f"has a $ref to another document ({ref!r}); only local '#/...' references are supported",
                json_pointer(location),
            )
        if not resolve_local_ref(document, ref):
            raise SpecError(f"has a $ref that does not resolve: {ref!r} names nothing", json_pointer(location))
    validator_cls = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    try:
        error = next(iter(validator_cls(document).iter_errors()), None)
    except Unresolvable as exc:  # a ref inside a ref'd document part that the walk above cannot see
        raise SpecError(f"has a $ref that does not resolve: {exc.ref!r}", "a $ref") from exc
    if error is not None:
        pointer = json_pointer(error.absolute_path) if isinstance(error, ValidationError) else "the document"
        message = error.message if isinstance(error, ValidationError) else str(error)
        raise SpecError(f"is not a valid OpenAPI {version} document: {message}", pointer)
    paths = document.get("paths") or {}
    operations = [
        (path, method)
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in HTTP_METHODS
        if method in item
    ]
    if not operations:
        raise SpecError(
            "defines no operations: the generated client would be empty, refusing to generate it",
            json_pointer(["paths"]),
        )


def validate_file(path: Path) -> None:
    check_spec(load_spec_text(path))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: validate_spec.py SPEC", file=sys.stderr)
        return 2
    path = Path(argv[1])
    try:
        validate_file(path)
    except SpecError as exc:
        print(f"Invalid OpenAPI spec {path}: the file {exc.what} (at {exc.where}).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
