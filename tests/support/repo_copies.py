"""Temp copies of the repository, for tests that run generate.sh or make without touching the real tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from enterprise3d_devkit.digests import tree_hash
from enterprise3d_devkit.generate import tool_env
from enterprise3d_devkit.repo_copy import copy_repo

__all__ = ["copy_repo", "make", "run", "tree_hash", "write_spec"]


def run(
    command: list[str], cwd: Path, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A command with the running venv's tools first on PATH (and any extra environment variables)."""
    return subprocess.run(
        command,
        cwd=cwd,
        env={**tool_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make(repo: Path, *targets: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`make` in a repo copy, reusing the running venv (BOOTSTRAP= skips installing the copy into it)."""
    return run(["make", "--no-print-directory", f"VENV={sys.prefix}", "BOOTSTRAP=", *targets], cwd=repo, env=env)


def write_spec(path: Path, spec: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path
