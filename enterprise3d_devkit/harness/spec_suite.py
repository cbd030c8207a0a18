"""`make test-spec SPEC=<path or URL>` and `make test-corpus`: the spec-generic suite on any OpenAPI document.

    python -m enterprise3d_devkit.harness.spec_suite SPEC [--overlay F]  one document (a path, a URL, or a docs page)
    python -m enterprise3d_devkit.harness.spec_suite --corpus DIR [--jobs N]  every *.json / *.yaml / *.yml document
                                     in DIR, and again with X.overlay.yaml beside X.openapi.*, N at once

A refused document for which repairs are proposed is tried again with them (--no-repairs: not): its line says
whether the proposal makes it green, or which tests it still leaves failing. A corpus ends with its figures:
green / repaired (refused, green with its proposal) / refused / failed, and its time.

Each document is taken into a temporary copy of this repository (the repository itself is never touched):
validated, generated with the same generate.sh, then tests/spec_generic/ runs against it. A document that is not
valid OpenAPI, or that the generator cannot generate without warnings, is *refused*: the message names the
document, the defect and where it is (a JSONPath). Exit status, for one document and for a corpus alike:

    0  green (a corpus: every document green or refused)
    1  the suite failed on it (a corpus: on at least one)
    2  the document could not be read or fetched (usage errors too)
    3  refused (one document only; a corpus counts a refused document as done)

(`make test-spec` prints the same line; make itself turns any failing status into its own 2.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from enterprise3d_devkit.repo.copies import copy_repo
from enterprise3d_devkit.repo.generate_sh import run_generate_sh, tool_env
from enterprise3d_devkit.repo.layout import OVERLAY_NAME
from enterprise3d_devkit.spec import repairs
from enterprise3d_devkit.spec.loading import SpecError, load_spec
from enterprise3d_devkit.spec.overlay import OverlayError, apply_overlay, load_overlay
from enterprise3d_devkit.spec.validation import check_spec
from enterprise3d_devkit.spec_update.update import UpdateError, fetch, recognise

GREEN, FAILED, UNREADABLE, REFUSED = 0, 1, 2, 3
SUITE = "tests/spec_generic"
PER_DOCUMENT_TIMEOUT = 600.0  # seconds; a document whose suite runs longer is reported as failed


@dataclass(frozen=True)
class Outcome:
    document: str
    status: int  # GREEN / FAILED / UNREADABLE / REFUSED
    operations: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    findings: tuple[str, ...] = ()  # examples that break their own schemas: reported, never sent
    detail: str = ""  # why refused / unreadable, or the failing tests
    proposed: tuple[dict[str, Any], ...] = ()  # for a refused document: the overlay actions proposed to repair it
    repair: Outcome | None = None  # the suite on the document with those actions applied (tried before printing)
    failing: tuple[str, ...] = ()  # the tests that failed (test ids)

    @property
    def repaired(self) -> bool:
        """Refused as published, and green with the repair it proposes."""
        return self.status == REFUSED and self.repair is not None and self.repair.status == GREEN

    def _repair_note(self) -> str:
        repair = self.repair
        if repair is None:
            return ""
        if repair.status == GREEN:
            return f" -- its proposed repair makes it green ({repair.passed} passed)"
        if repair.status == REFUSED:
            return f" -- refused still with its proposed repair: {repair.detail}"
        still = ", ".join(repair.failing[:8]) + (" ..." if len(repair.failing) > 8 else "")
        return f" -- its proposed repair still leaves {repair.failed} failing: {still or repair.detail[-300:]}"

    def line(self) -> str:
        name = " + ".join(Path(part).name if "://" not in part else part for part in self.document.split(" + "))
        if self.status == REFUSED:
            return f"{name}: refused: {self.detail}{self._repair_note()}"
        if self.status == UNREADABLE:
            return f"{name}: unreadable: {self.detail}"
        verdict = "green" if self.status == GREEN else "FAILED"
        counts = f"{self.passed} passed" + (f", {self.failed} failed" if self.failed else "")
        counts += f", {self.skipped} skipped" if self.skipped else ""
        notes = f"; {len(self.findings)} example(s) break their schema (not sent)" if self.findings else ""
        return f"{name}: {verdict}: {self.operations} operations, {counts}, {self.seconds:.0f} s{notes}"


def failing_tests(suite: ET.Element) -> tuple[str, ...]:
    """The ids (file::name) of the test cases of a JUnit report that failed or errored."""
    return tuple(
        f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name', '')}"
        for case in suite.iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    )


def run_suite(repo: Path, workers: int = 2) -> tuple[int, int, int, str, tuple[str, ...]]:
    """Run the spec-generic suite in a repo copy, on `workers` pytest-xdist workers (0: in one process): (passed,
    failed, skipped, the tail of the output on failure, the failing tests)."""
    report = repo / "suite.xml"
    env = {**tool_env(), "PYTHONPATH": os.pathsep.join([str(repo / "generated"), str(repo)])}
    env.pop("TEST_API_BASE_URL", None)  # always against the embedded mock
    command = [sys.executable, "-m", "pytest", SUITE, "-q", "-p", "no:cacheprovider", "-n", str(workers)]
    command += [f"--junitxml={report}", "-o", "junit_family=xunit2"]
    try:
        result = subprocess.run(
            command, cwd=repo, env=env, capture_output=True, text=True, timeout=PER_DOCUMENT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return 0, 1, 0, f"the suite did not finish within {PER_DOCUMENT_TIMEOUT:.0f} s", ()
    if not report.exists():
        return 0, 1, 0, (result.stdout + result.stderr)[-3000:], ()
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite") or suite
    tests = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    tail = "" if result.returncode == 0 else (result.stdout + result.stderr)[-3000:]
    if result.returncode != 0 and failed == 0:
        failed = 1  # pytest failed without a failing test (collection, internal error): not green
    return tests - failed - skipped, failed, skipped, tail, failing_tests(suite)


def check_document(
    source: str, overlay: Path | None = None, timeout: float = 30.0, try_repair: bool = True, workers: int = 2
) -> Outcome:
    """Take one document (with an overlay applied, if given) into a temporary repo copy, generate, and run the
    spec-generic suite on it. A document refused with a proposed repair is tried again with it (`repair`)."""
    outcome = _check(source, overlay, timeout, workers)
    if try_repair and outcome.status == REFUSED and outcome.proposed:
        return replace(outcome, repair=try_proposal(source, overlay, list(outcome.proposed), timeout, workers))
    return outcome


def try_proposal(
    source: str, overlay: Path | None, proposed: list[dict[str, Any]], timeout: float, workers: int = 2
) -> Outcome:
    """The suite on the document with the proposed actions applied after its own overlay's, if any."""
    actions = [*((load_overlay(overlay).get("actions") or []) if overlay is not None else []), *proposed]
    with tempfile.TemporaryDirectory(prefix="test-spec-repair-") as tmp:
        repaired = Path(tmp) / "proposed.overlay.yaml"
        repaired.write_text(repairs.render(actions, Path(source).name), encoding="utf-8")
        return _check(source, repaired, timeout, workers)


