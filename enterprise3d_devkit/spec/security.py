"""Where an operation takes the API key, when the spec declares it in a security scheme rather than a body field.

The vendor's 3D and image APIs take the key as the body field `key`; its OpenAI- and Anthropic-compatible APIs
declare a security scheme instead: an `Authorization: Bearer` header, or an API-key header (`x-api-key`). OpenAPI
also allows an API-key query parameter. An operation's own `security` replaces the document's; an empty list (or an
empty requirement among the alternatives) means the operation takes no credential.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from enterprise3d_devkit.spec.loading import resolve


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
    schema has the field) or allows calls without one."""
    requirements = operation.get("security", spec.get("security")) or []
    schemes = (spec.get("components") or {}).get("securitySchemes") or {}
    for requirement in requirements:
        if not requirement:
            return None  # an empty requirement: the operation may be called without a credential
        if len(requirement) == 1:
            scheme = resolve(spec, schemes.get(next(iter(requirement))) or {})
            placement = scheme_placement(scheme) if isinstance(scheme, dict) else None
            if placement is not None:
                return placement
    return None
