"""A documented status with a body that does not match the spec raises errors.InvalidResponse -- one
documented error carrying the status, headers, raw body, operation and the offending field -- never a bare
KeyError / ValueError / JSONDecodeError. Bad bodies are derived from each response schema in openapi.yaml.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from modelslab_enterprise_3d import errors
from scripts.openapi_spec import Operation, example_instance, load_spec, operations
from tests.contract.checks import Recorder, call, call_kwargs, check_parsed, module_for

SPEC = load_spec()
OPERATIONS = operations(SPEC)
WITH_MODEL = [(op, s) for op in OPERATIONS for s, r in sorted(op.responses.items()) if r.model and r.schema]
TEN_MB = 10 * 1024 * 1024
# A value of another JSON type than the schema's, per simple type.
WRONG_TYPE = {"string": 5, "integer": "five", "number": "five", "boolean": "yes", "array": "x", "object": 5}


@dataclass(frozen=True)
class BadBody:
    kind: str
    content: bytes
    field: str | None  # the field the error must name ("" = the body itself, None = not JSON at all)
    content_type: str = "application/json"


def bad_bodies(schema: dict[str, Any]) -> list[BadBody]:
    good = example_instance(schema)
    text = json.dumps(good).encode()
    properties: dict[str, Any] = schema.get("properties") or {}
    cases = [
        BadBody("html-error-page", b"<html><body><h1>502 Bad Gateway</h1></body></html>", None, "text/html"),
        BadBody("empty-body", b"", None),
        BadBody("truncated-json", text[: len(text) // 2], None),
        BadBody("json-array", json.dumps([good]).encode(), ""),
        BadBody("json-string", json.dumps("error").encode(), ""),
        BadBody("huge-non-json", b"<" * TEN_MB, None, "text/html"),
    ]
    for name in schema.get("required", []):
        cases.append(
            BadBody(f"missing-{name}", json.dumps({k: v for k, v in good.items() if k != name}).encode(), name)
        )
        cases.append(BadBody(f"null-{name}", json.dumps({**good, name: None}).encode(), name))
    for name, prop in properties.items():
        if prop.get("type") in WRONG_TYPE:
            wrong = {**good, name: WRONG_TYPE[prop["type"]]}
            cases.append(BadBody(f"wrong-type-{name}", json.dumps(wrong).encode(), name))
        if "enum" in prop:
            unknown = {**good, name: "ok-but-not-in-the-enum"}
            cases.append(BadBody(f"unknown-enum-{name}", json.dumps(unknown).encode(), name))
    return cases


CASES = [(op, status, bad) for op, status in WITH_MODEL for bad in bad_bodies(op.responses[status].schema or {})]


def fixed(status: int, content: bytes, content_type: str) -> Recorder:
    return Recorder(
        SPEC, lambda request: httpx.Response(status, content=content, headers={"content-type": content_type})
    )


@pytest.mark.parametrize(
    ("op", "status", "bad"),
    CASES,
    ids=[f"{op.label.replace(' ', '')}-{status}-{bad.kind}" for op, status, bad in CASES],
)
@pytest.mark.parametrize("variant", ["sync_detailed", "sync", "asyncio_detailed", "asyncio"])
def test_bad_body_raises_invalid_response(op: Operation, status: int, bad: BadBody, variant: str) -> None:
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    recorder = fixed(status, bad.content, bad.content_type)
    with pytest.raises(errors.InvalidResponse) as caught:
        call(variant, module, recorder.client(), kwargs)
    error = caught.value
    assert error.status_code == status
    assert error.content == bad.content  # the raw body is intact
    assert error.headers["content-type"] == bad.content_type
    assert error.response.status_code == status
    assert op.path in error.operation and op.method.upper() in error.operation
    message = str(error)
    assert f"HTTP {status}" in message
    assert len(message) < 2000, "the message quotes a bounded preview, not the whole body"
    if bad.field is None:
        assert error.field is None and error.expected == "a JSON body"
    else:
        assert error.field == bad.field
        assert error.expected
        if bad.field:
            assert repr(bad.field) in message


@pytest.mark.parametrize(("op", "status"), WITH_MODEL, ids=[f"{op.label.replace(' ', '')}-{s}" for op, s in WITH_MODEL])
def test_tolerated_bodies_parse(op: Operation, status: int) -> None:
    """Decisions documented in the README: parse despite a wrong Content-Type; accept big bodies; accept the
    vendor's legacy `messege` spelling; keep unknown fields."""
    schema = op.responses[status].schema or {}
    good = example_instance(schema)
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    bodies: dict[str, tuple[bytes, str]] = {
        "wrong-content-type": (json.dumps(good).encode(), "text/plain"),
        "no-content-type": (json.dumps(good).encode(), ""),
        "ten-megabytes": (json.dumps({**good, "padding": "x" * TEN_MB}).encode(), "application/json"),
    }
    if "message" in good:
        legacy = {("messege" if k == "message" else k): v for k, v in good.items()}
        bodies["legacy-messege"] = (json.dumps(legacy).encode(), "application/json")
    for kind, (content, content_type) in bodies.items():
        response = call("sync_detailed", module, fixed(status, content, content_type).client(), kwargs)
        check_parsed(op, status, response.parsed)
        parsed = response.parsed.to_dict()
        for name, value in good.items():
            assert parsed[name] == value, kind


def test_invalid_response_is_documented_and_exported() -> None:
    assert "InvalidResponse" in errors.__all__
    assert errors.InvalidResponse.__doc__ and "documented" in errors.InvalidResponse.__doc__
    assert issubclass(errors.InvalidField, ValueError)


def test_nested_field_paths_are_reported() -> None:
    error = errors.InvalidField("status", "one of 'a'", "'b' (str)").inside("result").inside("items")
    assert error.field == "items.result.status"
    restored = pickle.loads(pickle.dumps(error))
    assert (restored.field, restored.expected, str(restored)) == (error.field, error.expected, str(error))
