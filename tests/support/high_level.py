"""Calling the high-level clients (Enterprise3D, AsyncEnterprise3D) from the spec alone, in the tests.

A method is found by its operation's generated module name; its arguments are built from the spec the same way
as the functional API's (contract_checks.call_kwargs, then enterprise3d_devkit.harness.calls.method_arguments).
"""

from __future__ import annotations

import enum
import functools
import importlib
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs
import httpx

from enterprise3d_devkit.harness import calls
from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.repo.layout import PACKAGE
from enterprise3d_devkit.spec.loading import object_schema
from enterprise3d_devkit.spec.operations import Operation, server_base_url
from modelslab_enterprise_3d import AsyncEnterprise3D, Enterprise3D
from modelslab_enterprise_3d.core.retries import error_class
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_FIELD, ERROR_STATUSES
from modelslab_enterprise_3d.testing import SpecMock
from tests.support.contract_checks import SENTINEL, Recorder, call_kwargs, model_class, module_for
from tests.support.spec_cases import SPEC

KEY = f"{SENTINEL}-api-key"  # the API key the tests configure: unique, so that a leak can be searched for

# The status -> exception map is the runtime's one (the README's error table is checked against it too).
expected_error = error_class


def mock_body(op: Operation, status: int) -> dict[str, Any]:
    """The mock's body for this (error) status of `op`: the documented schema's instance, or for a status the spec
    does not document the vendor's generic error body (vendor-facts.md); {} when there is no JSON object."""
    mock = _mock()
    served = next(o for o in mock.operations if o.label == op.label)  # the mock's reading of the same operation
    answer = mock.answer(served, httpx.Request("POST", "/", headers={"Prefer": f"code={status}"}))
    body = answer.json() if answer.content else {}  # a documented status may have no body
    return body if isinstance(body, dict) else {}


@functools.cache
def _mock() -> SpecMock:
    return SpecMock(SPEC)  # building its validators takes a while: once per test process


def success_statuses(op: Operation) -> list[int]:
    return [status for status in sorted(op.responses) if 200 <= status < 300]


def is_error_model(cls: type) -> bool:
    """Whether a model is an error body: its `status` can only be a value that says the operation failed. (Its
    annotation is read as written, a string: the models import some types for type checkers only.)"""
    field = attrs.fields_dict(cls).get("status") if attrs.has(cls) else None
    names = str(field.type if field is not None else "").replace(" ", "").split("|")
    models = importlib.import_module(f"{PACKAGE}.models")
    enums = [t for name in names if isinstance(t := getattr(models, name, None), type) and issubclass(t, enum.Enum)]
    return bool(enums) and all({member.value for member in e} <= ERROR_STATUSES for e in enums)


def success_models(op: Operation) -> tuple[Any, ...]:
    """What a successful call may return, as the generator annotates it: the models (and lists of models, for a
    top-level array answer) the operation's generated functions parse (the generator's reading of the spec, a oneOf
    included) except the models of its error statuses and the error variants of a oneOf (they raise
    OperationFailedError); () when no 2xx has a body. `fits` tells whether a value is one of them."""
    parsed = typing.get_type_hints(module_for(op)._parse_response)["return"]
    error_models = {op.responses[s].model for s in op.responses if s >= 300} - {
        op.responses[s].model for s in success_statuses(op)
    }
    found = [t for t in union_members(parsed) if _is_model_annotation(t)]
    success = tuple(
        t for t in found if typing.get_origin(t) or (t.__name__ not in error_models and not is_error_model(t))
    )
    named = {model_class(name) for s in success_statuses(op) if (name := op.responses[s].model)} - {
        t for t in found if not typing.get_origin(t) and is_error_model(t)
    }
    assert named <= set(success), f"{op.label}: the spec's success models are among what the functions parse"
    return success


def union_members(annotation: Any) -> tuple[Any, ...]:
    """The members of a union annotation (`A | B`), or the annotation itself (a class, `list[A]`)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _is_model_annotation(annotation: Any) -> bool:
    """A class the generator parses a body into, or a list of such (a top-level array answer): never None, nor the
    Any of a response without a body (a class since Python 3.11)."""
    origin = typing.get_origin(annotation)
    if origin is not None:
        return origin is list and all(_is_model_annotation(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and annotation not in (type(None), Any)


def fits(value: object, annotations: tuple[Any, ...]) -> bool:
    """Whether `value` is one of `annotations` (success_models'): an instance of a class, or a list all of whose
    items fit a list annotation's item type."""
    for annotation in annotations:
        origin = typing.get_origin(annotation)
        if origin is None and isinstance(value, annotation):
            return True
        if (
            origin is list
            and isinstance(value, list)
            and all(fits(item, typing.get_args(annotation)) for item in value)
        ):
            return True
    return False


def has_key_field(op: Operation) -> bool:
    return API_KEY_FIELD in (object_schema(op.request_schema or {}).get("properties") or {})


def method_arguments(op: Operation, method: Callable[..., Any]) -> tuple[list[Any], dict[str, Any]]:
    """(positional, keyword) arguments for the method of `op`, built from the spec (with contract_checks'
    sentinels in free-form fields)."""
    kwargs, _ = call_kwargs(op, module_for(op))
    return calls.method_arguments(op, method, kwargs)


def transport_client(
    answer: Callable[[httpx.Request], httpx.Response], asynchronous: bool = False, **options: Any
) -> Any:
    """A high-level client whose requests go to `answer` in-process (an httpx.MockTransport); strict, as the tests
    validate against the spec (strict_response_validation=False where a test checks the default)."""
    cls = AsyncEnterprise3D if asynchronous else Enterprise3D
    options.setdefault("strict_response_validation", True)
    options.setdefault("api_key", KEY)
    options.setdefault("base_url", server_base_url(SPEC))
    return cls(httpx_args={"transport": httpx.MockTransport(answer)}, **options)


def call_method(client: Enterprise3D, op: Operation) -> Any:
    method = getattr(client, method_name(op))
    positional, kwargs = method_arguments(op, method)
    return method(*positional, **kwargs)


async def call_method_async(client: AsyncEnterprise3D, op: Operation) -> Any:
    method = getattr(client, method_name(op))
    positional, kwargs = method_arguments(op, method)
    return await method(*positional, **kwargs)


def no_sleep(client: Any, delays: list[float]) -> None:
    """Make the client record the waits between retries instead of sleeping them."""
    if isinstance(client, AsyncEnterprise3D):

        async def record(seconds: float) -> None:
            delays.append(seconds)

        client._sleep = record
    else:
        client._sleep = delays.append


class AnswerKeeper(Recorder):
    """A Recorder (the mock, in-process) that also keeps its last answer."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.last_answer = super().handle(request)
        return self.last_answer


class ScriptedAnswers:
    """An in-process answerer (for httpx.MockTransport) that plays a script -- a Step answers, an httpx transport
    error class is raised -- then hands every later request to `then`; it counts the requests."""

    def __init__(self, script: list[Any], then: Callable[[httpx.Request], httpx.Response]) -> None:
        self.script, self.then, self.requests = list(script), then, 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if not self.script:
            return self.then(request)
        step = self.script.pop(0)
        if isinstance(step, type):
            raise step("scripted", request=request)
        return httpx.Response(step.status, json=step.body, headers=step.headers)
