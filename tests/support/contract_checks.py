"""The contract checks: is what the generated client sends and parses what openapi.yaml says?

Each check raises ContractViolation naming every disagreement it finds. They take the spec as an
argument, so tests/spec_generic/contract/test_checker.py can prove they fail on a deliberately mismatched pair.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import re
from collections.abc import Callable, Iterable
from enum import Enum
from types import ModuleType
from typing import Any

import httpx
from openapi_core.exceptions import OpenAPIError
from openapi_core.validation.response.exceptions import InvalidData

from enterprise3d_devkit.harness.calls import call_arguments, generated_module
from enterprise3d_devkit.repo.layout import PACKAGE
from enterprise3d_devkit.spec.instances import is_valid, request_instance, validator_for
from enterprise3d_devkit.spec.loading import object_schema
from enterprise3d_devkit.spec.openapi_core_adapters import HttpxOpenAPIRequest, HttpxOpenAPIResponse, openapi_core
from enterprise3d_devkit.spec.operations import Operation, operations, server_base_path, server_base_url
from modelslab_enterprise_3d.testing import SpecMock

VARIANTS = ("sync", "sync_detailed", "asyncio", "asyncio_detailed")
DETAILED = ("sync_detailed", "asyncio_detailed")
SENTINEL = "sk-sentinel-7f3c9e1d"
# The key a low-level test client sends in the security schemes the spec declares (key_settings).
SCHEME_KEY = f"{SENTINEL}-scheme-key"


class ContractViolation(AssertionError):
    pass


# --- checks -----------------------------------------------------------------------------------------


def check_request(spec: dict[str, Any], op: Operation, request: httpx.Request) -> None:
    """The request matches the operation: method, server base path + path, Content-Type, and body."""
    problems = []
    if request.method.lower() != op.method:
        problems.append(f"method is {request.method}, the spec says {op.method.upper()}")
    base = server_base_path(spec)
    path = request.url.path
    if not op.served_regex(base).match(path):
        problems.append(f"path is {path}, the spec says {op.served_path(base)}")
    if op.request_content_type is not None:
        sent = request.headers.get("content-type", "").split(";")[0].strip()
        if sent != op.request_content_type:
            problems.append(f"Content-Type is {sent!r}, the spec says {op.request_content_type!r}")
    try:
        openapi_core(spec).validate_request(HttpxOpenAPIRequest(request))
    except OpenAPIError as exc:
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        problems.append(f"openapi-core rejects it: {type(exc).__name__}: {exc}{cause}")
    if problems:
        raise ContractViolation(f"{op.label}: " + "; ".join(problems))


def check_refusal_body(op: Operation, status: int, error: Any) -> None:
    """A request the mock refused (`status` for `op`): the body the spec documents for that status, valid for its
    schema, when it documents one; else the vendor's generic error body. Either way it carries the message."""
    from modelslab_enterprise_3d.core.answers import message_of

    assert isinstance(error, dict) and message_of(error), error
    documented = op.responses.get(status)
    if documented is not None and documented.schema is not None:
        assert is_valid(error, documented.schema, op.openapi_version), error
    else:
        assert error.get("status") == "error", error


def key_headers(op: Operation, key: str) -> dict[str, str]:
    """The headers a request of `op` carries the key in: its security scheme's header, if it declares one."""
    placement = op.key
    return {placement.name: placement.prefix + key} if placement and placement.location == "header" else {}


def key_params(op: Operation, key: str) -> dict[str, str]:
    """The query parameters a request of `op` carries the key in: its security scheme's, if it declares one."""
    placement = op.key
    return {placement.name: placement.prefix + key} if placement and placement.location == "query" else {}


def key_settings(ops: Iterable[Operation], key: str) -> dict[str, Any]:
    """A low-level Client's settings that send `key` in every security scheme these operations declare, as its
    user would configure it (the generated functions take no key of a scheme): {"headers": ..., "httpx_args": ...}."""
    headers: dict[str, str] = {}
    params: dict[str, str] = {}
    for op in ops:
        headers |= key_headers(op, key)
        params |= key_params(op, key)
    return {"headers": headers, "httpx_args": {"params": params} if params else {}}


