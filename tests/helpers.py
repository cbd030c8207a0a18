"""Shared helpers for the hand-written tests (no test functions here)."""

from __future__ import annotations

import ast
import copy
import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts.openapi_spec import PACKAGE, REPO, load_spec, run_generate_sh

__all__ = ["GENERATED", "PACKAGE", "REPO", "VENV_BIN"]  # re-exported names; functions are imported by name

GENERATED = REPO / "generated" / PACKAGE
VENV_BIN = Path(sys.executable).parent
# What a temp copy of the repo needs to run generate.sh and make (no .venv, .git or caches).
REPO_FILES = [
    "openapi.yaml",
    "generate.sh",
    "Makefile",
    "pyproject.toml",
    "requirements-dev.lock",
    "README.md",
]
REPO_DIRS = ["scripts", "generated"]


def tool_env() -> dict[str, str]:
    """The environment make/generate.sh get: the running venv's tools first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHON"] = sys.executable
    return env


def copy_repo(destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for name in REPO_FILES:
        shutil.copy2(REPO / name, destination / name)
    ignore = shutil.ignore_patterns("__pycache__", ".ruff_cache", ".mypy_cache", ".generate-*")
    for name in REPO_DIRS:
        shutil.copytree(REPO / name, destination / name, ignore=ignore)
    return destination


def run(command: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


def make(repo: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """`make` in a repo copy, reusing the running venv (BOOTSTRAP= skips installing the copy into it)."""
    return run(["make", "--no-print-directory", f"VENV={sys.prefix}", "BOOTSTRAP=", *targets], cwd=repo)


def generate(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_generate_sh(*args, repo=repo)


def tree_hash(root: Path) -> str:
    """One hash over every file and folder name and every byte below root (hidden ones included)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        digest.update(relative.encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_spec(path: Path, spec: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def grown_spec() -> dict[str, Any]:
    """openapi.yaml plus a second operation whose response has a date-time field.

    Built from the vendored spec (its server, its ErrorResponse, its request body) so that the
    growth tests follow the real spec; only the new operation is made up.
    """
    spec = copy.deepcopy(load_spec())
    first_path = next(iter(spec["paths"].values()))
    first_operation = next(iter(first_path.values()))
    request_body = copy.deepcopy(first_operation["requestBody"])
    error_responses = {
        status: copy.deepcopy(response)
        for status, response in first_operation["responses"].items()
        if not str(status).startswith("2")
    }
    spec["components"]["schemas"]["FetchResultResponse"] = {
        "type": "object",
        "required": ["status", "created_at"],
        "properties": {
            "status": {"type": "string", "enum": ["success", "processing", "error"]},
            "created_at": {"type": "string", "format": "date-time"},
            "output": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "eta": {"type": "number"},
            "webhook_credential": {"type": "string", "format": "password"},
        },
    }
    spec["paths"]["/fetch_result"] = {
        "post": {
            "tags": ["Management"],
            "summary": "Fetch a result",
            "operationId": "fetchResult",
            "requestBody": request_body,
            "responses": {
                "200": {
                    "description": "The result",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FetchResultResponse"}}},
                },
                **error_responses,
            },
        }
    }
    return spec


# --- runtime dependencies ---------------------------------------------------------------------------


def third_party_imports(package_dir: Path) -> set[str]:
    """Top-level names of the non-stdlib modules a package imports (its own relative imports excluded)."""
    found: set[str] = set()
    for source in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != package_dir.name}


def distributions_for(modules: set[str]) -> set[str]:
    """Map import names to the canonical names of the distributions that provide them."""
    providers = packages_distributions()
    result: set[str] = set()
    for module in modules:
        if module not in providers:
            raise AssertionError(f"no installed distribution provides the module {module!r}")
        result.update(canonicalize_name(dist) for dist in providers[module])
    return result


def declared_runtime_dependencies(pyproject: Path = REPO / "pyproject.toml") -> set[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(Requirement(spec).name) for spec in project["dependencies"]}
