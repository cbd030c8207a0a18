"""Throw-away copies of this repository: where `make test-spec` and the pipeline tests work, never in the real tree."""

from __future__ import annotations

import shutil
from pathlib import Path

from enterprise3d_devkit.repo.layout import OVERLAY_NAME, REPO

# What a copy needs to generate, run make and run the tests (no .venv, .git or caches).
REPO_FILES = [
    "openapi.yaml",
    "openapi.lock.yaml",
    "generate.sh",
    "Makefile",
    "pyproject.toml",
    "requirements-dev.lock",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
]
REPO_DIRS = ["enterprise3d_devkit", "codegen", "generated", "tests", "docs", ".github"]
# (the vendor corpus, its history and the golden records are large, and no test run in a copy reads them)
IGNORED = shutil.ignore_patterns(
    "__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache", ".generate-*", "corpus", "corpus-history", "golden"
)


def copy_repo(destination: Path) -> Path:
    """Copy the repository's working files to `destination` (the vendor corpus stays behind: it is large)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in REPO_FILES:
        shutil.copy2(REPO / name, destination / name)
    if (REPO / OVERLAY_NAME).exists():  # optional: the reviewed corrections of the vendor's spec
        shutil.copy2(REPO / OVERLAY_NAME, destination / OVERLAY_NAME)
    for name in REPO_DIRS:
        shutil.copytree(REPO / name, destination / name, ignore=IGNORED)
    return destination