def keyed_client(base_url: str, key: str, ops: Iterable[Operation], **options: Any) -> Any:
    """A low-level Client on `base_url` with key_settings (merged with the headers and httpx_args given)."""
    from modelslab_enterprise_3d import Client

    settings = key_settings(ops, key)
    headers = {**settings["headers"], **options.pop("headers", {})}
    httpx_args = {**settings["httpx_args"], **options.pop("httpx_args", {})}
    return Client(base_url=base_url, headers=headers, httpx_args=httpx_args, **options)


def check_key_where_declared(op: Operation, request: httpx.Request, key: str, in_body: bool) -> None:
    """The key travels where the spec says and nowhere else: the body's key field (`in_body`), and the header or
    query parameter of the security scheme `op` declares; not in another header, the URL's path or the body."""
    declared_headers, declared_params = key_headers(op, key), key_params(op, key)
    problems = [f"header {n} is not the key" for n, v in declared_headers.items() if request.headers.get(n) != v]
    problems += [
        f"query parameter {n} is not the key" for n, v in declared_params.items() if request.url.params.get(n) != v
    ]
    headers = [
        (n, v) for n, v in request.headers.multi_items() if n.lower() not in {h.lower() for h in declared_headers}
    ]
    params = [(n, v) for n, v in request.url.params.multi_items() if n not in declared_params]
    places = {"URL path": request.url.path, "query": repr(params), "headers": repr(headers)}
    problems += [f"the key is in the {place}" for place, text in places.items() if key in text]
    body = request.read().decode("utf-8", "replace")
    if in_body != (key in body):
        problems.append("the key is not in the body" if in_body else "the key is in the body")
    if problems:
        raise ContractViolation(f"{op.label}: " + "; ".join(problems))


def check_secret_only_in_body(request: httpx.Request, secrets: list[str]) -> None:
    places = {"URL": str(request.url), "headers": repr(list(request.headers.multi_items()))}
    leaks = [f"{secret!r} in the {place}" for secret in secrets for place, text in places.items() if secret in text]
    body = request.read().decode("utf-8", "replace")
    missing = [secret for secret in secrets if secret not in body]
    if leaks or missing:
        raise ContractViolation(f"secrets leaked: {leaks}; secrets not in the body: {missing}")


def model_class(name: str) -> type:
    cls = getattr(importlib.import_module(f"{PACKAGE}.models"), name, None)
    if not isinstance(cls, type):
        raise ContractViolation(f"the generated package has no model {name}")
    return cls


def to_plain(parsed: Any) -> Any:
    """A parsed body as JSON data again: models through to_dict(), enums by value, lists item by item."""
    if hasattr(parsed, "to_dict"):
        return parsed.to_dict()
    if isinstance(parsed, Enum):
        return parsed.value
    if isinstance(parsed, list):
        return [to_plain(item) for item in parsed]
    return parsed


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([Tt ].*)?$")


