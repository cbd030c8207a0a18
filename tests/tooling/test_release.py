"""The version moves with the spec, and CHANGELOG.md says why: BREAKING -> major, additive -> minor, regenerated
only (overlay, generator, templates) -> patch; nothing changed -> nothing written. The report can be Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from enterprise3d_devkit.release.version import bump_kind, next_version, read_version
from enterprise3d_devkit.repo.layout import OVERLAY_NAME
from enterprise3d_devkit.spec.diff import Change
from enterprise3d_devkit.spec.loading import load_spec
from tests.support.repo_copies import make, update_spec
from tests.support.servers import FileServer
from tests.support.spec_variants import unused_name
from tests.support.vendor import VendorMirror

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline

ADDED = Change("model", "m", "optional field 'x' added", False)
REMOVED = Change("model", "m", "field 'x' removed", True)


def test_bump_kinds_and_next_versions() -> None:
    assert bump_kind([ADDED, REMOVED], [], package_changed=True) == "major"
    assert bump_kind([], ["  [BREAKING] m.x: Public object was removed"], package_changed=True) == "major"
    assert bump_kind([ADDED], [], package_changed=True) == "minor"
    assert bump_kind([], [], package_changed=True) == "patch"
    assert bump_kind([], [], package_changed=False) is None
    assert [next_version("1.4.2", k) for k in ("major", "minor", "patch")] == ["2.0.0", "1.5.0", "1.4.3"]


def published(repo: Path) -> dict[str, object]:
    return load_spec(repo / "openapi.yaml")


def test_an_additive_then_a_breaking_update_move_minor_then_major(
    repo: Path, served: FileServer, tmp_path: Path
) -> None:
    before = read_version(repo)
    spec = published(repo)
    model = next(iter(spec["components"]["schemas"].values()))  # type: ignore[index]
    note = unused_name(model["properties"], "note")
    model["properties"][note] = {"type": "string"}
    report = tmp_path / "report.md"
    result = make(repo, "update-spec", f"SOURCE={served.add('a.json', json.dumps(spec).encode())}", f"REPORT={report}")
    assert result.returncode == 0, result.stderr
    minor = next_version(before, "minor")
    assert read_version(repo) == minor and f"version {before} -> {minor} (minor)" in result.stdout
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = report.read_text(encoding="utf-8")
    assert entry.startswith(f"## {minor} (") and "**ok**" in entry and f"optional field '{note}' added" in entry
    assert entry in changelog and changelog.index(f"## {minor}") < changelog.index(f"## {before}")

    del model["properties"][note]
    code, output = update_spec(repo, served.add("b.json", json.dumps(spec).encode()))
    assert code == 0, output
    major = next_version(minor, "major")
    assert read_version(repo) == major
    assert "**BREAKING**" in (repo / "CHANGELOG.md").read_text(encoding="utf-8").split(f"## {minor}")[0]


def test_an_overlay_only_change_moves_the_patch_and_nothing_moves_nothing(repo: Path, vendor: VendorMirror) -> None:
    before = read_version(repo)
    changelog = (repo / "CHANGELOG.md").read_bytes()
    assert update_spec(repo)[0] == 0
    assert read_version(repo) == before and (repo / "CHANGELOG.md").read_bytes() == changelog

    path = next(iter(published(repo)["paths"]))  # type: ignore[call-overload]
    overlay_path = repo / OVERLAY_NAME
    overlay = yaml.safe_load(overlay_path.read_text(encoding="utf-8")) if overlay_path.exists() else None
    overlay = overlay or {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": []}
    action = {"target": f"$.paths['{path}'].*", "description": "a clearer summary", "update": {"summary": "S"}}
    overlay["actions"].append(action)
    overlay_path.write_text(yaml.safe_dump(overlay, sort_keys=False), encoding="utf-8")
    code, output = update_spec(repo)
    assert code == 0, output
    assert read_version(repo) == next_version(before, "patch")
    assert "a clearer summary" in (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert make(repo, "check-generated").returncode == 0
