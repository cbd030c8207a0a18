"""openapi.overlay.yaml (OpenAPI Overlay 1.0.0): reviewed corrections of vendor defects, applied to the spec as
published -- by the generator, the drift check, the mock and the tests alike -- and failing loudly once stale."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import OVERLAY_NAME, PACKAGE
from enterprise3d_devkit.spec.loading import SpecError, load_spec
from enterprise3d_devkit.spec.overlay import OverlayError, apply_overlay, effective_spec, load_overlay
from enterprise3d_devkit.spec.validation import check_spec
from tests.support.repo_copies import copy_repo, make, tree_hash, update_spec
from tests.support.vendor import CORPUS

# Each vendor defect kind the overlay exists for, in a real corpus document, with its reviewed overlay.
DEFECTS = {
    "undeclared-path-parameter": "enterprise-api-qwen",
    "required-field-not-among-properties": "3d-api",
    "default-that-breaks-its-schema": "voice-cloning",
}


def overlay_doc(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


def write_overlay(path: Path, *actions: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(overlay_doc(*actions), sort_keys=False), encoding="utf-8")
    return path


def test_update_merges_objects_appends_to_arrays_and_remove_deletes() -> None:
    spec = {"info": {"title": "a", "x": {"y": 1}}, "tags": [{"name": "t1"}, {"name": "t2"}], "paths": {"/p": {}}}
    result, applied = apply_overlay(
        spec,
        overlay_doc(
            {"target": "$.info", "description": "why", "update": {"x": {"z": 2}, "version": "1"}},
            {"target": "$.tags", "description": "why", "update": {"name": "t3"}},
            {"target": "$.tags[?@.name == 't1']", "description": "why", "remove": True},
            {"target": "$.paths['/p']", "description": "why", "remove": True},
        ),
    )
    assert result == {
        "info": {"title": "a", "x": {"y": 1, "z": 2}, "version": "1"},
        "tags": [{"name": "t2"}, {"name": "t3"}],
        "paths": {},
    }
    assert spec["tags"] == [{"name": "t1"}, {"name": "t2"}], "the spec given is not changed"
    assert [(a.kind, a.matched) for a in applied] == [
        ("update", ("$['info']",)),
        ("update", ("$['tags']",)),
        ("remove", ("$['tags'][0]",)),
        ("remove", ("$['paths']['/p']",)),
    ]


def test_a_stale_action_fails_and_says_to_delete_it() -> None:
    with pytest.raises(OverlayError, match=r"stale: its target matches nothing .* delete it"):
        apply_overlay({"paths": {}}, overlay_doc({"target": "$.paths['/gone']", "description": "why", "remove": True}))


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"overlay": "2.0.0", "info": {}, "actions": [{}]}, "overlay: 1.0.x"),
        (overlay_doc({"target": "$.info", "update": {}}), "needs a `description`"),
        (overlay_doc({"target": "info", "description": "why", "update": {}}), "starting with $"),
        (overlay_doc({"target": "$.info", "description": "why"}), "`update` or `remove: true`"),
    ],
    ids=["version", "no-description", "not-jsonpath", "no-change"],
)
def test_a_malformed_overlay_is_refused(tmp_path: Path, document: dict[str, Any], words: str) -> None:
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(OverlayError, match=words.replace("$", r"\$").replace("`", ".")):
        load_overlay(path)


@pytest.mark.parametrize("document", DEFECTS.values(), ids=DEFECTS.keys())
def test_each_defect_kind_is_refused_without_its_overlay_and_valid_with_it(document: str) -> None:
    """The corrected documents also pass the whole spec-generic suite: `make test-corpus` (CI) runs each corpus
    document as published and again with its overlay."""
    (spec_path,) = CORPUS.glob(f"{document}.openapi.*")
    with pytest.raises(SpecError):
        check_spec(load_spec(spec_path))
    check_spec(effective_spec(spec_path, CORPUS / f"{document}.overlay.yaml"))


@pytest.mark.pipeline
def test_generate_sh_refuses_a_document_as_published_and_generates_it_with_its_overlay(tmp_path: Path) -> None:
    document = next(iter(DEFECTS.values()))
    (spec_path,) = CORPUS.glob(f"{document}.openapi.*")
    out = tmp_path / PACKAGE
    refused = run_generate_sh("--spec", str(spec_path), "--out", str(out))
    assert refused.returncode != 0 and "FAILED at step 'validate spec'" in refused.stderr and not out.exists()
    overlay = CORPUS / f"{document}.overlay.yaml"
    generated = run_generate_sh("--spec", str(spec_path), "--overlay", str(overlay), "--out", str(out))
    assert generated.returncode == 0, generated.stderr
    assert f"with the overlay {overlay}" in generated.stdout and (out / "py.typed").exists()


def test_the_repo_overlay_is_what_the_generator_the_drift_check_and_the_mock_see(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    spec_before = (repo / "openapi.yaml").read_bytes()
    schema = next(iter(load_spec(repo / "openapi.yaml")["components"]["schemas"]))
    write_overlay(
        repo / OVERLAY_NAME,
        {
            "target": f"$.components.schemas.{schema}.properties",
            "description": "a field the vendor forgot (test)",
            "update": {"overlay_note": {"type": "string"}},
        },
    )
    stale = make(repo, "check-generated")
    assert stale.returncode != 0, "the drift check sees the overlay"
    assert make(repo, "generate").returncode == 0
    assert make(repo, "check-generated").returncode == 0
    assert (repo / "openapi.yaml").read_bytes() == spec_before, "the vendored spec is never edited"
    assert make(repo, "check-spec-record").returncode == 0
    models = "".join(p.read_text(encoding="utf-8") for p in (repo / "generated" / PACKAGE / "models").glob("*.py"))
    assert "overlay_note" in models
    assert (
        "overlay_note"
        in effective_spec(repo / "openapi.yaml", repo / OVERLAY_NAME)["components"]["schemas"][schema]["properties"]
    )


@pytest.mark.pipeline
def test_a_stale_repo_overlay_fails_generation_and_the_update_and_changes_nothing(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    write_overlay(
        repo / OVERLAY_NAME, {"target": "$.paths['/fixed_by_the_vendor']", "description": "x", "remove": True}
    )
    before = tree_hash(repo / "generated")
    result = make(repo, "generate")
    assert result.returncode != 0 and "stale" in result.stderr and "delete it" in result.stderr
    code, output = update_spec(repo, str(repo / "openapi.yaml"))
    assert code != 0 and "stale" in output
    assert tree_hash(repo / "generated") == before


@pytest.mark.pipeline
def test_update_spec_lists_every_action_applied(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    path = next(iter(load_spec(repo / "openapi.yaml")["paths"]))
    write_overlay(
        repo / OVERLAY_NAME,
        {"target": f"$.paths['{path}'].*", "description": "clarify (test)", "update": {"summary": "s"}},
    )
    published = copy.deepcopy(load_spec(repo / "openapi.yaml"))
    code, output = update_spec(repo, str(repo / "openapi.yaml"))
    assert code == 0, output
    assert f"Overlay {OVERLAY_NAME} applied (1 action(s)):" in output
    assert f"[update] $.paths['{path}'].* (1 node(s)): clarify (test)" in output
    assert load_spec(repo / "openapi.yaml") == published
