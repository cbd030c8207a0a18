"""The mock survives any input: a property-based fuzz of SpecMock.handle, the one handler behind both the
in-process transport and the HTTP server.

Arbitrary methods, paths, content types, Prefer headers and bodies (random bytes, non-UTF-8, huge, JSON of any
shape, bodies shaped by the request schema) -- and whatever arrives, the answer is never a 5xx unless Prefer asked
for it; a refused request is a 400 error body that never echoes the key it was sent; 404 for unknown paths, 405
with Allow; every other answer has a documented (or Prefer'd) status and a body valid against the spec.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enterprise3d_devkit.spec.instances import example_path, is_valid, to_json_schema
from enterprise3d_devkit.spec.operations import HTTP_METHODS, Operation, server_base_url
from modelslab_enterprise_3d.core.answers import message_of
from modelslab_enterprise_3d.testing import SpecMock
from modelslab_enterprise_3d.testing.mock import MAX_BODY_BYTES, PREFER_CODE
from tests.support.contract_checks import check_refusal_body, key_headers, key_params
from tests.support.spec_cases import OPERATIONS, SPEC, op_id, secret_fields
from tests.support.strategies import json_values, schema_shaped

SENTINEL = "sk-fuzz-sentinel-4b1d"
MOCK = SpecMock(SPEC)
BASE = server_base_url(SPEC)
# Header values: what HTTP can carry (printable ASCII), short.
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=16)
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "application/xml", ""]


def bodies(op: Operation) -> st.SearchStrategy[bytes]:
    any_json = json_values(infinities=True)
    choices = [
        st.binary(max_size=256),
        st.just(b"\xff\xfe\x00not utf-8"),
        st.integers(MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 64).map(lambda size: b"{" * size),
        any_json.map(lambda v: json.dumps(v).encode()),
    ]
    if op.request_schema is not None:
        keys = secret_fields(op.request_schema)
        choices.append(
            schema_shaped(to_json_schema(op.request_schema, op.openapi_version), any_json).map(
                lambda v: json.dumps({**v, **dict.fromkeys(keys, SENTINEL)} if isinstance(v, dict) else v).encode()
            )
        )
    return st.one_of(*choices)


def requests(op: Operation) -> st.SearchStrategy[httpx.Request]:
    paths = st.sampled_from([example_path(op), op.path, example_path(op) + "/extra", "/", "/no/such/operation"])
    methods = st.sampled_from([*(m.upper() for m in HTTP_METHODS), op.method.upper(), "FOO"])
    statuses = st.sampled_from(sorted(op.responses)) | st.integers(100, 599) | st.just(999)
    prefer = st.none() | statuses.map(lambda code: f"code={code}") | HEADER_TEXT

    def build(method: str, path: str, content_type: str, body: bytes, prefer_value: str | None) -> httpx.Request:
        headers = {"content-type": content_type} if content_type else {}
        if prefer_value is not None:
            headers["prefer"] = prefer_value
        # the key where the operation's security scheme asks: without it, every request is refused (401) first
        url = httpx.URL(BASE + path, params=key_params(op, SENTINEL))
        return httpx.Request(method, url, headers={**key_headers(op, SENTINEL), **headers}, content=body)

    content_types = st.sampled_from([*CONTENT_TYPES, op.request_content_type or ""]) | HEADER_TEXT
    return st.builds(build, methods, paths, content_types, bodies(op), prefer)


def asked_for(request: httpx.Request) -> int | None:
    match = PREFER_CODE.search(request.headers.get("prefer", ""))
    return int(match.group(1)) if match else None


def check_answer(op: Operation, request: httpx.Request, response: httpx.Response) -> None:
    status = response.status_code
    prefer = asked_for(request)
    assert status < 500 or status == prefer, f"{status} for {request.method} {request.url.path}"
    if status == 405:
        assert response.headers.get("allow"), "405 without Allow"
    # the mock's own refusals (401: a method or path whose operation takes the key elsewhere); a status that `Prefer`
    # asked of this operation is the spec's answer, checked below
    found = MOCK.find(request.method, request.url.path)[0]
    routed = found is not None and found.label == op.label
    if status in (400, 401, 404, 405) and not (routed and status == prefer):
        error = json.loads(response.content)
        assert SENTINEL not in response.text, "the error echoes the key it was sent"
        if status == 400:  # (the others may come from another operation's route, or from none)
            check_refusal_body(op, status, error)
        else:
            assert isinstance(error, dict) and message_of(error)
        return
    assert status in op.responses or status == prefer, f"undocumented {status} nobody asked for"
    documented = op.responses.get(status)
    if documented is None:
        return
    if documented.schema is None:
        assert response.content == b""
    else:
        assert is_valid(json.loads(response.content), documented.schema, op.openapi_version)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_the_mock_survives_any_request(op: Operation) -> None:
    seen: list[int] = []

    @settings(max_examples=200)
    @given(request=requests(op))
    def fuzz(request: httpx.Request) -> None:
        response = MOCK.handle(request)
        seen.append(response.status_code)
        check_answer(op, request, response)

    fuzz()
    assert len(seen) >= 200
    assert {400, 404}.issubset(seen), f"the fuzz never reached the error paths: {sorted(set(seen))}"


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_each_kind_of_unreadable_body_gets_a_400_naming_the_problem(op: Operation) -> None:
    if op.request_content_type is None:
        pytest.skip("takes no body")
    url = BASE + example_path(op)
    cases: dict[str, Any] = {
        "not UTF-8": (b"\xff\xfe{}", op.request_content_type),
        "not valid JSON": (b'{"key": ', op.request_content_type),
        "Content-Type": (b"{}", "text/plain"),
        "bytes; at most": (b" " * (MAX_BODY_BYTES + 1), op.request_content_type),
    }
    for words, (body, content_type) in cases.items():
        response = MOCK.handle(
            httpx.Request(op.method.upper(), url, headers={"content-type": content_type}, content=body)
        )
        assert response.status_code == 400
        assert words in str(message_of(json.loads(response.content)))


# Path parameters as arbitrary bytes, percent-encoded: control characters, bytes that are not UTF-8, slashes,
# percent signs. An independent fuzzer once got a 500 this way over HTTP (the request was rebuilt from the decoded
# path, which httpx refuses); these go through both the handler and the HTTP server.
PATH_BYTES = st.binary(min_size=1, max_size=12) | st.sampled_from([b"\x00", b"\x1f", b"\x7f", b"\xff", b"\xc3(", b"%"])
WITH_PATH_PARAMETERS = [op for op in OPERATIONS if op.path_parameters]


def raw_path(op: Operation, value: bytes) -> bytes:
    """The operation's path (under the server's base path) with every path parameter set to `value`, encoded."""
    encoded = "".join(f"%{byte:02X}" for byte in value).encode()
    path = re.sub(rb"\{[^}]+\}", lambda _: encoded, (op.prefix + op.path).encode())
    return httpx.URL(BASE).raw_path.rstrip(b"/") + path


@pytest.mark.parametrize("op", WITH_PATH_PARAMETERS, ids=op_id)
def test_any_bytes_in_a_path_parameter_get_a_4xx_or_a_documented_answer_in_process(op: Operation) -> None:
    @settings(max_examples=60)
    @given(value=PATH_BYTES)
    def fuzz(value: bytes) -> None:
        url = httpx.URL(BASE).copy_with(raw_path=raw_path(op, value))
        request = httpx.Request(op.method.upper(), url, json={"key": "k"})
        response = MOCK.handle(request)
        assert response.status_code < 500, (value, response.status_code, response.text)

    fuzz()


@pytest.mark.mock_only
@pytest.mark.parametrize("op", WITH_PATH_PARAMETERS, ids=op_id)
def test_any_bytes_in_a_path_parameter_get_a_4xx_or_a_documented_answer_over_http(
    op: Operation, api_base_url: str
) -> None:
    base = httpx.URL(api_base_url)
    with httpx.Client(timeout=10) as client:

        @settings(max_examples=40)
        @given(value=PATH_BYTES)
        def fuzz(value: bytes) -> None:
            path = base.raw_path.rstrip(b"/") + raw_path(op, value)[len(httpx.URL(BASE).raw_path.rstrip(b"/")) :]
            response = client.request(op.method.upper(), base.copy_with(raw_path=path), json={"key": "k"})
            assert response.status_code < 500, (value, response.status_code, response.text)

        fuzz()
    controls = raw_path(op, b"\x00")[len(httpx.URL(BASE).raw_path.rstrip(b"/")) :]
    with httpx.Client(timeout=10) as client:
        answer = client.request(
            op.method.upper(), base.copy_with(raw_path=base.raw_path.rstrip(b"/") + controls), json={"key": "k"}
        )
    assert answer.status_code == 400 and "control characters" in str(message_of(answer.json()))
