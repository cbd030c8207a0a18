"""The golden records (tests/golden/): what our documents generate today is what is committed, file for file. A
difference is either a regression or an intended change: then `make golden` rewrites the records and the diff is
reviewed with the change that caused it."""

from __future__ import annotations

from pathlib import Path

import pytest

from enterprise3d_devkit.repo.layout import PACKAGE
from tests.support.golden import RECORDS, SOURCES, files, generate

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_document_generates_its_golden_record(name: str, tmp_path: Path) -> None:
    recorded = files(RECORDS / name / PACKAGE)
    assert recorded, f"no golden record for {name}: run make golden"
    generated = files(generate(SOURCES[name], tmp_path))
    changed = sorted(path for path in recorded.keys() & generated.keys() if recorded[path] != generated[path])
    assert (sorted(generated.keys() - recorded.keys()), sorted(recorded.keys() - generated.keys()), changed) == (
        [],
        [],
        [],
    ), f"{name}: (added, removed, changed) against tests/golden/{name}; if intended, run make golden"