def _check(source: str, overlay: Path | None = None, timeout: float = 30.0, workers: int = 2) -> Outcome:
    started = time.monotonic()
    label = source if overlay is None else f"{source} + {overlay.name}"
    try:
        document = recognise(source, fetch(source, timeout))
    except UpdateError as exc:
        return Outcome(label, UNREADABLE, detail=str(exc))
    parsed: dict[str, Any] | None = None
    try:
        parsed = load_spec(document.content)
        if overlay is not None:
            parsed = apply_overlay(parsed, load_overlay(overlay), overlay.name)[0]
        check_spec(parsed)
    except SpecError as exc:
        proposed = tuple(repairs.proposed_for(parsed))
        return Outcome(label, REFUSED, detail=f"the file {exc.what} (at {exc.where})", proposed=proposed)
    except OverlayError as exc:
        return Outcome(label, REFUSED, detail=str(exc))
    # Imported once a document is usable: a refusal (most of a vendor corpus) needs neither the example check's schema
    # validator nor the generator's naming rules, which are heavy imports.
    from enterprise3d_devkit.spec.instances import example_findings
    from enterprise3d_devkit.spec.operations import operations

    findings = tuple(example_findings(parsed))
    with tempfile.TemporaryDirectory(prefix="test-spec-") as tmp:
        repo = copy_repo(Path(tmp) / "repo")
        (repo / "openapi.yaml").write_bytes(document.content)
        # The copy's overlay is this document's (or none): the repository's own corrects only its own spec.
        (repo / OVERLAY_NAME).unlink(missing_ok=True)
        if overlay is not None:
            shutil.copyfile(overlay, repo / OVERLAY_NAME)
        generated = run_generate_sh(repo=repo)
        if generated.returncode != 0:
            problem = _generator_problem(generated.stderr)
            return Outcome(label, REFUSED, detail=f"the generator cannot generate it: {problem}")
        passed, failed, skipped, tail, failing = run_suite(repo, workers)
    return Outcome(
        label,
        GREEN if failed == 0 and passed > 0 else FAILED,
        operations=len(operations(parsed)),
        passed=passed,
        failed=failed,
        skipped=skipped,
        seconds=time.monotonic() - started,
        findings=findings,
        detail=tail,
        failing=failing,
    )


