"""A documented status with a body that does not match the spec raises errors.InvalidResponse -- one
documented error carrying the status, headers, raw body, operation and the offending field -- never a bare
KeyError / ValueError / JSONDecodeError. Bad bodies are derived from each response schema in openapi.yaml.
An enum value the spec does not list is bad only to a strict client (strict_response_validation=True): by default
it is kept.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.spec.instances import response_instance
from enterprise3d_devkit.spec.loading import object_schema
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import errors
from modelslab_enterprise_3d.core.vendor_facts import LEGACY_SPELLINGS
from tests.support.contract_checks import (
    Recorder,
    call,
    call_kwargs,
    check_parsed,
    module_for,
    same_data,
    variants_for,
)
from tests.support.spec_cases import SPEC, WITH_MODEL, WRONG_TYPE, case_id, case_ids, python_name

TEN_MB = 10 * 1024 * 1024
# What InvalidResponse.expected says for a field of each simple type: its Python type (README's error table).
PYTHON_TYPE = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# ... and of a string of these formats: the type the generator parses it into.
FORMAT_TYPE = {"date-time": "datetime.datetime", "date": "datetime.date"}
NOT_JSON, NOT_AN_OBJECT, REQUIRED = "a JSON body", "a JSON object", "a value (the field is required)"


def expected_for(prop: dict[str, Any]) -> str | None:
    """The `expected` text documented for a wrong value of this property; None where the README promises none."""
    if "enum" in prop:
        return "one of " + ", ".join(json.dumps(str(value)) for value in prop["enum"])
    if prop.get("type") == "string" and prop.get("format") in FORMAT_TYPE:
        return FORMAT_TYPE[prop["format"]]
    return PYTHON_TYPE.get(prop.get("type", ""))


@dataclass(frozen=True)
class BadBody:
    kind: str
    content: bytes
    field: str | None  # the field the error must name ("" = the body itself, None = not JSON at all)
    expected: str | None  # what the error must say was expected (None: any non-empty text)
    content_type: str = "application/json"
    strict_only: bool = False  # bad only when the client validates strictly (an enum value the spec does not list)


def bad_bodies(op: Operation, status: int) -> list[BadBody]:
    schema = object_schema(op.responses[status].schema or {})
    good = response_instance(op, status)
    text = json.dumps(good).encode()
    properties: dict[str, Any] = schema.get("properties") or {}
    cases = [
        BadBody("html-error-page", b"<html><body><h1>502 Bad Gateway</h1></body></html>", None, NOT_JSON, "text/html"),
        BadBody("empty-body", b"", None, NOT_JSON),
        BadBody("truncated-json", text[: len(text) // 2], None, NOT_JSON),
        BadBody("json-array", json.dumps([good]).encode(), "", NOT_AN_OBJECT),
        BadBody("json-string", json.dumps("error").encode(), "", NOT_AN_OBJECT),
        BadBody("huge-non-json", b"<" * TEN_MB, None, NOT_JSON, "text/html"),
    ]
    for name in schema.get("required", []):
        missing = json.dumps({k: v for k, v in good.items() if k != name}).encode()
        cases.append(BadBody(f"missing-{name}", missing, name, REQUIRED))
        if not properties.get(name, {}).get("nullable"):
            null = json.dumps({**good, name: None}).encode()
            cases.append(BadBody(f"null-{name}", null, name, expected_for(properties.get(name, {}))))
    for name, prop in properties.items():
        if prop.get("type") in WRONG_TYPE:
            wrong = {**good, name: WRONG_TYPE[prop["type"]]}
            cases.append(BadBody(f"wrong-type-{name}", json.dumps(wrong).encode(), name, expected_for(prop)))
        if "enum" in prop:
            unknown = {**good, name: "ok-but-not-in-the-enum"}
            cases.append(
                BadBody(
                    f"unknown-enum-{name}", json.dumps(unknown).encode(), name, expected_for(prop), strict_only=True
                )
            )
    return cases


CASES = [(op, status, bad) for op, status in WITH_MODEL for bad in bad_bodies(op, status)]


def fixed(status: int, content: bytes, content_type: str) -> Recorder:
    return Recorder(
        SPEC, lambda request: httpx.Response(status, content=content, headers={"content-type": content_type})
    )


@pytest.mark.parametrize(
    ("op", "status", "bad"),
    CASES,
    ids=[case_id((op, status, bad.kind)) for op, status, bad in CASES],
)
def test_bad_body_raises_invalid_response(op: Operation, status: int, bad: BadBody) -> None:
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    for variant in variants_for(op):  # all four generated functions raise the same documented error
        # strict (the unknown-enum cases raise too), and by default (everything else raises there as well)
        for strict in (True,) if bad.strict_only else (True, False):
            recorder = fixed(status, bad.content, bad.content_type)
            with pytest.raises(errors.InvalidResponse) as caught:
                call(variant, module, recorder.client(strict_response_validation=strict), kwargs)
            check_invalid_response(caught.value, op, status, bad)


UNKNOWN_ENUMS = [(op, status, bad) for op, status, bad in CASES if bad.strict_only]


@pytest.mark.parametrize(
    ("op", "status", "bad"), UNKNOWN_ENUMS, ids=[case_id((op, status, bad.kind)) for op, status, bad in UNKNOWN_ENUMS]
)
def test_an_enum_value_the_spec_does_not_list_is_kept_by_default(op: Operation, status: int, bad: BadBody) -> None:
    """Forward-compatible by default: the value stays, typed as the enum, unequal to every listed member, and goes
    back unchanged in to_dict(); the rest of the body parses as usual."""
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    sent = json.loads(bad.content)
    for variant in variants_for(op):
        lenient = fixed(status, bad.content, bad.content_type).client(strict_response_validation=False)
        parsed = call(variant, module, lenient, kwargs)
        parsed = getattr(parsed, "parsed", parsed)
        assert same_data(parsed.to_dict()) == same_data(sent), "an unknown value round-trips"
        assert bad.field, "an unknown enum value is a field's"
        value = getattr(parsed, python_name(bad.field))
        enum = type(value)
        assert isinstance(value, enum) and not value.is_known
        assert all(value != member for member in enum), "unequal to every listed member"
        assert value == sent[bad.field] and enum(sent[bad.field]) is value


def check_invalid_response(error: errors.InvalidResponse, op: Operation, status: int, bad: BadBody) -> None:
    assert error.status_code == status
    assert error.content == bad.content  # the raw body is intact
    assert error.headers["content-type"] == bad.content_type
    assert error.response.status_code == status
    assert op.path in error.operation and op.method.upper() in error.operation
    message = str(error)
    assert f"HTTP {status}" in message
    assert len(message) < 2000, "the message quotes a bounded preview, not the whole body"
    assert error.field == bad.field
    if bad.expected is None:
        assert error.expected
    else:
        assert error.expected == bad.expected
    if bad.field:
        assert repr(bad.field) in message


@pytest.mark.parametrize(("op", "status"), WITH_MODEL, ids=case_ids(WITH_MODEL))
def test_tolerated_bodies_parse(op: Operation, status: int) -> None:
    """Decisions documented in the README: parse despite a wrong Content-Type; accept big bodies; accept the
    vendor's legacy `messege` spelling (unless the schema declares that spelling as a field); keep unknown fields."""
    good = response_instance(op, status)
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    bodies: dict[str, tuple[bytes, str]] = {
        "wrong-content-type": (json.dumps(good).encode(), "text/plain"),
        "no-content-type": (json.dumps(good).encode(), ""),
        "ten-megabytes": (json.dumps({**good, "padding": "x" * TEN_MB}).encode(), "application/json"),
    }
    declared = object_schema(op.responses[status].schema or {}).get("properties") or {}
    for name, spelling in LEGACY_SPELLINGS.items():
        if name in good and spelling not in declared:  # (a spelling the schema declares is a field of its own)
            legacy = {(spelling if k == name else k): v for k, v in good.items()}
            bodies[f"legacy-{spelling}"] = (json.dumps(legacy).encode(), "application/json")
    for kind, (content, content_type) in bodies.items():
        response = call("sync_detailed", module, fixed(status, content, content_type).client(), kwargs)
        check_parsed(op, status, response.parsed)
        parsed = same_data(response.parsed.to_dict())
        for name, value in good.items():
            assert parsed[name] == same_data(value), kind


def test_invalid_response_is_documented_and_exported() -> None:
    assert "InvalidResponse" in errors.__all__
    assert errors.InvalidResponse.__doc__ and "documented" in errors.InvalidResponse.__doc__
    assert issubclass(errors.InvalidField, ValueError)


def test_nested_field_paths_are_reported() -> None:
    error = errors.InvalidField("status", "one of 'a'", "'b' (str)").inside("result").inside("items")
    assert error.field == "items.result.status"
    restored = pickle.loads(pickle.dumps(error))
    assert (restored.field, restored.expected, str(restored)) == (error.field, error.expected, str(error))
