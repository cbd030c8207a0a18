"""The model plans (enterprise3d_devkit/generation/model_plans.py): what each generated model's fields get beyond
upstream's (masked credentials, checks as they are read, the expected text of an error, legacy spellings), on our
documents (tests/fixtures/documents/) and the Enterprise 3D spec; the expectations are read from each spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openapi_python_client.schema.untrusted_string import UntrustedString
from openapi_python_client.strings import ClassName

from enterprise3d_devkit.generation import plans
from enterprise3d_devkit.generation.model_plans import PLAIN_CHECKS, ModelPlan, model_plans
from enterprise3d_devkit.repo.layout import FIELD_PREFIX, REPO
from enterprise3d_devkit.spec.loading import load_spec, object_schema, resolve
from enterprise3d_devkit.spec.overlay import effective_spec
from modelslab_enterprise_3d.core.vendor_facts import CREDENTIAL_FIELDS, LEGACY_SPELLINGS

DOCUMENTS = sorted((REPO / "tests" / "fixtures" / "documents").glob("*.openapi.yaml"))


def spec_of(path: Path) -> dict[str, Any]:
    return effective_spec() if path.name == "openapi.yaml" else load_spec(path)


def components(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each component object schema (allOf merged), by the class the generator names it."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    merged = {name: object_schema(resolve(spec, schema)) for name, schema in schemas.items()}
    return {
        str(ClassName(UntrustedString(name), FIELD_PREFIX)): schema
        for name, schema in merged.items()
        if schema.get("properties")
    }


@pytest.fixture(scope="module", params=[*DOCUMENTS, REPO / "openapi.yaml"], ids=lambda p: p.name)
def document(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, ModelPlan]]:
    spec = spec_of(request.param)
    return spec, model_plans(plans.generator_data(spec))


def test_every_field_of_every_model_has_a_plan(document: tuple[dict[str, Any], dict[str, ModelPlan]]) -> None:
    spec, made = document
    for name, schema in components(spec).items():
        assert set(made[name].fields) == set(schema["properties"]), name


def test_credentials_are_masked_and_never_quoted(document: tuple[dict[str, Any], dict[str, ModelPlan]]) -> None:
    spec, made = document
    for name, schema in components(spec).items():
        for field, prop in schema["properties"].items():
            plan = made[name].fields[field]
            credential = field in CREDENTIAL_FIELDS or resolve(spec, prop).get("format") == "password"
            assert plan.hidden == credential, (name, field)
            assert bool(plan.masked) == credential
            if credential:
                assert plan.masked.endswith("repr=_parsing.masked)") and "_attrs_field(" in plan.masked
                assert (" = _attrs_field(default=" in plan.masked) == (field not in schema.get("required", []))


def test_legacy_spellings_yield_to_what_a_model_declares(document: tuple[dict[str, Any], dict[str, ModelPlan]]) -> None:
    spec, made = document
    for name, schema in components(spec).items():
        declared = set(schema["properties"])
        wanted = {f: s for f, s in LEGACY_SPELLINGS.items() if f in declared and s not in declared}
        assert made[name].legacy == wanted, name


def test_plain_fields_are_checked_by_their_type_and_enums_name_their_values(
    document: tuple[dict[str, Any], dict[str, ModelPlan]],
) -> None:
    spec, made = document
    kinds = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
    for name, schema in components(spec).items():
        for field, prop in schema["properties"].items():
            plan, resolved = made[name].fields[field], resolve(spec, prop)
            if "enum" in resolved and None not in resolved["enum"]:
                assert plan.expected == "one of " + ", ".join(f'"{value}"' for value in resolved["enum"])
                assert plan.check == ""
            elif resolved.get("type") in kinds and not resolved.get("nullable") and "format" not in resolved:
                check = PLAIN_CHECKS[kinds[resolved["type"]]]
                optional = field not in schema.get("required", [])
                assert plan.check == (f"{check}, Unset" if optional else check), (name, field)
            if resolved.get("type") == "array" and not resolved.get("nullable"):
                assert plan.list_check, (name, field)
