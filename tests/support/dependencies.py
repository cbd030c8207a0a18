"""What the package declares it needs at run time (pyproject.toml's dependencies), by canonical name."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from enterprise3d_devkit.repo.layout import REPO


def declared_runtime_dependencies(pyproject: Path = REPO / "pyproject.toml") -> set[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(Requirement(spec).name) for spec in project["dependencies"]}


def optional_dependencies(pyproject: Path = REPO / "pyproject.toml") -> set[str]:
    """The distributions of the package's extras (the `cli` extra's rich, ...)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies") or {}
    return {canonicalize_name(Requirement(spec).name) for specs in extras.values() for spec in specs}
