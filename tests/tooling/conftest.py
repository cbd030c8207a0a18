from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from enterprise3d_devkit.generate import run_generate_sh
from enterprise3d_devkit.layout import PACKAGE, REPO
from tests.support.repo_copies import copy_repo, write_spec
from tests.support.servers import FileServer
from tests.support.spec_variants import grown_spec


@pytest.fixture(scope="session")
def grown_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package generated from openapi.yaml plus a second operation (see tests/support/spec_variants.py)."""
    root = tmp_path_factory.mktemp("grown")
    spec_path = write_spec(root / "grown.yaml", grown_spec())
    out = root / PACKAGE
    result = run_generate_sh("--spec", str(spec_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mypy cache for the tests that type-check a package generated elsewhere: a copy of the repository's (which
    `make typecheck` has just filled with the standard library, httpx and attrs), so that only the package itself is
    checked from scratch. mypy checks every cached entry against its source; the repository's cache is not touched."""
    cache = tmp_path_factory.mktemp("mypy") / "cache"
    if (REPO / ".mypy_cache").is_dir():
        shutil.copytree(REPO / ".mypy_cache", cache)
    return cache


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throw-away copy of the repository to run make and generate.sh in."""
    return copy_repo(tmp_path / "repo")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[FileServer]:
    """Files served over HTTP on 127.0.0.1, as a vendor's documentation site serves its specs."""
    (tmp_path / "served").mkdir()
    with FileServer(tmp_path / "served") as server:
        yield server
