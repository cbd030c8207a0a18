"""openapi.lock.yaml: where openapi.yaml came from. A hand edit fails `make test`, naming the file; `make update-spec`
without SOURCE takes the recorded sources again, and changes nothing at all when their bytes are unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from enterprise3d_devkit.repo.layout import REPO
from enterprise3d_devkit.spec.record import RECORD_NAME, problem, read_record
from tests.support.repo_copies import make, tree_hash, update_spec
from tests.support.vendor import VendorMirror

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline


def test_the_record_is_consistent_and_names_where_the_vendor_publishes_the_spec() -> None:
    """The recorded result is openapi.yaml, and its source is the vendor's URL: a copy inside this repository would
    be taken again every day, and the daily update could never see the vendor change anything."""
    assert problem(REPO) is None
    record = read_record(REPO)
    assert record is not None and record.sources
    for source in record.sources:
        assert source.source.startswith("https://"), f"{source.source}: not where the vendor publishes it"
        assert not (REPO / source.source).exists()


def test_a_hand_edit_of_openapi_yaml_fails_make_test_naming_the_file(repo: Path, vendor: VendorMirror) -> None:
    spec = repo / "openapi.yaml"
    spec.write_bytes(spec.read_bytes().replace(b"Production server", b"Production server (edited)"))
    result = make(repo, "check-spec-record")
    assert result.returncode != 0
    assert f"openapi.yaml is not what {RECORD_NAME} records" in result.stderr and "edited by hand" in result.stderr
    assert update_spec(repo)[0] == 0  # taking the recorded sources again undoes it
    assert make(repo, "check-spec-record").returncode == 0


def test_update_spec_without_source_on_unchanged_sources_changes_nothing(repo: Path, vendor: VendorMirror) -> None:
    before = tree_hash(repo)
    result = make(repo, "update-spec", env=vendor.env)
    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout and "nothing was changed" in result.stdout
    assert tree_hash(repo) == before


def test_where_the_vendor_cannot_be_reached_update_spec_fails_cleanly(repo: Path, vendor: VendorMirror) -> None:
    before = tree_hash(repo)
    vendor.server.__exit__(None, None, None)  # the vendor's site is gone
    result = make(repo, "update-spec", env=vendor.env)
    assert result.returncode != 0
    assert vendor.url in result.stderr and "cannot be fetched" in result.stderr
    assert "left unchanged" in result.stderr and tree_hash(repo) == before
