"""What the scheduled spec-update workflow runs: take the recorded sources again, and say what happened.

    python -m enterprise3d_devkit.spec_watch --report report.md

Exit status: 0 unchanged (the tree is byte-identical), 10 changed (openapi.yaml, generated/, the version or the
changelog moved: the report is the pull request's body), 1 failed (the message says why; nothing was changed).
Under GitHub Actions it also writes `changed=` and `breaking=` to $GITHUB_OUTPUT.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from enterprise3d_devkit.digests import sha256, tree_hash
from enterprise3d_devkit.layout import GENERATED, REPO, SPEC_PATH
from enterprise3d_devkit.release import CHANGELOG_NAME
from enterprise3d_devkit.spec_record import RECORD_NAME
from enterprise3d_devkit.update_spec import UpdateError, update

UNCHANGED, FAILED, CHANGED = 0, 1, 10


def state(repo: Path = REPO) -> str:
    """One hash over everything `make update-spec` may write."""
    files = [repo / SPEC_PATH.name, repo / RECORD_NAME, repo / "pyproject.toml", repo / CHANGELOG_NAME]
    contents = [path.read_bytes() if path.exists() else b"(none)" for path in files]
    return sha256(b"\0".join([*contents, tree_hash(repo / GENERATED.relative_to(REPO)).encode()]))


def watch(report: Path, repo: Path = REPO, timeout: float = 30.0) -> int:
    before = state(repo)
    try:
        print(update(None, timeout, repo=repo, markdown=report))
    except UpdateError as exc:
        print(f"spec-watch: {exc}\nspec-watch: nothing was changed.", file=sys.stderr)
        return FAILED
    changed = state(repo) != before
    breaking = changed and "**BREAKING**" in report.read_text(encoding="utf-8")
    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        with open(outputs, "a", encoding="utf-8") as handle:
            handle.write(f"changed={str(changed).lower()}\nbreaking={str(breaking).lower()}\n")
    return CHANGED if changed else UNCHANGED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", type=Path, required=True, help="where to write the Markdown report")
    args = parser.parse_args(argv)
    return watch(args.report)


if __name__ == "__main__":
    sys.exit(main())
