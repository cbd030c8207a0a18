from __future__ import annotations

from pathlib import Path

import pytest

from scripts.openapi_spec import PACKAGE
from tests.helpers import REPO, generate, grown_spec, write_spec


@pytest.fixture(scope="session")
def grown_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package generated from openapi.yaml plus a second operation (see helpers.grown_spec)."""
    root = tmp_path_factory.mktemp("grown")
    spec_path = write_spec(root / "grown.yaml", grown_spec())
    out = root / PACKAGE
    result = generate(REPO, "--spec", str(spec_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out
