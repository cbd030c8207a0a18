"""Validate an OpenAPI document before anything is generated from it.

    python -m enterprise3d_devkit.spec_validation openapi.yaml

Exits 0 and prints nothing on a valid spec. On an invalid one, prints one paragraph to stderr -- the file,
what is wrong, and where (a line for text/YAML problems, a JSON pointer for structure) -- and exits 1.
generate.sh runs this first so that a bad spec never reaches the generator, whose own failure modes are
quieter (a broken $ref makes it exit 0 with a response silently missing).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing.exceptions import Unresolvable

from enterprise3d_devkit.operations import HTTP_METHODS
from enterprise3d_devkit.spec_loading import SpecError, json_pointer, load_spec, walk


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
        try:
            walk(document, ref)
        except LookupError:
            raise SpecError(
                f"has a $ref that does not resolve: {ref!r} names nothing", json_pointer(location)
            ) from None
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


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m enterprise3d_devkit.spec_validation SPEC", file=sys.stderr)
        return 2
    path = Path(argv[1])
    try:
        check_spec(load_spec(path))
    except SpecError as exc:
        print(f"Invalid OpenAPI spec {path}: the file {exc.what} (at {exc.where}).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
