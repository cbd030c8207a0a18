"""The API key travels where the spec says (the JSON body's key field, or the header or query parameter of the security
scheme an operation declares) and nowhere else: not in reprs, exception texts, httpx/httpcore DEBUG logs, nor any
other part of the request."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
from typing import Any

import httpx
import pytest

import modelslab_enterprise_3d.models as models
from enterprise3d_devkit.spec.operations import Operation, server_base_url
from modelslab_enterprise_3d import Client, Enterprise3D, errors
from modelslab_enterprise_3d.client import AuthenticatedClient
from modelslab_enterprise_3d.core.vendor_facts import CREDENTIAL_FIELDS
from tests.support.contract_checks import (
    SCHEME_KEY,
    SENTINEL,
    Recorder,
    call_kwargs,
    check_key_where_declared,
    keyed_client,
    module_for,
)
from tests.support.high_level import call_method
from tests.support.spec_cases import OPERATIONS as ALL_OPERATIONS
from tests.support.spec_cases import SPEC, case_ids, op_id, secret_fields

# the operations that take a credential: in a body field, or in a security scheme they declare
OPERATIONS = [op for op in ALL_OPERATIONS if secret_fields(op.request_schema or {}) or op.key is not None]
IN_BODY = [op for op in OPERATIONS if secret_fields(op.request_schema or {})]
# The low-level functions take no key of a scheme: their user configures the client with it (key_settings). A key in
# the query is then in the URL httpx logs; the high-level client adds it below httpx (the last test here).
LOW_LEVEL_LOGGED = [op for op in OPERATIONS if op.key is None or op.key.location != "query"]


def shows(value: str, text: str) -> bool:
    """Whether `text` shows `value` whole (a field `key` sentinel is a prefix of a field `key_to_cancel` one)."""
    return re.search(re.escape(value) + r"(?!\w)", text) is not None


def secret_kwargs(op: Operation) -> tuple[dict[str, Any], list[str]]:
    module = module_for(op)
    kwargs, sentinels = call_kwargs(op, module)
    names = secret_fields(op.request_schema or {})
    secrets = [s for s in sentinels if any(s.endswith(f"-{name}") for name in names)]
    assert bool(secrets) == bool(names), f"{op.label}: the body's credential fields get sentinels"
    return kwargs, secrets + ([SCHEME_KEY] if op.key is not None else [])


@pytest.mark.parametrize("op", IN_BODY, ids=op_id)
def test_request_models_mask_the_key_in_repr_and_str(op: Operation) -> None:
    kwargs, secrets = secret_kwargs(op)
    secrets = [secret for secret in secrets if secret != SCHEME_KEY]
    body = kwargs["body"]
    for text in (repr(body), str(body), f"{body}", repr([body]), repr(Client(base_url="x"))):
        for secret in secrets:
            assert not shows(secret, text)
    assert "***" in repr(body)
    assert any(shows(secret, str(body.to_dict())) for secret in secrets), "to_dict must still send the key"


def declared_secrets() -> dict[str, set[str]]:
    """Model class -> the fields its component schema declares `format: password` (as the generator names both)."""
    from openapi_python_client.strings import ClassName

    from enterprise3d_devkit.repo.layout import FIELD_PREFIX

    schemas = (SPEC.get("components") or {}).get("schemas") or {}
    return {str(ClassName(name, FIELD_PREFIX)): set(secret_fields(schema)) for name, schema in schemas.items()}


def test_every_model_with_a_secret_field_masks_it() -> None:
    """A field is masked in a model's repr when its name is a credential's, or its schema says `format: password`;
    every other field shows."""
    checked = 0
    declared = declared_secrets()
    for name in models.__all__:
        cls = getattr(models, name)
        fields = (
            [p for p in inspect.signature(cls.__init__).parameters if p != "self"] if hasattr(cls, "to_dict") else []
        )
        if not fields:
            continue
        model = cls.__new__(cls)  # every field set to a sentinel naming it, whatever its type
        for field in fields:
            setattr(model, field, f"{SENTINEL}-{field}")
        model.additional_properties = {}
        shown = repr(model)
        for field in fields:
            secret = field in CREDENTIAL_FIELDS or field in declared.get(name, set())
            assert shows(f"{SENTINEL}-{field}", shown) != secret, f"{name}.{field}: {shown}"
        checked += 1
    assert checked, "the spec has models with fields"


def test_clients_never_show_credentials() -> None:
    secret = f"{SENTINEL}-client"
    clients = [
        Client(base_url="https://h", headers={"X-Api-Key": secret}, cookies={"session": secret}),
        AuthenticatedClient(base_url="https://h", token=secret),
        Client(base_url="https://h", httpx_args={"auth": ("user", secret)}),
    ]
    for client in clients:
        assert secret not in repr(client) and secret not in str(client)


def _failing_answers() -> list[tuple[Operation, str, int]]:
    """(op, which error, status): an undocumented status raises UnexpectedStatus; a documented status with a
    body raises InvalidResponse when the body is not what the spec says."""
    cases = []
    for op in OPERATIONS:
        cases.append((op, "UnexpectedStatus", next(s for s in (500, 502, 503, 599) if s not in op.responses)))
        if op.responses[op.default_status()].schema is not None:
            cases.append((op, "InvalidResponse", op.default_status()))
    return cases


FAILING_ANSWERS = _failing_answers()


@pytest.mark.parametrize(("op", "error", "answer"), FAILING_ANSWERS, ids=case_ids(FAILING_ANSWERS))
def test_exceptions_do_not_carry_the_key(op: Operation, error: str, answer: int) -> None:
    kwargs, secrets = secret_kwargs(op)
    module = module_for(op)
    recorder = Recorder(SPEC, lambda request: httpx.Response(answer, content=b"<html>oops</html>"))
    with (
        recorder.client(raise_on_unexpected_status=True) as client,
        pytest.raises(getattr(errors, error)) as caught,
    ):
        module.sync_detailed(client=client, **kwargs)
    texts = [str(caught.value), repr(caught.value), repr(caught.value.args)]
    for secret in secrets:
        assert not [t for t in texts if secret in t]


@pytest.mark.slow  # over HTTP, to the mock on a socket
@pytest.mark.mock_only  # calls every operation, state-changing ones included
@pytest.mark.parametrize("op", LOW_LEVEL_LOGGED, ids=op_id)
def test_debug_logs_url_query_and_headers_never_show_the_key(
    op: Operation, api_base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    kwargs, secrets = secret_kwargs(op)
    module = module_for(op)
    sent: list[httpx.Request] = []

    async def keep_async(request: httpx.Request) -> None:
        sent.append(request)

    with caplog.at_level(logging.DEBUG):
        with keyed_client(
            api_base_url, SCHEME_KEY, [op], httpx_args={"event_hooks": {"request": [sent.append]}}
        ) as client:
            assert module.sync_detailed(client=client, **kwargs).status_code == op.default_status()

        async def run() -> None:
            hooks = {"request": [keep_async]}
            async with keyed_client(api_base_url, SCHEME_KEY, [op], httpx_args={"event_hooks": hooks}) as client:
                await module.asyncio_detailed(client=client, **kwargs)

        asyncio.run(run())
    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore"} <= loggers, "no DEBUG records captured: the check would be empty"
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        for secret in secrets:
            assert secret not in text, f"{record.name} logged the key"
    assert len(sent) == 2
    for request in sent:
        body_secrets = [secret for secret in secrets if secret != SCHEME_KEY]
        if body_secrets:
            check_key_where_declared(op, request, body_secrets[0], in_body=True)
        if op.key is not None:
            check_key_where_declared(op, request, SCHEME_KEY, in_body=False)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_the_high_level_client_sends_the_key_where_declared_and_never_logs_it(
    op: Operation, caplog: pytest.LogCaptureFixture
) -> None:
    key = f"{SENTINEL}-high-level-key"
    recorder = Recorder(SPEC)  # the requests as they reach the transport: what goes on the wire
    with caplog.at_level(logging.DEBUG):
        client = Enterprise3D(
            api_key=key,
            base_url=server_base_url(SPEC),
            max_retries=0,
            httpx_args={"transport": httpx.MockTransport(recorder.handle)},
        )
        with client, contextlib.suppress(errors.OperationFailedError):
            call_method(client, op)
    assert {"httpx"} <= {record.name.split(".")[0] for record in caplog.records}, "no DEBUG records captured"
    for record in caplog.records:
        assert not shows(key, record.getMessage() + repr(record.args)), f"{record.name} logged the key"
    (request,) = recorder.requests
    check_key_where_declared(op, request, key, in_body=bool(secret_fields(op.request_schema or {})))
