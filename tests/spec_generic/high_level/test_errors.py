"""What the high-level methods raise: one exception class per error status (documented or the vendor's
undocumented ones), OperationFailedError for a 2xx whose body says "error", InvalidResponse for a body that does
not match the spec, APIConnectionError / APITimeoutError when no answer comes. Enumerated from the spec."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.spec.instances import is_valid, response_instance
from enterprise3d_devkit.spec.loading import object_schema
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import errors
from modelslab_enterprise_3d.core import errors as core_errors
from modelslab_enterprise_3d.core.answers import message_of
from modelslab_enterprise_3d.core.vendor_facts import CREDENTIAL_FIELDS, ERROR_STATUSES
from tests.support.contract_checks import model_class
from tests.support.high_level import (
    AnswerKeeper,
    call_method,
    call_method_async,
    expected_error,
    fits,
    mock_body,
    success_models,
    success_statuses,
    transport_client,
)
from tests.support.spec_cases import DOCUMENTED, OPERATIONS, SPEC, case_ids, op_id
from tests.support.vendor import undocumented_statuses

pytestmark = pytest.mark.mock_only

DOCUMENTED_ERRORS = [(op, status) for op, status in DOCUMENTED if status >= 400]
VENDOR_STATUSES = undocumented_statuses()  # 402, 403, 429, 500, 503: what vendor-facts.md says the API returns


def echoed_secrets_removed(recorder: AnswerKeeper) -> bytes:
    """The last answer's body, with the credentials the last request sent (its credential fields' values, where the
    answer echoes them) shown as an error shows them: removed."""
    sent = json.loads(recorder.requests[-1].content or b"null")
    content = recorder.last_answer.content
    secrets = [v for k, v in (sent or {}).items() if k.lower() in CREDENTIAL_FIELDS and isinstance(v, str)]
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= core_errors.MIN_REDACTED_LENGTH:
            content = content.replace(secret.encode(), core_errors.REDACTED.encode())
    return content


def answering(status: int, body: Any, headers: dict[str, str] | None = None) -> Any:
    content = json.dumps(body).encode() if body is not None else b""
    return lambda request: httpx.Response(
        status, content=content, headers={"content-type": "application/json", **(headers or {})}
    )


@pytest.mark.parametrize(("op", "status"), DOCUMENTED_ERRORS, ids=case_ids(DOCUMENTED_ERRORS))
def test_a_documented_error_status_raises_its_class_with_the_parsed_body(op: Operation, status: int) -> None:
    recorder = AnswerKeeper(SPEC)  # the mock answers the status the request prefers
    client = transport_client(recorder.handle, max_retries=0).with_options(headers={"Prefer": f"code={status}"})
    with pytest.raises(errors.APIStatusError) as caught:
        call_method(client, op)
    error = caught.value
    assert type(error) is expected_error(status)
    assert error.status_code == status and error.operation.startswith(op.module.rsplit(".", 1)[1])
    assert error.content == echoed_secrets_removed(recorder) and error.headers == recorder.last_answer.headers
    model = op.responses[status].model
    if model:
        assert isinstance(error.body, model_class(model))
    assert str(status) in str(error)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_the_vendors_undocumented_statuses_map_to_their_classes(op: Operation) -> None:
    statuses = sorted({*VENDOR_STATUSES, 402, 403, 404, 429, 500, 502, 503, 504} - set(op.responses))
    for status in statuses:
        recorder = AnswerKeeper(SPEC)  # the mock answers undocumented statuses with the vendor's error body
        client = transport_client(recorder.handle, max_retries=0).with_options(headers={"Prefer": f"code={status}"})
        with pytest.raises(errors.APIStatusError) as caught:
            call_method(client, op)
        error, answered = caught.value, recorder.last_answer.json()
        assert type(error) is expected_error(status), status
        assert error.status_code == status and error.body == answered
        assert error.message == answered["message"]  # the body's message, not the raw bytes, in the message
        assert answered["message"] in str(error)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_a_429_carries_retry_after_from_the_header_or_else_the_body(op: Operation) -> None:
    for headers, body, expected in [
        ({"Retry-After": "7"}, {}, 7.0),
        ({}, {"retry_after": 30}, 30.0),
        ({"Retry-After": "2"}, {"retry_after": 30}, 2.0),
        ({}, {}, None),
    ]:
        rate_limited = {k: v for k, v in mock_body(op, 429).items() if k != "retry_after"}  # the vendor's 429
        client = transport_client(answering(429, {**rate_limited, **body}, headers), max_retries=0)
        with pytest.raises(errors.RateLimitError) as caught:
            call_method(client, op)
        assert caught.value.retry_after == expected


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_a_2xx_saying_the_operation_failed_raises_operation_failed_with_the_model(op: Operation) -> None:
    for status in success_statuses(op):
        instance = response_instance(op, status)
        if not isinstance(instance, dict) or not op.responses[status].model:
            continue
        schema = object_schema(op.responses[status].schema or {})
        declared = "status" in (schema.get("properties") or {})
        for failed in sorted(ERROR_STATUSES):
            body = {**instance, "status": failed}  # the vendor's 200-with-error, overlaid on a spec-built body
            client = transport_client(answering(status, body), max_retries=0, strict_response_validation=False)
            if not declared:  # no status field in the success model: an extra "status" is an additional property
                assert fits(call_method(client, op), success_models(op))
                continue
            # even where the model's enum does not list the value, it is kept, and it says the operation failed
            with pytest.raises(errors.OperationFailedError) as caught:
                call_method(client, op)
            assert fits(caught.value.result, success_models(op))
            assert caught.value.status_code == status
            if not is_valid(body, schema, op.openapi_version):
                # a strict client refuses the unlisted value, unless the body is the vendor's error shape (a message
                # beside the failing status), which says the operation failed whatever the schema
                strict = transport_client(answering(status, body), max_retries=0, strict_response_validation=True)
                expected = errors.OperationFailedError if message_of(body) is not None else errors.InvalidResponse
                with pytest.raises(expected) as refused:
                    call_method(strict, op)
                assert type(refused.value) is expected


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_a_2xx_body_that_breaks_the_spec_raises_invalid_response(op: Operation) -> None:
    for status in success_statuses(op):
        if not op.responses[status].model:
            continue
        client = transport_client(answering(status, ["not", "an", "object"]), max_retries=0)
        with pytest.raises(errors.InvalidResponse) as caught:
            call_method(client, op)
        assert caught.value.status_code == status


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_an_undocumented_2xx_or_3xx_raises_unexpected_status_never_returns_none(op: Operation) -> None:
    for status in sorted({203, 302} - set(op.responses)):
        client = transport_client(answering(status, {"x": 1}), max_retries=0)
        with pytest.raises(errors.UnexpectedStatus) as caught:
            call_method(client, op)
        assert caught.value.status_code == status and isinstance(caught.value, errors.APIError)


def raising(error: type[httpx.TransportError]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error("no answer", request=request)

    return answer


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
async def test_no_answer_raises_connection_or_timeout_errors(op: Operation) -> None:
    cases: list[tuple[type[httpx.TransportError], type[errors.APIConnectionError]]] = [
        (httpx.ConnectError, errors.APIConnectionError),
        (httpx.ReadTimeout, errors.APITimeoutError),
        (httpx.ConnectTimeout, errors.APITimeoutError),
    ]
    for transport_error, expected in cases:
        with pytest.raises(expected) as caught:
            call_method(transport_client(raising(transport_error), max_retries=0), op)
        assert isinstance(caught.value.__cause__, transport_error)
        with pytest.raises(expected):
            await call_method_async(transport_client(raising(transport_error), asynchronous=True, max_retries=0), op)
