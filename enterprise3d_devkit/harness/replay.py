"""The vendor's real spec changes, replayed through `make update-spec` (part of `make test-corpus`).

    python -m enterprise3d_devkit.harness.replay --history DIR --corpus DIR [--jobs N] [NAME ...]

For each corpus document, a temporary copy of this repository takes every version the vendor published, oldest
first, the way a maintainer would: the version is published at its vendor URL on a loopback server, and
`make update-spec` takes it through the documented mirror (MODELSLAB_SPEC_MIRROR): the first step names the URL
(SOURCE=...), each later one takes the recorded source again. Each step reports its changes, regenerates and moves
the version, or refuses the document. A refused step is taken again with the repair it proposed (PROPOSE=...) as
the copy's overlay, on top of any earlier one; an overlay that no longer fits a newer version (the vendor fixed the
defect) is dropped. The versions and the vendor paths are read from DIR/README.md of the history (oldest first).

Each step prints one line: "updated" or "repaired" (the version's move and the count of changes its report lists),
or "refused" (why). Exit
status 0 when every step of every document was updated or repaired, else 1.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from enterprise3d_devkit.file_host.serving import serving
from enterprise3d_devkit.repo.copies import copy_repo
from enterprise3d_devkit.repo.generate_sh import tool_env
from enterprise3d_devkit.repo.layout import OVERLAY_NAME
from enterprise3d_devkit.spec import repairs
from enterprise3d_devkit.spec.overlay import load_overlay
from enterprise3d_devkit.spec_update.update import MIRROR_ENV

# Where the vendor publishes its documents (its public documentation repository on GitHub).
VENDOR_PREFIX = "https://raw.githubusercontent.com/ModelsLab/docs-v2/main/"
# A history README line: - `name` <- `vendor/path.json` (N): `2025-06-24 ca1fb4e` `2025-08-19 7f4a094`
HISTORY_LINE = re.compile(r"^- `(?P<name>[^`]+)` <- `(?P<path>[^`]+)` \(\d+\):(?P<versions>(?: `[^`]+`)+)\s*$")
STEP_TIMEOUT = 600.0  # seconds one `update-spec` may take


@dataclass(frozen=True)
class Document:
    name: str
    vendor_path: str  # under VENDOR_PREFIX
    versions: tuple[Path, ...]  # oldest first, the newest (the corpus's copy) last


@dataclass
class Replay:
    document: Document
    lines: list[str] = field(default_factory=list)
    done: int = 0  # steps updated or repaired
    repaired: int = 0
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.done == len(self.document.versions)


def documents(history: Path, corpus: Path) -> list[Document]:
    """The corpus documents and their versions, oldest first, from the history's README; a corpus document without
    earlier versions is one step (its vendor path from the corpus's README)."""
    found: dict[str, Document] = {}
    for line in (history / "README.md").read_text(encoding="utf-8").splitlines():
        match = HISTORY_LINE.match(line)
        if match is None:
            continue
        name = match["name"]
        stamps = re.findall(r"`([^`]+)`", match["versions"])
        earlier = [history / f"{name}.{stamp.replace(' ', '.')}.openapi.json" for stamp in stamps]
        found[name] = Document(name, match["path"], (*earlier, corpus / f"{name}.openapi.json"))
    corpus_paths = re.findall(r"^- `([^`]+)\.openapi\.json` <- `([^`]+)`", (corpus / "README.md").read_text(), re.M)
    for name, path in corpus_paths:
        found.setdefault(name, Document(name, path, (corpus / f"{name}.openapi.json",)))
    missing = [str(p) for d in found.values() for p in d.versions if not p.exists()]
    if missing:
        raise SystemExit(f"replay: the README names versions that are not there: {', '.join(missing)}")
    return [found[name] for name in sorted(found)]


def update_spec(repo: Path, mirror: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`make update-spec` in the copy (its module, as make runs it), through the mirror."""
    env = {**tool_env(), MIRROR_ENV: f"{VENDOR_PREFIX}={mirror}", "PYTHONPATH": str(repo)}
    command = [sys.executable, "-m", "enterprise3d_devkit.spec_update.update", *args]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False)


def summary(report: str) -> str:
    """What a step's report says in short: the version's move and the count of changes for users."""
    moved = re.search(r"version [^;]*?(?= *\(no change\)|, CHANGELOG|\.$)(?: \(no change\))?", report.splitlines()[0])
    counted = [line for line in report.splitlines() if "spec change(s)" in line or "no change to operations" in line]
    return "; ".join(part.strip() for part in (moved.group(0) if moved else "", *counted[-1:]) if part.strip())


def first_line(text: str) -> str:
    line = next((line for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= 200 else line[:197] + "..."


def replay(document: Document) -> Replay:
    """Every version of `document`, oldest first, through update-spec in a fresh repository copy."""
    started = time.monotonic()
    result = Replay(document)
    with tempfile.TemporaryDirectory(prefix=f"replay-{document.name}-") as tmp:
        repo = copy_repo(Path(tmp) / "repo")
        overlay = repo / OVERLAY_NAME
        overlay.unlink(missing_ok=True)  # (the repository's overlay corrects the Enterprise 3D document only)
        published = Path(tmp) / "published"
        target = published / document.vendor_path
        target.parent.mkdir(parents=True)
        proposal = Path(tmp) / "proposed.overlay.yaml"
        url = VENDOR_PREFIX + document.vendor_path
        with serving(published) as origin:
            mirror = origin + "/"
            for index, version in enumerate(document.versions):
                target.write_bytes(version.read_bytes())
                step = [url] if index == 0 else []  # first SOURCE=the URL, then the recorded source again
                stamp = version.name.removesuffix(".openapi.json").removeprefix(document.name).lstrip(".") or "newest"
                outcome = take(repo, mirror, step, proposal)
                result.lines.append(f"  {stamp}: {outcome}")
                if outcome.startswith(("updated", "repaired")):
                    result.done += 1
                    result.repaired += outcome.startswith("repaired")
    result.seconds = time.monotonic() - started
    return result


def take(repo: Path, mirror: str, step: list[str], proposal: Path) -> str:
    """One version through update-spec: "updated: ...", "repaired: ...", or "refused: ..." / "failed: ..."."""
    overlay = repo / OVERLAY_NAME
    proposal.unlink(missing_ok=True)
    taken = update_spec(repo, mirror, *step, "--propose", str(proposal))
    if taken.returncode == 0:
        return f"updated: {summary(taken.stdout)}"
    why = first_line(taken.stderr).removeprefix("update-spec: ")
    dropped = ""
    if overlay.exists() and OVERLAY_NAME in why:  # a correction the vendor has made itself: the overlay is stale
        overlay.unlink()  # (what the new version still needs is proposed again, below)
        dropped = " (a stale overlay dropped)"
        taken = update_spec(repo, mirror, *step, "--propose", str(proposal))
        if taken.returncode == 0:
            return f"updated{dropped}: {summary(taken.stdout)}"
        why = first_line(taken.stderr).removeprefix("update-spec: ")
    if not proposal.exists():
        return f"refused: {why}"
    earlier = (load_overlay(overlay).get("actions") or []) if overlay.exists() else []
    proposed = load_overlay(proposal).get("actions") or []
    before = overlay.read_bytes() if overlay.exists() else None
    overlay.write_text(repairs.render([*earlier, *proposed], "openapi.yaml"), encoding="utf-8")
    repaired = update_spec(repo, mirror, *step)
    if repaired.returncode == 0:
        return f"repaired{dropped} ({len(proposed)} proposed action(s)): {summary(repaired.stdout)}"
    if before is None:
        overlay.unlink()
    else:
        overlay.write_bytes(before)
    return f"refused, and its proposed repair does not help: {first_line(repaired.stderr)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=Path, required=True, help="the earlier versions (and their README.md)")
    parser.add_argument("--corpus", type=Path, required=True, help="the newest versions (and their README.md)")
    parser.add_argument("--jobs", type=int, default=1, help="how many documents replay at once")
    parser.add_argument("names", nargs="*", help="only these documents (default: every one)")
    args = parser.parse_args(argv)
    from concurrent.futures import ThreadPoolExecutor

    started = time.monotonic()
    found = [d for d in documents(args.history, args.corpus) if not args.names or d.name in args.names]

    def one(document: Document) -> Replay:
        result = replay(document)
        verdict = "passed" if result.passed else "FAILED"
        head = f"{document.name}: replay {verdict}: {result.done} of {len(document.versions)} versions taken"
        print("\n".join([f"{head} ({result.repaired} repaired), {result.seconds:.0f} s", *result.lines]), flush=True)
        return result

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, found))
    steps = sum(len(r.document.versions) for r in results)
    taken = sum(r.done for r in results)
    repaired = sum(r.repaired for r in results)
    print(
        f"\nreplay: {sum(r.passed for r in results)} of {len(results)} documents passed; {taken} of {steps} versions "
        f"taken ({repaired} repaired), in {time.monotonic() - started:.0f} s"
    )
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
