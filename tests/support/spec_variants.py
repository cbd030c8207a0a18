"""Specs derived from openapi.yaml for the tests of spec growth: built from the vendored spec, so they follow it."""

from __future__ import annotations

import copy
from typing import Any

from enterprise3d_devkit.spec.loading import HTTP_METHODS, load_spec


def unused_name(taken: object, wanted: str) -> str:
    """`wanted`, or `wanted_2`, `wanted_3` ...: the first that `taken` (names, or a mapping of them) lacks, so that a
    test adding it adds something the spec does not already have, whatever the vendor's version says."""
    names = set(taken) if isinstance(taken, dict | list | set | tuple) else set()
    candidate, n = wanted, 1
    while candidate in names:
        n += 1
        candidate = f"{wanted}_{n}"
    return candidate


_PUBLISHED = load_spec()
# The names the grown spec's made-up operation and model take: ones the vendored spec does not have.
GROWN_PATH = unused_name(_PUBLISHED.get("paths") or {}, "/fetch_result")
GROWN_MODEL = unused_name((_PUBLISHED.get("components") or {}).get("schemas") or {}, "FetchResultResponse")
GROWN_OPERATION_ID = unused_name(
    {
        op.get("operationId")
        for item in (_PUBLISHED.get("paths") or {}).values()
        for op in item.values()
        if isinstance(op, dict)
    },
    "fetchResult",
)


def _generator_names(schema_name: str) -> tuple[str, str]:
    """(class, module) the generator names a component schema's model (its own rules, not re-derived here)."""
    from openapi_python_client.strings import ClassName, PythonIdentifier

    from enterprise3d_devkit.repo.layout import FIELD_PREFIX

    class_name = ClassName(schema_name, FIELD_PREFIX)
    return str(class_name), str(PythonIdentifier(class_name, FIELD_PREFIX))


# The grown model's class and module, as the generator names them ("FetchResultResponse_2" is class
# FetchResultResponse2 in module fetch_result_response_2).
GROWN_CLASS, GROWN_CLASS_MODULE = _generator_names(GROWN_MODEL)


def grown_spec() -> dict[str, Any]:
    """openapi.yaml plus a second operation whose response has a date-time field.

    Built from the vendored spec (its server, its ErrorResponse, its request body) so that the
    growth tests follow the real spec; only the new operation is made up.
    """
    spec = copy.deepcopy(load_spec())  # as published: a copy applies its overlay on top, as the repo does
    first_path = next(iter(spec["paths"].values()))
    first_operation = next(v for k, v in first_path.items() if k in HTTP_METHODS)
    request_body = copy.deepcopy(first_operation.get("requestBody") or {})
    error_responses = {
        status: copy.deepcopy(response)
        for status, response in first_operation["responses"].items()
        if not str(status).startswith("2")
    }
    spec.setdefault("components", {}).setdefault("schemas", {})[GROWN_MODEL] = {
        "type": "object",
        "required": ["status", "created_at"],
        "properties": {
            "status": {"type": "string", "enum": ["success", "processing", "error"]},
            "created_at": {"type": "string", "format": "date-time"},
            "output": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "eta": {"type": "number"},
            "webhook_credential": {"type": "string", "format": "password"},
        },
    }
    spec["paths"][GROWN_PATH] = {
        "post": {
            "tags": ["Management"],
            "summary": "Fetch a result",
            "operationId": GROWN_OPERATION_ID,
            **({"requestBody": request_body} if request_body else {}),
            "responses": {
                "200": {
                    "description": "The result",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{GROWN_MODEL}"}}},
                },
                **error_responses,
            },
        }
    }
    return spec


def grown_module() -> str:
    """The generated module of the grown spec's new operation, below the package's `api.`: "management.fetch_result"."""
    from enterprise3d_devkit.repo.layout import PACKAGE
    from enterprise3d_devkit.spec.operations import operations

    (op,) = [op for op in operations(grown_spec()) if op.path == GROWN_PATH]
    return op.module.removeprefix(f"{PACKAGE}.api.")
