"""Calling a generated operation from the spec alone: its module, and arguments built from its schemas, for the
functions of its module and for its method on the high-level clients.

The demo, the benchmarks and the tests all call operations they know only from the spec; this is how.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable
from enum import Enum
from types import ModuleType
from typing import Any

from openapi_python_client.schema.untrusted_string import UntrustedString
from openapi_python_client.strings import PythonIdentifier

from enterprise3d_devkit.repo.layout import FIELD_PREFIX
from enterprise3d_devkit.spec.instances import valid_instance
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d.types import Unset


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


def method_name(op: Operation) -> str:
    """The operation's method on Enterprise3D / AsyncEnterprise3D: its module's name."""
    return op.module.rsplit(".", 1)[1]


def method_arguments(
    op: Operation, method: Callable[..., Any], kwargs: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """(positional, keyword) arguments for the high-level method of `op`, from the functions' keyword arguments
    (call_arguments): path parameters positionally; the body model's fields, except the key the client adds,
    by name (or the whole `body` when the method takes one); query and header parameters by name."""
    kwargs = dict(kwargs)
    parameters = inspect.signature(method).parameters
    positional = [kwargs.pop(name) for name, p in parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    body = kwargs.pop("body", None)
    if "body" in parameters:
        kwargs["body"] = body
    elif body is not None and hasattr(body, "to_dict"):  # a generated model: its fields are its __init__'s
        for field in list(inspect.signature(type(body).__init__).parameters)[1:]:
            value = getattr(body, field)
            if field != "key" and not isinstance(value, Unset):
                kwargs[field] = value
    return positional, kwargs
