"""Reading an OpenAPI document's operations, for the spec-driven mock (the `testing` extra).

What each operation is (method, path, its own server's place relative to the document's, body and parameter schemas,
documented answers) and where its security scheme puts the key, read from the document alone: the mock serves the
spec the package was generated from, or any other document handed to it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

__all__ = [
    "HTTP_METHODS",
    "DocumentedResponse",
    "KeyPlacement",
    "SpecError",
    "SpecOperation",
    "key_placement",
    "resolve",
    "server_base_path",
    "server_base_url",
    "server_prefix",
    "spec_operations",
    "walk",
]

# The operations a path item can hold (OpenAPI 3.0 and 3.1).
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(Exception):
    """What is wrong with a spec, and where."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(f"{what} (at {where})")
        self.what = what
        self.where = where


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
    """The first server's URL, its variables replaced by their defaults: what the client's base URL is in production
    ("" for a spec whose server is "/" or that names none)."""
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
    """The path of the document's server URL ("/api/v1/enterprise/3d"; "" for none)."""
    return urlsplit(server_base_url(spec)).path.rstrip("/")


class KeyPlacement(NamedTuple):
    """Where a request carries the key: `location` "header" or "query", under `name`, as `prefix` + the key."""

    location: str
    name: str
    prefix: str = ""


def scheme_placement(scheme: dict[str, Any]) -> KeyPlacement | None:
    """The placement a security scheme gives an API key; None for a scheme that does not carry one (OAuth 2,
    OpenID Connect, HTTP basic, an API key in a cookie)."""
    kind = scheme.get("type")
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return KeyPlacement("header", "Authorization", "Bearer ")
    if kind == "apiKey" and scheme.get("in") in ("header", "query") and scheme.get("name"):
        return KeyPlacement(str(scheme["in"]), str(scheme["name"]))
    return None


def key_placement(spec: dict[str, Any], operation: dict[str, Any]) -> KeyPlacement | None:
    """Where `operation` (a path item's operation object of `spec`) takes the key in a security scheme: the first
    alternative whose one scheme carries a key; None when it declares none (the key then goes in the body, where its
    schema has the field) or allows calls without one. An operation's own `security` replaces the document's; an
    empty requirement among the alternatives means the operation may be called without a credential."""
    requirements = operation.get("security", spec.get("security")) or []
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    for requirement in requirements:
        if not requirement:
            return None
        if len(requirement) == 1:
            scheme = resolve(spec, schemes.get(next(iter(requirement))) or {})
            placement = scheme_placement(scheme) if isinstance(scheme, dict) else None
            if placement is not None:
                return placement
    return None


@dataclass(frozen=True)
class DocumentedResponse:
    status: int
    description: str
    content_type: str | None
    schema: dict[str, Any] | None  # $refs resolved


@dataclass(frozen=True)
class SpecOperation:
    method: str  # lower case, as in the spec
    path: str  # as in the spec, without the server's base path
    operation_id: str | None
    tag: str
    request_content_type: str | None
    request_schema: dict[str, Any] | None  # $refs resolved
    parameters: list[dict[str, Any]] = field(default_factory=list)  # path/query/header, $refs resolved
    responses: Mapping[int, DocumentedResponse] = field(default_factory=dict)
    openapi_version: str = "3.0.0"  # the document's `openapi`: which schema dialect its schemas use
    # where its own server (on its path or itself) is, relative to the document's: "" (the document's), "/..", ...
    prefix: str = ""
    key: KeyPlacement | None = None  # where a security scheme the operation declares puts the key (else the body)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def served_path(self, base_path: str) -> str:
        """Its path as a request's URL has it under the document's server path `base_path`, its own server's prefix
        applied ("/api/v1/enterprise/3d" + "/.." + "/update_s3" is "/api/v1/enterprise/update_s3")."""
        return posixpath.normpath(base_path + self.prefix + self.path) if self.prefix else base_path + self.path

    def served_regex(self, base_path: str) -> re.Pattern[str]:
        """Matches the URL paths of its requests (served_path with any value of each path parameter)."""
        pattern = re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(self.served_path(base_path)))
        return re.compile("^" + pattern + "$")

    @property
    def path_parameters(self) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p.get("in") == "path"]

    def default_status(self) -> int:
        """What a mock answers when no status is asked for: 200, else the lowest 2xx, else the lowest."""
        if 200 in self.responses:
            return 200
        success = sorted(s for s in self.responses if 200 <= s < 300)
        return success[0] if success else min(self.responses)


def json_content(content: dict[str, Any] | None) -> tuple[str | None, dict[str, Any] | None]:
    """A body's content type and schema: the JSON one where it has one, else its first."""
    if not content:
        return None, None
    for content_type, media in content.items():
        if content_type == "application/json" or content_type.endswith("+json"):
            return content_type, (media or {}).get("schema")
    first = next(iter(content))
    return first, (content[first] or {}).get("schema")


def iter_spec_operations(spec: dict[str, Any]) -> Iterator[SpecOperation]:
    """Each operation of the document, in its order ("default" and "2XX" answers left out, as the client's are)."""
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            raw = resolve(spec, item[method])
            content_type, schema = json_content((raw.get("requestBody") or {}).get("content"))
            responses = {}
            for status, response in (raw.get("responses") or {}).items():
                if not str(status).isdigit():
                    continue
                response_type, response_schema = json_content(response.get("content"))
                responses[int(status)] = DocumentedResponse(
                    int(status), response.get("description", ""), response_type, response_schema
                )
            yield SpecOperation(
                method=method,
                path=path,
                operation_id=raw.get("operationId"),
                tag=(raw.get("tags") or ["default"])[0],
                request_content_type=content_type,
                request_schema=schema,
                parameters=[*resolve(spec, item.get("parameters") or []), *(raw.get("parameters") or [])],
                responses=responses,
                openapi_version=str(spec.get("openapi", "3.0.0")),
                prefix=server_prefix(spec, path, method) or "",
                key=key_placement(spec, raw),
            )


def spec_operations(spec: dict[str, Any]) -> list[SpecOperation]:
    return list(iter_spec_operations(spec))
