"""The API key travels in the JSON body and nowhere else: not in reprs, exception texts, httpx/httpcore
DEBUG logs, the URL, the query or the headers."""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from typing import Any

import httpx
import pytest

import modelslab_enterprise_3d.models as models
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import Client, errors
from modelslab_enterprise_3d._vendor_facts import CREDENTIAL_FIELDS
from modelslab_enterprise_3d.client import AuthenticatedClient
from tests.support.contract_checks import SENTINEL, Recorder, call_kwargs, check_secret_only_in_body, module_for
from tests.support.spec_cases import OPERATIONS as ALL_OPERATIONS
from tests.support.spec_cases import SPEC, case_ids, op_id, secret_fields

OPERATIONS = [op for op in ALL_OPERATIONS if op.request_schema]


def shows(value: str, text: str) -> bool:
    """Whether `text` shows `value` whole (a field `key` sentinel is a prefix of a field `key_to_cancel` one)."""
    return re.search(re.escape(value) + r"(?!\w)", text) is not None


def secret_kwargs(op: Operation) -> tuple[dict[str, Any], list[str]]:
    module = module_for(op)
    kwargs, sentinels = call_kwargs(op, module)
    names = secret_fields(op.request_schema or {})
    assert names, f"{op.label}: no credential field in the request body; revisit this test"
    secrets = [s for s in sentinels if any(s.endswith(f"-{name}") for name in names)]
    assert secrets
    return kwargs, secrets


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_request_models_mask_the_key_in_repr_and_str(op: Operation) -> None:
    kwargs, secrets = secret_kwargs(op)
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
@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_debug_logs_url_query_and_headers_never_show_the_key(
    op: Operation, api_base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    kwargs, secrets = secret_kwargs(op)
    module = module_for(op)
    sent: list[httpx.Request] = []

    async def keep_async(request: httpx.Request) -> None:
        sent.append(request)

    with caplog.at_level(logging.DEBUG):
        with Client(base_url=api_base_url, httpx_args={"event_hooks": {"request": [sent.append]}}) as client:
            assert module.sync_detailed(client=client, **kwargs).status_code == op.default_status()

        async def run() -> None:
            hooks = {"request": [keep_async]}
            async with Client(base_url=api_base_url, httpx_args={"event_hooks": hooks}) as client:
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
        check_secret_only_in_body(request, secrets)