def same_data(value: Any) -> Any:
    """JSON data in a form where a round trip through the models compares equal: dates and date-times as the
    moments they name ('...Z' and '...+00:00' are one instant; the models write the second)."""
    if isinstance(value, dict):
        return {k: same_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [same_data(v) for v in value]
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return datetime.datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            return value
    return value


def check_parsed(op: Operation, status: int, parsed: object) -> None:
    """A documented status parses into the model the spec declares for it (a top-level array: a list of its items'
    model)."""
    expected, items = op.responses[status].model, op.responses[status].item_model
    if items is not None:
        cls = model_class(items)
        if not isinstance(parsed, list) or not all(isinstance(item, cls) for item in parsed):
            raise ContractViolation(
                f"{op.label} {status}: parsed as {parsed!r:.200}, the spec declares a list of {items}"
            )
        return
    if expected is None:
        return
    cls = model_class(expected)
    if not isinstance(parsed, cls):
        raise ContractViolation(f"{op.label} {status}: parsed as {type(parsed).__name__}, the spec declares {expected}")


def _deepest(error: Any) -> str:
    """The innermost reason of a jsonschema error (oneOf/anyOf errors keep theirs in `context`)."""
    while error.context:
        error = min(error.context, key=lambda e: len(e.context))
    return f"{'/'.join(map(str, error.absolute_path))}: {error.message[-200:]}"


def check_response_body(spec: dict[str, Any], op: Operation, request: httpx.Request, status: int, body: Any) -> None:
    """A body (e.g. a parsed model's to_dict()) is valid against the spec's schema for that status."""
    response = httpx.Response(status, json=body, request=request)
    try:
        openapi_core(spec).validate_response(HttpxOpenAPIRequest(request), HttpxOpenAPIResponse(response))
    except InvalidData as exc:
        # openapi-core 0.23.1 loses `nullable: true` inside oneOf/anyOf/allOf branches (python-openapi/openapi-core
        # #277) and rejects a null the schema allows. A schema verdict is therefore checked again against the
        # schema as the JSON Schema it means (enterprise3d_devkit.spec.instances.validator_for); only then is it final.
        documented = op.responses.get(status)
        schema = documented.schema if documented is not None else None
        problems = (
            [] if schema is None else [e.message for e in validator_for(schema, op.openapi_version).iter_errors(body)]
        )
        if schema is None or problems:
            where = f"{request.method} {request.url.path} {status}"
            raise ContractViolation(f"{where}: {exc}: {exc.__cause__}; {problems[:3]}") from exc
    except OpenAPIError as exc:
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise ContractViolation(f"{request.method} {request.url.path} {status}: {exc}{cause}") from exc


# --- driving the generated client -------------------------------------------------------------------


def variants_for(op: Operation) -> tuple[str, ...]:
    """The generated functions of an operation: sync()/asyncio() exist only when some response has a body."""
    return VARIANTS if op.parses_bodies else DETAILED


def module_for(op: Operation) -> ModuleType:
    try:
        return generated_module(op)
    except ModuleNotFoundError as exc:
        raise ContractViolation(f"{op.label} has no generated module {op.module}: run `make generate`") from exc


def _with_sentinels(schema: dict[str, Any], value: Any, secrets: list[str], version: str, name: str = "body") -> Any:
    """The value, with every free-form string that may be any text replaced by a unique sentinel the tests can
    look for (a string the schema constrains -- enum, format, pattern, length -- keeps its valid value)."""
    if isinstance(value, dict):
        properties = object_schema(schema).get("properties") or {}
        return {k: _with_sentinels(properties.get(k, {}), v, secrets, version, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_sentinels(schema.get("items") or {}, v, secrets, version, name) for v in value]
    secret = f"{SENTINEL}-{name}"
    free_form = isinstance(value, str) and not {"enum", "format", "pattern", "const"} & schema.keys()
    if free_form and is_valid(secret, schema, version):
        secrets.append(secret)
        return secret
    return value


def call_kwargs(
    op: Operation, module: ModuleType, overlay: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Keyword arguments for the generated functions, built from the spec; and the sentinels in the body.

    `overlay` (body fields written by hand, e.g. a real key) is laid over the spec-built body.
    """
    secrets: list[str] = []
    raw: Any = None
    if op.request_schema is not None:
        valid = request_instance(op)
        raw = _with_sentinels(op.request_schema, valid, secrets, op.openapi_version)
        if not is_valid(raw, op.request_schema, op.openapi_version):  # a combination the sentinels broke
            raw, secrets = valid, []
        if overlay and isinstance(raw, dict):
            raw = {**raw, **overlay}
    return call_arguments(op, module, raw), secrets


class Recorder:
    """An in-process transport that keeps every request and answers with `answer` (default: the mock)."""

    def __init__(self, spec: dict[str, Any], answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.spec = spec
        self.requests: list[httpx.Request] = []
        self.answer = answer or SpecMock(spec).handle

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.answer(request)

    def client(self, **options: Any) -> Any:
        """A Client on this transport, sending SCHEME_KEY where the spec's security schemes ask; strict, as the tests
        validate against the spec (strict=False where a test checks what users get by default)."""
        options.setdefault("strict_response_validation", True)
        transport = {"transport": httpx.MockTransport(self.handle)}
        return keyed_client(
            server_base_url(self.spec), SCHEME_KEY, operations(self.spec), httpx_args=transport, **options
        )


def call(variant: str, module: ModuleType, client: Any, kwargs: dict[str, Any]) -> Any:
    """Call one of the four generated functions; the async ones on a fresh event loop."""
    function = getattr(module, variant)
    if variant.startswith("asyncio"):

        async def run() -> Any:
            async with client:
                return await function(client=client, **kwargs)

        return asyncio.run(run())
    with client:
        return function(client=client, **kwargs)
