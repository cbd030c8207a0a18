"""The mock validates every distinct request: one byte for byte the same as a request it found valid is answered
without validating it again (a client's polls, a load test's thousand calls), and nothing else is."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.spec.instances import example_path, request_instance
from enterprise3d_devkit.spec.operations import Operation, server_base_url
from modelslab_enterprise_3d.testing import SpecMock
from tests.support.contract_checks import SCHEME_KEY, key_headers, key_params
from tests.support.spec_cases import OPERATIONS, SPEC, op_id

WITH_BODY = [op for op in OPERATIONS if op.request_schema is not None and op.request_schema.get("required")]


def counting_mock(monkeypatch: pytest.MonkeyPatch) -> tuple[SpecMock, list[object]]:
    mock = SpecMock(SPEC)
    validated: list[object] = []
    validate = mock.validator.validate_request

    def counted(request: Any) -> None:
        validated.append(request)
        validate(request)

    monkeypatch.setattr(mock.validator, "validate_request", counted)
    return mock, validated


def send(mock: SpecMock, op: Operation, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    url = httpx.URL(server_base_url(SPEC) + example_path(op), params=key_params(op, SCHEME_KEY))
    content = json.dumps(body).encode()
    headers = {"content-type": "application/json", **key_headers(op, SCHEME_KEY), **(headers or {})}
    request = httpx.Request(op.method.upper(), url, content=content, headers=headers)
    return mock.handle(request)


@pytest.mark.parametrize("op", WITH_BODY, ids=op_id)
def test_a_repeated_valid_request_is_validated_once_and_answered_alike(
    op: Operation, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock, validated = counting_mock(monkeypatch)
    body = request_instance(op)
    first, second = send(mock, op, body), send(mock, op, body)
    assert len(validated) == 1
    assert first.status_code == second.status_code < 400
    # Anything that differs is a request of its own: another header value, another body.
    send(mock, op, body, {"x-trace": "2"})
    assert len(validated) == 2
    send(mock, op, {**body, "x_unlisted": 1})
    assert len(validated) == 3


@pytest.mark.parametrize("op", WITH_BODY, ids=op_id)
def test_an_invalid_request_is_validated_and_refused_every_time(op: Operation, monkeypatch: pytest.MonkeyPatch) -> None:
    mock, validated = counting_mock(monkeypatch)
    for _ in range(3):
        assert send(mock, op, {}).status_code == 400
    assert len(validated) == 3
