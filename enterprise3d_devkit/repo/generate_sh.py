"""The one way Python code here runs generate.sh: with this interpreter's venv tools first on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from enterprise3d_devkit.repo.layout import REPO


def tool_env() -> dict[str, str]:
    """The environment generate.sh (and make) need: the running venv's tools first on PATH, its python as PYTHON."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHON"] = sys.executable
    return env


def run_generate_sh(*args: str, repo: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `repo`/generate.sh with `args`; the result, whatever its exit status."""
    return subprocess.run(
        ["bash", str(repo / "generate.sh"), *args],
        cwd=repo,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
