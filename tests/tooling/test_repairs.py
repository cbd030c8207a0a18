"""Refusals that propose their repair: for each defect kind the tools know, on documents of our own making (the
vendored spec with the defect put in), the proposed Overlay actions repair it -- the document validates and
generates with them -- each says it was proposed, not reviewed; generate.sh and update-spec print them, update-spec
and test-spec write them to a file, and the scheduled update opens its pull request with them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from enterprise3d_devkit.harness.spec_suite import FAILED, REFUSED, Outcome, check_document
from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import OVERLAY_NAME, PACKAGE, REPO
from enterprise3d_devkit.spec.instances import example_findings
from enterprise3d_devkit.spec.loading import HTTP_METHODS, SpecError, load_spec
from enterprise3d_devkit.spec.overlay import apply_overlay, load_overlay
from enterprise3d_devkit.spec.repairs import PROPOSED, overlay_document, propose
from enterprise3d_devkit.spec.validation import check_spec
from tests.support.repo_copies import make, write_spec
from tests.support.spec_variants import unused_name
from tests.support.vendor import VendorMirror, watch

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline


def _first_model(spec: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in spec["components"]["schemas"].values() if s.get("properties"))


def undeclared_path_parameter(spec: dict[str, Any]) -> None:
    path = next(p for p, item in spec["paths"].items() if "{" not in p)
    spec["paths"][path + "/{job_ref}"] = spec["paths"].pop(path)


def required_not_declared(spec: dict[str, Any]) -> None:
    model = _first_model(spec)
    model.setdefault("required", []).append(unused_name(model["properties"], "renamed_field"))


def default_outside_enum(spec: dict[str, Any]) -> None:
    model = _first_model(spec)
    model["properties"][unused_name(model["properties"], "mode")] = {
        "type": "string",
        "enum": ["fast", "slow"],
        "default": "medium",
    }


def example_breaking_its_schema(spec: dict[str, Any]) -> None:
    model = _first_model(spec)
    model["properties"][unused_name(model["properties"], "code")] = {
        "type": "string",
        "pattern": "^[a-z]+$",
        "example": "NOT-LOWER-CASE",
    }


def servers_only_on_operations(spec: dict[str, Any]) -> None:
    """The document's server moved onto every operation (as the vendor's llm-api document has it)."""
    servers = spec.pop("servers")
    for item in spec["paths"].values():
        for method in (m for m in HTTP_METHODS if m in item):
            item[method]["servers"] = copy.deepcopy(servers)


DEFECTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "undeclared-path-parameter": undeclared_path_parameter,
    "required-field-not-among-properties": required_not_declared,
    "default-outside-its-enum": default_outside_enum,
    "example-breaking-its-schema": example_breaking_its_schema,
    "servers-only-on-operations": servers_only_on_operations,
}


def with_defects(*names: str) -> dict[str, Any]:
    spec = copy.deepcopy(load_spec())  # the vendored spec as published
    for name in names:
        DEFECTS[name](spec)
    return spec


def defects_found(spec: dict[str, Any]) -> list[str]:
    found = []
    try:
        check_spec(spec)
    except SpecError as exc:
        found.append(exc.what)
    return found + example_findings(spec)


@pytest.mark.parametrize("kind", DEFECTS)
def test_the_proposed_actions_repair_each_kind(kind: str) -> None:
    spec = with_defects(kind)
    assert defects_found(spec), "the document of our own making has the defect"
    actions = propose(spec)
    assert actions and all(action["description"].startswith(PROPOSED) for action in actions)
    repaired, applied = apply_overlay(spec, overlay_document(actions, "t"))
    assert len(applied) == len(actions)
    assert defects_found(repaired) == [], "repaired"
    assert propose(repaired) == [], "nothing left to propose"


def test_a_document_with_every_kind_generates_with_the_proposal_and_generate_sh_prints_it(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path / "defective.yaml", with_defects(*DEFECTS))
    refused = run_generate_sh("--spec", str(spec_path), "--out", str(tmp_path / "a" / PACKAGE))
    assert refused.returncode != 0 and "Proposed repair" in refused.stderr
    proposal = tmp_path / "proposed.yaml"
    proposal.write_text(refused.stderr.split("Proposed repair", 1)[1].split("\n", 1)[1].split("generate.sh:")[0])
    assert len(load_overlay(proposal)["actions"]) >= len(DEFECTS) - 1
    generated = run_generate_sh(
        "--spec", str(spec_path), "--overlay", str(proposal), "--out", str(tmp_path / "b" / PACKAGE)
    )
    assert generated.returncode == 0, generated.stderr


def test_test_spec_tries_the_proposal_of_a_refused_document_before_reporting_it(tmp_path: Path) -> None:
    """The proposal is tried: generated and the spec-generic suite run on the document with it applied (a small
    document of ours, its path parameter left undeclared)."""
    spec = load_spec(REPO / "tests" / "fixtures" / "documents" / "body-shapes.openapi.yaml")
    (path,) = [p for p in spec["paths"] if "{" in p]
    name = path.split("{", 1)[1].split("}", 1)[0]
    for operation in spec["paths"][path].values():
        operation.pop("parameters", None)
    spec_path = write_spec(tmp_path / "defective.yaml", spec)
    outcome = check_document(str(spec_path))
    assert outcome.status == REFUSED and outcome.proposed
    assert outcome.proposed[0]["update"]["parameters"][0]["name"] == name
    assert outcome.repair is not None and outcome.repaired, outcome.repair
    assert "its proposed repair makes it green" in outcome.line()


def test_a_repair_that_leaves_tests_failing_names_them() -> None:
    failing = ("tests/spec_generic/contract/test_contract.py::test_a", "tests/spec_generic/mock/test_mock.py::test_b")
    repair = Outcome("d.json + proposed.overlay.yaml", FAILED, operations=1, passed=3, failed=2, failing=failing)
    line = Outcome("d.json", REFUSED, detail="the file is not valid", proposed=({"target": "$"},), repair=repair).line()
    assert "still leaves 2 failing" in line and all(test in line for test in failing)


def test_update_spec_prints_and_writes_the_proposal_and_changes_nothing(repo: Path, vendor: VendorMirror) -> None:
    vendor.publish(json.dumps(with_defects("default-outside-its-enum")).encode())
    before = (repo / "openapi.yaml").read_bytes()
    proposal = repo.parent / "proposal.yaml"
    result = make(repo, "update-spec", f"PROPOSE={proposal}", env=vendor.env)
    assert result.returncode != 0 and "refused" in result.stderr and "Proposed repair" in result.stderr
    assert (repo / "openapi.yaml").read_bytes() == before
    (action,) = load_overlay(proposal)["actions"]
    assert action["remove"] is True and action["target"].endswith("['default']")


def test_the_scheduled_update_opens_its_pull_request_with_the_proposal(
    repo: Path, vendor: VendorMirror, tmp_path: Path
) -> None:
    overlay_before = (repo / OVERLAY_NAME).read_text(encoding="utf-8")
    vendor.publish(json.dumps(with_defects("undeclared-path-parameter")).encode())
    status, report, outputs = watch(repo, tmp_path)
    assert status == 10 and outputs["changed"] == "true" and outputs["proposed"] == "true"
    assert report.startswith("**The vendor's document was refused") and PROPOSED in report
    overlay_after = (repo / OVERLAY_NAME).read_text(encoding="utf-8")
    assert overlay_after.startswith(overlay_before.rstrip("\n")), "the reviewed actions are kept as they were"
    added = yaml.safe_load(overlay_after)["actions"][len(yaml.safe_load(overlay_before)["actions"]) :]
    assert [a["description"].startswith(PROPOSED) for a in added] == [True]
    assert make(repo, "check-generated").returncode == 0
    assert any(m in HTTP_METHODS for m in added[0]["target"].replace("'", " ").replace("]", " ").split())
