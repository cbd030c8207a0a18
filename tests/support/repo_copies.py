"""Temp copies of the repository, for tests that run generate.sh or make without touching the real tree."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from enterprise3d_devkit.repo.copies import copy_repo
from enterprise3d_devkit.repo.digests import tree_hash
from enterprise3d_devkit.repo.generate_sh import tool_env

__all__ = ["copy_repo", "decide_pending_operations", "make", "run", "tree_hash", "update_spec", "write_spec"]


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


def update_spec(repo: Path, *arguments: str) -> tuple[int, str]:
    """What `make update-spec` runs (`SOURCE=` as the arguments, none: the recorded sources), on a repo copy and in
    this process: its exit status and what it printed. It saves an interpreter start and the update tool's imports
    in tests of what the update does; the tests of the make target's variables (SOURCE, REPORT, PROPOSE)
    run make."""
    from enterprise3d_devkit.spec_update.update import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = main(["--timeout", "1", *arguments], repo=repo)
    return code, printed.getvalue()


def write_spec(path: Path, spec: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def decide_pending_operations(repo: Path) -> list[str]:
    """Write, in a repo copy, the decisions a person has yet to make for operations of its spec (a row in the
    operation table: changes state, never repeated -- what the client already assumes of an operation it does not
    know; a row in the README's operation table), so that a test of what a later change does sees only that
    change's own failures. The labels decided; none in a repository whose decisions are all made."""
    from enterprise3d_devkit.repo.layout import PACKAGE
    from enterprise3d_devkit.spec.operation_table import load_table
    from enterprise3d_devkit.spec.operations import operations
    from enterprise3d_devkit.spec.overlay import effective_spec

    table_path = repo / "codegen" / "operations.yaml"
    decided = load_table(table_path)
    readme = repo / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    spec = effective_spec(repo / "openapi.yaml", repo / "openapi.overlay.yaml")
    pending = [op for op in operations(spec) if op.label not in decided]
    for op in pending:
        module = op.module.removeprefix(f"{PACKAGE}.api.")
        with table_path.open("a", encoding="utf-8") as table:
            table.write(
                f"{op.label}:\n  effect: write\n  retry: never\n  why: not decided yet in the copied repository\n"
            )
        if f"| `{op.label}` |" not in "".join(lines):
            last_row = max(i for i, line in enumerate(lines) if line.startswith("| `") and "` | `" in line)
            lines.insert(
                last_row + 1, f"| `{op.label}` | `{module}` | `{module.rsplit('.', 1)[1]}()` | - | **never** | - |\n"
            )
    readme.write_text("".join(lines), encoding="utf-8")
    return [op.label for op in pending]
