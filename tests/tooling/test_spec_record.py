"""openapi.lock.yaml: where openapi.yaml came from. A hand edit fails `make test`, naming the file; `make update-spec`
without SOURCE takes the recorded sources again, and changes nothing at all when their bytes are unchanged."""

from __future__ import annotations

from pathlib import Path

from enterprise3d_devkit.digests import sha256
from enterprise3d_devkit.layout import REPO
from enterprise3d_devkit.spec_record import RECORD_NAME, problem, read_record
from tests.support.repo_copies import make, tree_hash
from tests.support.vendor import VENDOR_DOCUMENT


def test_openapi_yaml_is_the_recorded_result_of_the_vendor_document() -> None:
    assert problem(REPO) is None
    record = read_record(REPO)
    assert record is not None
    assert [s.sha256 for s in record.sources] == [sha256(VENDOR_DOCUMENT.read_bytes())]


def test_a_hand_edit_of_openapi_yaml_fails_make_test_naming_the_file(repo: Path) -> None:
    spec = repo / "openapi.yaml"
    spec.write_bytes(spec.read_bytes().replace(b"Production server", b"Production server (edited)"))
    result = make(repo, "check-spec-record")
    assert result.returncode != 0
    assert f"openapi.yaml is not what {RECORD_NAME} records" in result.stderr and "edited by hand" in result.stderr
    assert make(repo, "update-spec").returncode == 0  # taking the recorded sources again undoes the edit
    assert make(repo, "check-spec-record").returncode == 0


def test_update_spec_without_source_on_unchanged_sources_changes_nothing(repo: Path) -> None:
    before = tree_hash(repo)
    result = make(repo, "update-spec")
    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout and "nothing was changed" in result.stdout
    assert tree_hash(repo) == before
