"""The command the scheduled spec-update workflow runs tells "unchanged" (0), "changed" (10) and "failed" (1)
apart, writes the report the pull request's body is made of, and GitHub Actions outputs for the next steps."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
import yaml

from enterprise3d_devkit.repo.digests import sha256
from enterprise3d_devkit.repo.layout import REPO
from enterprise3d_devkit.spec.loading import load_spec
from enterprise3d_devkit.spec.record import read_record
from enterprise3d_devkit.spec_update.watch import CHANGED, FAILED, UNCHANGED
from tests.support.repo_copies import copy_repo, make, tree_hash
from tests.support.servers import FileServer
from tests.support.spec_variants import unused_name
from tests.support.vendor import watch

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline


def test_unchanged_changed_and_failed_are_told_apart(tmp_path: Path, served: FileServer) -> None:
    repo = copy_repo(tmp_path / "repo")
    published = (REPO / "openapi.yaml").read_bytes()  # the vendor's document as taken (one source: byte for byte)
    url = served.add("openapi.json", published)
    assert make(repo, "update-spec", f"SOURCE={url}").returncode == 0  # with SOURCE: it replaces the record
    record = read_record(repo)
    assert record is not None
    today = datetime.date.today().isoformat()
    assert [(s.source, s.sha256, s.taken) for s in record.sources] == [(url, sha256(published), today)]

    before = tree_hash(repo)
    status, report, outputs = watch(repo, tmp_path)
    assert status == UNCHANGED and outputs == {"changed": "false", "breaking": "false", "proposed": "false"}
    assert "unchanged" in report and tree_hash(repo) == before

    grown = load_spec(published)
    schema = next(iter(grown["components"]["schemas"].values()))
    note = unused_name(schema["properties"], "note")
    schema["properties"][note] = {"type": "string"}
    served.add("openapi.json", json.dumps(grown).encode())
    status, report, outputs = watch(repo, tmp_path)
    assert status == CHANGED and outputs == {"changed": "true", "breaking": "false", "proposed": "false"}
    assert f"optional field '{note}' added" in report and "**BREAKING**" not in report
    record = read_record(repo)
    assert record is not None and record.sources[0].sha256 == sha256((served.root / "openapi.json").read_bytes())
    assert make(repo, "check-spec-record").returncode == 0

    schemas = grown["components"]["schemas"]
    del next(iter(schemas.values()))["properties"][note]
    served.add("openapi.json", json.dumps(grown).encode())
    status, report, outputs = watch(repo, tmp_path)
    assert status == CHANGED and outputs["breaking"] == "true" and "**BREAKING**" in report

    (served.root / "openapi.json").unlink()
    before = tree_hash(repo)
    status, _, _ = watch(repo, tmp_path)
    assert status == FAILED and tree_hash(repo) == before


def test_the_workflow_runs_the_command_and_labels_breaking_pull_requests() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "spec-update.yml").read_text(encoding="utf-8"))
    assert workflow[True]["schedule"] and "workflow_dispatch" in workflow[True]  # YAML 1.1 reads `on` as True
    steps = workflow["jobs"]["update"]["steps"]
    assert any("enterprise3d_devkit.spec_update.watch" in step.get("run", "") for step in steps)
    (pull_request,) = [step for step in steps if "create-pull-request" in step.get("uses", "")]
    assert "breaking" in pull_request["with"]["labels"] and pull_request["with"]["body-path"].endswith("report.md")
    assert workflow["permissions"] == {}, "least privilege: nothing by default, the job asks for what it needs"
