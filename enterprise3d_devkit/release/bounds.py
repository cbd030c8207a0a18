"""`make test-bounds`: the package's tests with the lowest and with the highest versions its dependencies allow.

    python -m enterprise3d_devkit.release.bounds [lowest|highest ...]

pyproject.toml declares the ranges of the runtime dependencies (httpx, attrs) that these runs prove, as the Stainless
SDKs do: for each bound, a venv of its own (.venv-lowest, .venv-highest) gets the dev toolchain from the lock, then
every runtime dependency at its lowest allowed version (`==` its `>=` bound), or at the highest its range allows
(pip's choice, from PyPI); the runtime's unit tests and the spec-generic suite then run in it. Exit status 0 when
both pass.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from enterprise3d_devkit.repo.layout import REPO

SUITES = ["tests/runtime", "tests/spec_generic"]


def runtime_requirements(repo: Path = REPO) -> list[Requirement]:
    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


def pins(requirements: list[Requirement], bound: str) -> list[str]:
    """What pip installs for `bound`: each requirement at its lower bound ("lowest"), or its range ("highest")."""
    if bound == "highest":
        return [f"{r.name}{r.specifier}" for r in requirements]
    lowest = []
    for requirement in requirements:
        floor = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if len(floor) != 1:
            raise SystemExit(f"bounds: {requirement} needs one `>=` lower bound to be tested at")
        lowest.append(f"{requirement.name}=={floor[0]}")
    return lowest


def run(bound: str, repo: Path = REPO) -> int:
    venv = repo / f".venv-{bound}"
    python = venv / "bin" / "python"
    subprocess.run(["make", "--no-print-directory", "venv", f"VENV={venv}"], cwd=repo, check=True)
    wanted = pins(runtime_requirements(repo), bound)
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", *wanted]
    subprocess.run(install, cwd=repo, check=True)
    shown = subprocess.run(
        [str(python), "-c", "import attrs, httpx; print('httpx', httpx.__version__, '/ attrs', attrs.__version__)"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"bounds: {bound}: {shown}", flush=True)
    return subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES], cwd=repo).returncode


def main(argv: list[str] | None = None) -> int:
    bounds = (argv if argv is not None else sys.argv[1:]) or ["lowest", "highest"]
    failed = [bound for bound in bounds if run(bound) != 0]
    print(f"bounds: {'failed with the ' + ' and '.join(failed) + ' versions' if failed else 'passed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
