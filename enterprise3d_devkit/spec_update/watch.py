"""What the scheduled spec-update workflow runs: take the recorded sources again, and say what happened.

    python -m enterprise3d_devkit.spec_update.watch --report report.md

Exit status: 0 unchanged (the tree is byte-identical), 10 changed (openapi.yaml, generated/, the version or the
changelog moved: the report is the pull request's body), 1 failed (the message says why; nothing was changed).
Under GitHub Actions it also writes `changed=`, `breaking=` and `proposed=` to $GITHUB_OUTPUT.

A refused document whose defects all have a proposed repair (enterprise3d_devkit.spec.repairs) is not a failure: the
proposed actions are added to openapi.overlay.yaml, the update is taken with them, and the report -- the pull
request's body -- opens by listing them for review (`proposed=true`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from enterprise3d_devkit.release.version import CHANGELOG_NAME
from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.digests import sha256, tree_hash
from enterprise3d_devkit.repo.layout import GENERATED, OVERLAY_NAME, REPO, SPEC_PATH
from enterprise3d_devkit.spec import repairs
from enterprise3d_devkit.spec.record import RECORD_NAME
from enterprise3d_devkit.spec_update.update import UpdateError, update

UNCHANGED, FAILED, CHANGED = 0, 1, 10


def state(repo: Path = REPO) -> str:
    """One hash over everything `make update-spec` (and a proposed repair) may write."""
    files = [repo / SPEC_PATH.name, repo / RECORD_NAME, repo / "pyproject.toml", repo / CHANGELOG_NAME]
    files.append(repo / OVERLAY_NAME)
    contents = [path.read_bytes() if path.exists() else b"(none)" for path in files]
    return sha256(b"\0".join([*contents, tree_hash(repo / GENERATED.relative_to(REPO)).encode()]))


def add_actions(overlay: Path, actions: list[dict[str, Any]]) -> None:
    """Append `actions` to the overlay's list (the file's text kept as it is above them), or write a new overlay."""
    if not overlay.exists():
        overlay.write_text(repairs.render(actions, SPEC_PATH.name), encoding="utf-8")
        return
    text = overlay.read_text(encoding="utf-8")
    before = len(yaml_codec.load(text).get("actions") or [])
    items = yaml.safe_dump(actions, sort_keys=False, allow_unicode=True, width=120)
    appended = text.rstrip("\n") + "\n" + "".join(f"  {line}\n" if line else "\n" for line in items.splitlines())
    if len(yaml_codec.load(appended).get("actions") or []) != before + len(actions):  # `actions:` is not the last key
        document = yaml_codec.load(text)
        document["actions"] = [*(document.get("actions") or []), *actions]
        appended = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    overlay.write_text(appended, encoding="utf-8")


def proposal_report(actions: list[dict[str, Any]]) -> str:
    lines = [
        f"**The vendor's document was refused; this update applies {len(actions)} repair(s) the tools PROPOSED, NOT "
        f"REVIEWED**, added to `{OVERLAY_NAME}`. Review each before merging (keep, correct, or replace it):",
        "",
        *(f"- `{action['target']}`: {action['description']}" for action in actions),
        "",
    ]
    return "\n".join(lines) + "\n"


def watch(report: Path, repo: Path = REPO, timeout: float = 30.0) -> int:
    before = state(repo)
    proposed: list[dict[str, Any]] = []
    try:
        print(update(None, timeout, repo=repo, markdown=report))
    except UpdateError as exc:
        if not exc.proposed:
            print(f"spec-watch: {exc}\nspec-watch: nothing was changed.", file=sys.stderr)
            return FAILED
        overlay = repo / OVERLAY_NAME
        kept = overlay.read_bytes() if overlay.exists() else None
        proposed = exc.proposed
        add_actions(overlay, proposed)
        try:
            print(update(None, timeout, repo=repo, markdown=report))
        except UpdateError as again:
            if kept is None:
                overlay.unlink()
            else:
                overlay.write_bytes(kept)
            print(f"spec-watch: {exc}\nspec-watch: with the proposed repairs: {again}", file=sys.stderr)
            print("spec-watch: nothing was changed.", file=sys.stderr)
            return FAILED
        report.write_text(proposal_report(proposed) + report.read_text(encoding="utf-8"), encoding="utf-8")
    changed = state(repo) != before
    breaking = changed and "**BREAKING**" in report.read_text(encoding="utf-8")
    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        with open(outputs, "a", encoding="utf-8") as handle:
            handle.write(f"changed={str(changed).lower()}\nbreaking={str(breaking).lower()}\n")
            handle.write(f"proposed={str(bool(proposed)).lower()}\n")
    return CHANGED if changed else UNCHANGED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", type=Path, required=True, help="where to write the Markdown report")
    args = parser.parse_args(argv)
    return watch(args.report)


if __name__ == "__main__":
    sys.exit(main())
