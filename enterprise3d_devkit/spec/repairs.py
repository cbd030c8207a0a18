"""Repairs proposed for the vendor's defects the tools know, as OpenAPI Overlay actions for a person to review.

    python -m enterprise3d_devkit.spec.repairs SPEC [OUT]    print (or write to OUT) the proposed overlay for SPEC

A refused document (make generate, make update-spec, make test-spec) names its defect; these propose the action that
repairs each defect of a kind the tools know, so that nobody has to write it from scratch:

  * a path parameter used in the path and never declared: declare it (a required string);
  * a required field that is not among the schema's properties: drop the requirement (if the field was renamed,
    require the new name instead, as the vendor's 3D document needs);
  * a default outside its enum: drop the default;
  * an example (or default) that breaks its own schema: drop it;
  * no server of the document's own, while every operation names one on one host: the first operation's becomes the
    document's (each operation is then reached from one base URL).

Each action's description says what it repairs and that it was proposed, not reviewed. With the proposed overlay
applied, a document whose only defects are of these kinds validates and generates.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

from enterprise3d_devkit.spec.loading import (
    HTTP_METHODS,
    SpecError,
    first_server_url,
    iter_nodes,
    json_path,
    load_spec,
    resolve,
    server_base_url,
)

PROPOSED = "PROPOSED, NOT REVIEWED"
PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def undeclared_path_parameters(spec: dict[str, Any]) -> list[dict[str, Any]]:
    actions = []
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = [resolve(spec, p) for p in item.get("parameters") or []]
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            declared = {
                p.get("name")
                for p in shared + [resolve(spec, p) for p in operation.get("parameters") or []]
                if isinstance(p, dict) and p.get("in") == "path"
            }
            missing = [name for name in PATH_PARAMETER.findall(path) if name not in declared]
            if missing:
                actions.append(
                    {
                        "target": json_path(["paths", path, method]),
                        "description": f"{PROPOSED}: {method.upper()} {path} uses the path parameter(s) {missing} but "
                        "declares none; declare each as a required string (check the vendor's page for its type).",
                        "update": {
                            "parameters": [
                                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                                for name in missing
                            ]
                        },
                    }
                )
    return actions


def required_not_declared(spec: dict[str, Any]) -> list[dict[str, Any]]:
    actions = []
    for path, node in iter_nodes(spec):
        properties, required = node.get("properties"), node.get("required")
        in_composition = len(path) >= 2 and path[-2] in ("allOf", "anyOf", "oneOf")
        composed = any(key in node for key in ("allOf", "anyOf", "oneOf"))
        if not (isinstance(properties, dict) and isinstance(required, list)) or in_composition or composed:
            continue
        for name in required:
            if name not in properties:
                actions.append(
                    {
                        "target": f"{json_path((*path, 'required'))}[?@ == {_quoted(str(name))}]",
                        "description": f"{PROPOSED}: {json_path(path)} requires {name!r}, which is not among its "
                        "properties; drop the requirement (if the field was renamed, require the new name instead).",
                        "remove": True,
                    }
                )
    return actions


def defaults_outside_enum(spec: dict[str, Any]) -> list[dict[str, Any]]:
    actions = []
    for path, node in iter_nodes(spec):
        if isinstance(node.get("enum"), list) and "default" in node and node["default"] not in node["enum"]:
            actions.append(
                {
                    "target": json_path((*path, "default")),
                    "description": f"{PROPOSED}: the default {node['default']!r} of {json_path(path)} is not one of "
                    f"its enum values {node['enum']}; drop it (the server's own default applies).",
                    "remove": True,
                }
            )
    return actions


def server_of_every_operation(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """A document that names no server of its own while every operation (or its path) names one on one host: that
    host's server is the document's (the first operation's), so that every operation is reached from one base URL."""
    from urllib.parse import urlsplit

    if urlsplit(server_base_url(spec)).netloc:
        return []
    own = []
    for item in (spec.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        for method in (m for m in HTTP_METHODS if isinstance(item.get(m), dict)):
            own.append(first_server_url(item[method]) or first_server_url(item))
    urls = [url for url in own if url]
    origins = {(urlsplit(url).scheme, urlsplit(url).netloc) for url in urls}
    if not own or len(urls) != len(own) or len(origins) != 1 or not next(iter(origins))[1]:
        return []
    return [
        {
            "target": "$",
            "description": f"{PROPOSED}: the document names no server, and every operation names one on "
            f"{urlsplit(urls[0]).netloc}: {urls[0]!r} becomes the document's, as its base URL.",
            "update": {"servers": [{"url": urls[0]}]},
        }
    ]


def examples_breaking_their_schema(spec: dict[str, Any], known: set[str]) -> list[dict[str, Any]]:
    from enterprise3d_devkit.spec.instances import example_findings  # (schema validators: only for a document this far)

    actions = []
    for finding in example_findings(spec):
        target, _, what = finding.partition(": ")
        if target in known:
            continue
        actions.append(
            {
                "target": target,
                "description": f"{PROPOSED}: {what} ({target}); drop it: a value that breaks its schema is no example.",
                "remove": True,
            }
        )
    return actions


def propose(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The overlay actions that would repair every defect of a known kind in `spec` (none: [])."""
    actions = undeclared_path_parameters(spec) + required_not_declared(spec) + defaults_outside_enum(spec)
    actions += server_of_every_operation(spec)
    return actions + examples_breaking_their_schema(spec, {a["target"] for a in actions})


def overlay_document(actions: list[dict[str, Any]], title: str) -> dict[str, Any]:
    return {
        "overlay": "1.0.0",
        "info": {"title": f"Proposed repairs of {title} ({PROPOSED})", "version": "0.0.0"},
        "actions": actions,
    }


def render(actions: list[dict[str, Any]], title: str) -> str:
    return yaml.safe_dump(overlay_document(actions, title), sort_keys=False, allow_unicode=True, width=120)


def proposed_for(spec: object) -> list[dict[str, Any]]:
    """`propose`, for a document that may be too broken to walk, or that is no OpenAPI 3 document, which no action
    of these kinds repairs (then [], and the refusal says why)."""
    if not isinstance(spec, dict) or not str(spec.get("openapi", "")).startswith("3."):
        return []
    try:
        return propose(spec)
    except (SpecError, LookupError, TypeError, ValueError, AttributeError):
        return []


def proposal_text(actions: list[dict[str, Any]], title: str) -> str:
    """What a refusal adds: the proposed overlay, or "" when no defect is of a kind with a known repair."""
    if not actions:
        return ""
    return (
        f"Proposed repair, an OpenAPI Overlay ({len(actions)} action(s)) to review, then save as the overlay:\n"
        + render(actions, title)
    )


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python -m enterprise3d_devkit.spec.repairs SPEC [OUT]", file=sys.stderr)
        return 2
    spec = load_spec(Path(argv[1]))
    text = render(propose(spec), Path(argv[1]).name)
    if len(argv) == 3:
        Path(argv[2]).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
