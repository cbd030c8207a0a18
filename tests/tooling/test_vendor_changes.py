"""A change the vendor publishes flows through to a green update: `make update-spec` (no SOURCE: the recorded URL,
served on loopback in the vendor's place) takes it, and the tests pass with no other edit when it only adds; a new
operation fails only on the decisions a person must make, and the failures name them."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from enterprise3d_devkit.spec.loading import HTTP_METHODS, load_spec
from tests.support.repo_copies import make, run, update_spec
from tests.support.spec_variants import grown_spec, unused_name
from tests.support.vendor import VendorMirror

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline

# The tests that read the record, the vendor's document or the list of operations: those that tied the repository
# to one copy of the vendor's document, and those a new operation asks decisions of. (The rest of the suite
# enumerates the spec; tooling/test_generate.py checks a grown spec through it.)
SPEC_DEPENDENT = [
    "tests/tooling/test_spec_record.py::test_the_record_is_consistent_and_names_where_the_vendor_publishes_the_spec",
    "tests/tooling/test_update_spec.py::test_the_published_document_reproduces_openapi_yaml_and_reports_no_change",
    "tests/this_api/test_operation_table.py",
    "tests/this_api/test_readme.py",
    "tests/this_api/test_overlay_facts.py",
    "tests/spec_generic/high_level/test_methods.py",
    "tests/spec_generic/contract/test_contract.py::test_every_operation_has_a_generated_module",
    "tests/spec_generic/contract/test_contract.py::test_every_documented_enum_value_parses",
]


def additions(spec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The vendor's document with an optional field, an enum value and a documented status added (names and values
    it does not have yet); the report lines each should give."""
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    _, model = next((n, s) for n, s in schemas.items() if s.get("properties"))
    field = unused_name(model["properties"], "vendor_note")
    model["properties"][field] = {"type": "string", "description": "added by the vendor"}
    enum = next(p for s in schemas.values() for p in (s.get("properties") or {}).values() if "enum" in p)
    value = unused_name(enum["enum"], "queued_elsewhere")
    enum["enum"].append(value)
    _, item = next(iter(spec["paths"].items()))
    method = next(m for m in item if m in HTTP_METHODS)
    status = next(code for code in ("409", "422", "429", "503") if code not in item[method]["responses"])
    error = next(r for code, r in item[method]["responses"].items() if str(code).startswith("4"))
    item[method]["responses"][status] = copy.deepcopy(error)
    return spec, [f"optional field {field!r} added", f"enum value {value!r} added", f"status {status}"]


def failed_tests(output: str) -> set[str]:
    return {
        line.split()[1].split("::")[0] + "::" + line.split("::")[1].split()[0].split("[")[0]
        for line in output.splitlines()
        if line.startswith("FAILED ")
    }


# Of those, the ones that ask a person's decisions of a new operation (the other tests enumerate the spec).
DECISIONS = ["tests/this_api/test_operation_table.py", "tests/this_api/test_readme.py"]


def spec_dependent_tests(repo: Path, suites: list[str] = SPEC_DEPENDENT) -> Any:
    env = {"PYTHONPATH": f"{repo / 'generated'}:{repo}"}  # the copy's package, not the installed one
    command = ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-rf", *suites]
    return run(command, repo, env=env, timeout=300)


def test_an_additive_change_goes_green_and_a_new_operation_fails_only_on_the_decisions(
    repo: Path, vendor: VendorMirror
) -> None:
    published = load_spec(repo / "openapi.yaml")
    grown, reported = additions(published)
    vendor.publish(json.dumps(grown, indent=2).encode())
    update = make(repo, "update-spec", env=vendor.env)
    assert update.returncode == 0, update.stderr
    for line in reported:
        assert line in update.stdout, (line, update.stdout[-2000:])
    assert make(repo, "check-spec-record", "check-generated").returncode == 0
    tests = spec_dependent_tests(repo)
    assert tests.returncode == 0, tests.stdout[-3000:]

    with_operation = grown_spec()  # (the vendored spec as published, plus a new operation)
    with_operation["paths"] = {
        **grown["paths"],
        **{p: i for p, i in with_operation["paths"].items() if p not in grown["paths"]},
    }
    with_operation["components"]["schemas"] = {
        **with_operation["components"]["schemas"],
        **grown["components"]["schemas"],
    }
    vendor.publish(json.dumps(with_operation, indent=2).encode())
    code, output = update_spec(repo)  # (the same command as above; in this process)
    assert code == 0, output
    tests = spec_dependent_tests(repo, DECISIONS)
    assert tests.returncode != 0
    assert failed_tests(tests.stdout) == {
        "tests/this_api/test_operation_table.py::test_the_table_names_every_operation_of_the_spec_and_no_other",
        "tests/this_api/test_readme.py::test_readme_documents_every_operation_of_the_spec",
    }, tests.stdout[-3000:]
    assert "codegen/operations.yaml" in tests.stdout and re.search(r"README.*has no row for POST ", tests.stdout)
