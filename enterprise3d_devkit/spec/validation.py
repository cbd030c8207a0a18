"""Validate an OpenAPI document before anything is generated from it.

    python -m enterprise3d_devkit.spec.validation openapi.yaml

Exits 0 and prints nothing on a valid spec. On an invalid one, prints one paragraph to stderr -- the file,
what is wrong, and where (a line for text/YAML problems, an RFC 9535 normalized JSONPath such as
$['paths']['/fetch/{id}']['post'] for structure) -- and exits 1. generate.sh runs this first so that a bad
spec never reaches the generator, whose own failure modes are quieter (a broken $ref makes it exit 0 with a
response silently missing).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from enterprise3d_devkit.spec.loading import (
    HTTP_METHODS,
    SpecError,
    first_server_url,
    iter_nodes,
    json_path,
    load_spec,
    server_base_url,
    server_prefix,
    walk,
)


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


def check_servers(document: dict[str, Any]) -> None:
    """Refuse a server set per path or per operation on another origin (scheme and host) than the document's.

    openapi-python-client 0.29.1 ignores such servers; the generator's data step writes each operation's server,
    relative to the document's, into its URL (spec_loading.server_prefix), so that a client's base URL reaches it
    as the spec's server reaches it. A server on another host cannot be reached that way: the generated client
    would call the wrong URL -- a client that looks right and is not.
    """
    base = server_base_url(document) or "/"
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in [None, *(m for m in HTTP_METHODS if m in item)]:
            if server_prefix(document, path, method or "") is None:
                where = ["paths", path, *([method] if method else []), "servers"]
                own = (first_server_url(item.get(method) or {}) if method else None) or first_server_url(item)
                raise SpecError(
                    f"is valid OpenAPI but sets its own server {own!r} on another host than the document's {base!r}: "
                    "openapi-python-client ignores servers per path or operation, and no base URL reaches another "
                    "host, so the generated client would call the wrong URL",
                    json_path(where),
                )


def check_required_properties(document: dict[str, Any]) -> None:
    """Refuse a schema that requires a field it does not declare among its `properties`.

    The generated model has no such field, so a body the client builds can never carry it: every request
    would be one the server rejects, and every response model would miss it. (A branch of allOf/anyOf/oneOf is
    left alone: its siblings may declare the field.)
    """

    for path, node in iter_nodes(document):
        properties = node.get("properties")
        in_composition = len(path) >= 2 and path[-2] in ("allOf", "anyOf", "oneOf")
        composed = any(key in node for key in ("allOf", "anyOf", "oneOf"))
        if isinstance(properties, dict) and isinstance(node.get("required"), list):
            missing = [name for name in node["required"] if name not in properties]
            if missing and not (in_composition or composed):
                raise SpecError(
                    f"is valid OpenAPI but requires {missing} without declaring them among the schema's "
                    f"properties {sorted(properties)}: the generated model could never send or read them",
                    json_path((*path, "required")),
                )


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
        raise SpecError(f"is not an OpenAPI 3.x document ({found})", json_path(["openapi"]))
    for location, ref in iter_refs(document):
        if not ref.startswith("#"):
            raise SpecError(
                f"has a $ref to another document ({ref!r}); only local '#/...' references are supported",
                json_path(location),
            )
        try:
            walk(document, ref)
        except LookupError:
            raise SpecError(f"has a $ref that does not resolve: {ref!r} names nothing", json_path(location)) from None
    from enterprise3d_devkit.spec.located_validators import VALIDATORS, Unresolvable, ValidationError

    validator_cls = VALIDATORS["3.1" if version.startswith("3.1") else "3.0"]
    try:
        error = next(iter(validator_cls(document).iter_errors()), None)
    except Unresolvable as exc:  # a ref inside a ref'd document part that the walk above cannot see
        raise SpecError(f"has a $ref that does not resolve: {exc.ref!r}", "a $ref") from exc
    if error is not None:
        if isinstance(error, ValidationError):
            raise SpecError(
                f"is not a valid OpenAPI {version} document: {error.message}", json_path(error.absolute_path)
            )
        raise SpecError(f"is not a valid OpenAPI {version} document: {error}", "the document")
    check_servers(document)
    check_required_properties(document)
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
            json_path(["paths"]),
        )


def checked_spec(path: Path) -> dict[str, Any] | None:
    """The spec at `path`, loaded and checked; None when it is refused (why, where and any proposed repair printed
    on stderr)."""
    spec: dict[str, Any] | None = None
    try:
        spec = load_spec(path)
        check_spec(spec)
    except SpecError as exc:
        print(f"Refused spec {path}: the file {exc.what} (at {exc.where}).", file=sys.stderr)
        if spec is not None:  # it loaded: a defect of a known kind gets its proposed repair
            from enterprise3d_devkit.spec.repairs import proposal_text, proposed_for

            print(proposal_text(proposed_for(spec), path.name), file=sys.stderr, end="")
        return None
    return spec


def main(argv: list[str]) -> int:
    """SPEC: refuse an unusable spec (exit 1)."""
    if len(argv) != 2:
        print("usage: python -m enterprise3d_devkit.spec.validation SPEC", file=sys.stderr)
        return 2
    return 0 if checked_spec(Path(argv[1])) is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
