"""Calling a generated operation from the spec alone: its module, and keyword arguments built from its schemas.

The demo, the benchmarks and the tests all call operations they know only from the spec; this is how.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from enum import Enum
from types import ModuleType
from typing import Any

from openapi_python_client.schema.untrusted_string import UntrustedString
from openapi_python_client.strings import PythonIdentifier

from enterprise3d_devkit.instances import valid_instance
from enterprise3d_devkit.layout import FIELD_PREFIX
from enterprise3d_devkit.operations import Operation


def generated_module(op: Operation) -> ModuleType:
    """The generated module of an operation (ModuleNotFoundError when generated/ is stale)."""
    return importlib.import_module(op.module)


def call_arguments(op: Operation, module: ModuleType, body: Any = None) -> dict[str, Any]:
    """Keyword arguments for the module's functions: `body` (JSON data) as the generated body model, and every
    path, query and header parameter with a valid value of its schema (enums as the generated enum)."""
    hints = typing.get_type_hints(module.sync_detailed)
    kwargs: dict[str, Any] = {}
    if op.request_schema is not None:
        body_type = hints["body"]
        models = [t for t in typing.get_args(body_type) or (body_type,) if hasattr(t, "from_dict")]
        kwargs["body"] = models[0].from_dict(body) if models and isinstance(body, dict) else body
    for parameter in op.parameters:
        if parameter.get("in") not in {"path", "query", "header"}:
            continue
        name = str(PythonIdentifier(UntrustedString(parameter["name"]), prefix=FIELD_PREFIX))
        value = valid_instance(parameter.get("schema") or {"type": "string"}, op.openapi_version)
        hint = hints.get(name)
        enums = [t for t in typing.get_args(hint) or (hint,) if inspect.isclass(t) and issubclass(t, Enum)]
        kwargs[name] = enums[0](value) if enums else value
    return kwargs
