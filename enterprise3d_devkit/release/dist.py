"""Releases: the artefacts `make dist` builds and checks, and the commands the release workflow calls.

    python -m enterprise3d_devkit.release.dist build [OUT]     sdist + wheel into OUT (default dist/), twine check
    python -m enterprise3d_devkit.release.dist check-tag TAG   exit 1 unless TAG is the package's version (v1.2.3)
    python -m enterprise3d_devkit.release.dist notes VERSION   that version's CHANGELOG.md entry (the release notes)

The build runs without isolation, from the pinned toolchain (hatchling is in requirements-dev.lock): the same
artefacts on every machine, and no network needed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from enterprise3d_devkit.release.version import read_version
from enterprise3d_devkit.repo.layout import PACKAGE, REPO

DIST = REPO / "dist"
# What a wheel must hold besides the package, and what it must never hold.
REQUIRED = (f"{PACKAGE}/__init__.py", f"{PACKAGE}/py.typed")
FORBIDDEN = ("tests/", "enterprise3d_devkit/", "codegen/", "generated/", "fixtures/")


class DistError(Exception):
    pass


def build(out: Path = DIST, repo: Path = REPO) -> list[Path]:
    """The sdist and the wheel of `repo`, built into `out` (emptied first) and checked; their paths."""
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(repo)]
    built = subprocess.run(command, capture_output=True, text=True, check=False)
    if built.returncode != 0:
        raise DistError(f"python -m build failed:\n{built.stdout[-2000:]}{built.stderr[-2000:]}")
    artefacts = sorted(out.iterdir())
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, artefacts)],
        capture_output=True,
        text=True,
        check=False,
    )
    if checked.returncode != 0:
        raise DistError(f"twine check --strict failed:\n{checked.stdout}{checked.stderr}")
    for wheel in out.glob("*.whl"):
        problems = wheel_problems(wheel)
        if problems:
            raise DistError(f"{wheel.name}: " + "; ".join(problems))
    return artefacts


def wheel_problems(wheel: Path) -> list[str]:
    """What is wrong with a wheel's contents: the package, py.typed and the licence missing, or dev files shipped."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    problems = [f"{name} is missing" for name in REQUIRED if name not in names]
    if not any(re.search(r"\.dist-info/licenses/LICENSE$", name) for name in names):
        problems.append("the licence (.dist-info/licenses/LICENSE) is missing")
    problems += [f"{name} is shipped" for name in names if name.startswith(FORBIDDEN)]
    return problems


def check_tag(tag: str, repo: Path = REPO) -> None:
    version = read_version(repo)
    if tag.removeprefix("v") != version:
        raise DistError(f"the tag {tag!r} is not the package's version {version!r} (pyproject.toml): not released")


def notes(version: str, repo: Path = REPO) -> str:
    """The CHANGELOG.md entry of `version`, without its heading."""
    text = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(version)} \(.*?\)\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if match is None:
        raise DistError(f"CHANGELOG.md has no entry for {version}")
    return match.group(1).strip() + "\n"


def main(argv: list[str]) -> int:
    try:
        if len(argv) in (2, 3) and argv[1] == "build":
            for artefact in build(Path(argv[2]) if len(argv) == 3 else DIST):
                print(artefact)
        elif len(argv) == 3 and argv[1] == "check-tag":
            check_tag(argv[2])
            print(f"{argv[2]} is version {read_version()}")
        elif len(argv) == 3 and argv[1] == "notes":
            print(notes(argv[2].removeprefix("v")), end="")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except DistError as exc:
        print(f"dist: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
