"""Run in a subprocess against a package generated from one of tests/fixtures/documents/ (it comes first on
PYTHONPATH): each high-level method's signature, request and result, checked against what the document says.

    python -m tests.tooling.shape_probe DOCUMENT

Prints one line per checked method and exits 0, or fails on the first broken promise (an AssertionError).
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.instances import valid_instance
from enterprise3d_devkit.spec.loading import load_spec, object_schema, resolve
from enterprise3d_devkit.spec.operations import operations

KEY = "shape-probe-key"


def error_body(schema: dict[str, Any]) -> bool:
    from modelslab_enterprise_3d.core.vendor_facts import ERROR_STATUSES

    enum = (object_schema(schema).get("properties") or {}).get("status", {}).get("enum")
    return bool(enum) and set(enum) <= ERROR_STATUSES


def probe(document: Path) -> None:
    package = importlib.import_module("modelslab_enterprise_3d")
    assert str(document.parent) not in str(package.__file__)  # the generated copy, not the committed package
    from modelslab_enterprise_3d import Enterprise3D, OperationFailedError
    from modelslab_enterprise_3d.core.vendor_facts import API_KEY_FIELD

    spec = load_spec(document)
    for op in operations(spec):
        body = object_schema(op.request_schema or {})
        properties = body.get("properties") or {}
        required = set(body.get("required") or []) - {API_KEY_FIELD}
        method = getattr(Enterprise3D, method_name(op))
        parameters = inspect.signature(method).parameters
        assert API_KEY_FIELD not in parameters, "the client fills in the key, inherited or not"
        keyword = {n for n, p in parameters.items() if p.kind is p.KEYWORD_ONLY}
        mandatory = {n for n in keyword if parameters[n].default is inspect.Parameter.empty}
        assert mandatory == required, f"{op.label}: the required body fields, allOf parts included: {mandatory}"
        assert keyword - {"extra_body"} == set(properties) - {API_KEY_FIELD}, (
            f"{op.label}: every body field is an argument"
        )

        # What the method returns: the 200's oneOf variants, but the error body (which raises instead).
        raw = spec["paths"][op.path][op.method]["responses"]["200"]["content"]["application/json"]["schema"]
        refs = [v["$ref"].rsplit("/", 1)[-1] for v in raw["oneOf"]]
        variants = [resolve(spec, v) for v in raw["oneOf"]]
        # (the annotation is a string: the methods' types are imported for type checkers only)
        returned = {name.strip() for name in str(inspect.signature(method).return_annotation).split("|")}
        assert returned == {r for r, v in zip(refs, variants, strict=True) if not error_body(v)}

        arguments = {name: valid_instance(properties[name], op.openapi_version) for name in required}
        for name, prop in properties.items():
            if "enum" in prop:  # a plain value, not the member, for an enum argument
                arguments[name] = prop["enum"][-1]
        positional = [valid_instance(p["schema"], op.openapi_version) for p in op.path_parameters]
        answers = [valid_instance(v, op.openapi_version) for v in variants]
        sent: list[dict[str, Any]] = []

        def answer(request: httpx.Request, sent: list[Any] = sent, answers: list[Any] = answers) -> httpx.Response:
            sent.append(json.loads(request.content))
            return httpx.Response(200, json=answers[len(sent) - 1])

        client = Enterprise3D(api_key=KEY, httpx_args={"transport": httpx.MockTransport(answer)}, max_retries=0)
        for variant, instance in zip(variants, answers, strict=True):
            if error_body(variant):
                try:
                    method(client, *positional, **arguments)
                except OperationFailedError as failed:
                    assert failed.result.to_dict() == instance  # type: ignore[attr-defined]
                else:
                    raise AssertionError(f"{op.label}: an error body of the oneOf did not raise")
            else:
                assert method(client, *positional, **arguments).to_dict() == instance
            assert sent[-1] == {API_KEY_FIELD: KEY, **arguments}, sent[-1]
        print(f"{op.label}: {len(answers)} answers, arguments {sorted(arguments)}")


if __name__ == "__main__":
    probe(Path(sys.argv[1]))