def _generator_problem(stderr: str) -> str:
    """The generator's own words about what it could not generate, on one line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("generate.sh:", "Generating", "Warning(s) encountered"))]
    text = " | ".join(useful[:8]) or " | ".join(lines[-3:])
    return text[:1500]


def corpus_documents(folder: Path) -> list[tuple[Path, Path | None]]:
    """Every document of the folder as it is, and again with its overlay (X.overlay.yaml beside X.openapi.*)."""
    runs: list[tuple[Path, Path | None]] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in {".json", ".yaml", ".yml"}):
        if path.name.endswith(".overlay.yaml"):
            continue
        runs.append((path, None))
        overlay = path.with_name(path.name.split(".openapi.")[0] + ".overlay.yaml")
        if ".openapi." in path.name and overlay.exists():
            runs.append((path, overlay))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", nargs="?", help="a path or URL of an OpenAPI document (or a docs page embedding one)")
    parser.add_argument("--corpus", type=Path, help="run every document of this folder instead")
    parser.add_argument("--overlay", type=Path, help="an OpenAPI Overlay to apply to SPEC first")
    parser.add_argument("--propose", type=Path, help="when SPEC is refused, write the repairs proposed for it here")
    parser.add_argument("--jobs", type=int, default=1, help="with --corpus: how many documents run at once")
    parser.add_argument(
        "--workers",
        type=int,
        help="pytest-xdist workers per document (0: one process; default: 2 for one SPEC, 0 with --corpus, where "
        "documents run side by side and a worker's start-up, repeated per document, would cost more than it saves)",
    )
    parser.add_argument(
        "--no-repairs", action="store_true", help="do not try the repair proposed for a refused document"
    )
    args = parser.parse_args(argv)
    if (args.spec is None) == (args.corpus is None):
        parser.error("give one SPEC or --corpus DIR")
    if args.spec is not None:
        workers = 2 if args.workers is None else args.workers
        outcome = check_document(args.spec, args.overlay, try_repair=not args.no_repairs, workers=workers)
        print(outcome.line())
        if outcome.proposed:
            name = Path(args.spec).name
            print(repairs.proposal_text(list(outcome.proposed), name), end="")
            if args.propose is not None:
                args.propose.write_text(repairs.render(list(outcome.proposed), name), encoding="utf-8")
                print(f"(written to {args.propose}: make test-spec SPEC=... OVERLAY={args.propose} runs it)")
        for finding in outcome.findings:
            print(f"  finding: {finding}")
        if outcome.status == FAILED and outcome.detail:
            print(outcome.detail, file=sys.stderr)
        return outcome.status
    documents = corpus_documents(args.corpus)
    if not documents:
        print(f"test-corpus: no *.json / *.yaml documents in {args.corpus}", file=sys.stderr)
        return UNREADABLE
    started = time.monotonic()
    workers = 0 if args.workers is None else args.workers
    outcomes = run_corpus(documents, args.jobs, try_repair=not args.no_repairs, workers=workers)
    counts = {
        "green": sum(o.status == GREEN for o in outcomes),
        "repaired": sum(o.repaired for o in outcomes),
        "refused": sum(o.status == REFUSED and not o.repaired for o in outcomes),
        "failed": sum(o.status in (FAILED, UNREADABLE) for o in outcomes),
    }
    done = counts["green"] + counts["repaired"] + counts["refused"]
    figures = " / ".join(f"{number} {name}" for name, number in counts.items())
    print(f"\n{args.corpus}: {figures} of {len(outcomes)} runs, in {time.monotonic() - started:.0f} s")
    return GREEN if done == len(outcomes) else FAILED


def run_corpus(
    documents: list[tuple[Path, Path | None]], jobs: int, try_repair: bool = True, workers: int = 0
) -> list[Outcome]:
    """Each run's outcome, in the corpus's order, its line printed as it ends (several at once with `jobs`)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(run: tuple[Path, Path | None]) -> Outcome:
        path, overlay = run
        outcome = check_document(str(path), overlay, try_repair=try_repair, workers=workers)
        proposed = f" [{len(outcome.proposed)} repair(s) proposed: make test-spec SPEC={path} PROPOSE=<file>]"
        print(outcome.line() + (proposed if outcome.proposed else ""), flush=True)
        if outcome.status == FAILED and outcome.detail:
            print("  " + outcome.detail.replace("\n", "\n  "), file=sys.stderr, flush=True)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, documents))


if __name__ == "__main__":
    sys.exit(main())
