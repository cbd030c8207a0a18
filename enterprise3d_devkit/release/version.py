"""Versions and the changelog: the package version moves with the spec.

Any BREAKING change (in the spec report or griffe's Python-API check) -> next major; any other change a user can
see -> next minor; a regenerated package with no such change (the overlay, the generator or the templates moved,
or only descriptions did) -> next patch. `make update-spec` writes the version into pyproject.toml (the package's
`__version__` and User-Agent read it from the installed metadata) and prepends CHANGELOG.md's entry.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import TYPE_CHECKING

from enterprise3d_devkit.repo.layout import DISTRIBUTION, REPO
from enterprise3d_devkit.spec.overlay import AppliedAction

if TYPE_CHECKING:  # (only a type here: the diff's own imports are not needed to write a version or a changelog)
    from enterprise3d_devkit.spec.diff import Change

VERSION_LINE = re.compile(r'^version = "(?P<version>\d+\.\d+\.\d+)"$', re.MULTILINE)
CHANGELOG_NAME = "CHANGELOG.md"
CHANGELOG_HEADER = (
    "# Changelog\n\nEvery release of `{dist}`, newest first. Written by `make update-spec` from its report: the "
    "version moves with the spec (BREAKING -> major, additive -> minor, regenerated only -> patch).\n"
)


def bump_kind(changes: list[Change], breakages: list[str], package_changed: bool) -> str | None:
    """ "major" / "minor" / "patch", or None when nothing a user gets has changed."""
    if breakages or any(change.breaking for change in changes):
        return "major"
    if changes:
        return "minor"
    return "patch" if package_changed else None


def next_version(current: str, kind: str) -> str:
    major, minor, patch = (int(part) for part in current.split("."))
    if kind == "major":
        return f"{major + 1}.0.0"
    if kind == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def read_version(repo: Path = REPO) -> str:
    match = VERSION_LINE.search((repo / "pyproject.toml").read_text(encoding="utf-8"))
    if match is None:
        raise ValueError('pyproject.toml has no `version = "X.Y.Z"` line')
    return match["version"]


def write_version(version: str, repo: Path = REPO) -> None:
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(VERSION_LINE.sub(f'version = "{version}"', text, count=1), encoding="utf-8")


def markdown_report(
    version_line: str,
    sources: list[str],
    changes: list[Change],
    breakages: list[str],
    applied: list[AppliedAction],
) -> str:
    """The update report as Markdown: a pull request's body, and (under its version heading) a changelog entry."""
    lines = [version_line, "", "Sources: " + ", ".join(f"`{source}`" for source in sources)]
    if applied:
        lines += ["", "Overlay actions applied:", *(f"- `{a.target}` ({a.kind}): {a.description}" for a in applied)]
    lines += [""]
    if changes:
        lines += [f"- **{'BREAKING' if c.breaking else 'ok'}** {c.subject}: {c.detail}" for c in changes]
    else:
        lines += ["- no change to operations or models"]
    lines += [
        "",
        "Python API (griffe):",
        *(
            [f"- **BREAKING** {b.strip().removeprefix('[BREAKING] ')}" for b in breakages]
            or ["- no breaking change found"]
        ),
    ]
    return "\n".join(lines) + "\n"


def prepend_changelog(entry: str, repo: Path = REPO) -> None:
    path = repo / CHANGELOG_NAME
    header = CHANGELOG_HEADER.format(dist=DISTRIBUTION)
    old = path.read_text(encoding="utf-8") if path.exists() else header
    body = old[len(header) :] if old.startswith(header) else old
    path.write_text(f"{header}\n{entry}{body}", encoding="utf-8")


def version_heading(version: str, previous: str) -> str:
    return f"## {version} ({datetime.date.today().isoformat()}; was {previous})"
