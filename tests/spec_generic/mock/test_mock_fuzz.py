"""The mock survives any input: a property-based fuzz of SpecMock.handle, the one handler behind both the
in-process transport and the HTTP server.

Arbitrary methods, paths, content types, Prefer headers and bodies (random bytes, non-UTF-8, huge, JSON of any
shape, bodies shaped by the request schema) -- and whatever arrives, the answer is never a 5xx unless Prefer asked
for it; a refused request is a 400 error body that never echoes the key it was sent; 404 for unknown paths, 405
with Allow; every other answer has a documented (or Prefer'd) status and a body valid against the spec.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from enterprise3d_devkit.instances import example_path, is_valid, to_json_schema
from enterprise3d_devkit.mock_server import MAX_BODY_BYTES, PREFER_CODE, SpecMock
from enterprise3d_devkit.operations import HTTP_METHODS, Operation, server_base_url
from tests.support.spec_cases import OPERATIONS, SPEC, op_id, secret_fields

SENTINEL = "sk-fuzz-sentinel-4b1d"
MOCK = SpecMock(SPEC)
BASE = server_base_url(SPEC)
# Header values: what HTTP can carry (printable ASCII), short.
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=16)
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "application/xml", ""]


def bodies(op: Operation) -> st.SearchStrategy[bytes]:
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )
    choices = [
        st.binary(max_size=256),
        st.just(b"\xff\xfe\x00not utf-8"),
        st.integers(MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 64).map(lambda size: b"{" * size),
        json_values.map(lambda v: json.dumps(v).encode()),
    ]
    if op.request_schema is not None:
        keys = secret_fields(op.request_schema)
        shaped = from_schema(to_json_schema(op.request_schema, op.openapi_version))
        choices.append(
            shaped.map(
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
        return httpx.Request(method, BASE + path, headers=headers, content=body)

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
    if status in (400, 404, 405):
        error = json.loads(response.content)
        assert isinstance(error, dict) and error.get("status") == "error" and error.get("message")
        assert SENTINEL not in response.text, "the error echoes the key it was sent"
        documented = op.responses.get(status)
        if status == 400 and documented is not None and documented.schema is not None:
            assert is_valid(error, documented.schema, op.openapi_version)
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
        assert words in json.loads(response.content)["message"]
