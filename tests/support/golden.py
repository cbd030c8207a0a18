"""Golden records: the packages our documents generate (tests/fixtures/documents/, and a grown Enterprise 3D spec
kept as a snapshot), committed under tests/golden/ so that a change of a template, a plan or the generator's
input shows as a diff in review. tests/tooling/test_golden.py compares; `make golden` rewrites them:

    python -m tests.support.golden

A record holds what generation makes, not the runtime it copies in byte for byte (checked where it lives) nor
the version module (pyproject.toml's version).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import PACKAGE, REPO, RUNTIME_FILES

RECORDS = REPO / "tests" / "golden"
DOCUMENTS = REPO / "tests" / "fixtures" / "documents"
# Record name -> the document it is generated from (its own overlay: none).
SOURCES = {
    "schema-shapes": DOCUMENTS / "schema-shapes.openapi.yaml",
    "body-shapes": DOCUMENTS / "body-shapes.openapi.yaml",
    "path-servers": DOCUMENTS / "path-servers.openapi.yaml",
    "answer-shapes": DOCUMENTS / "answer-shapes.openapi.yaml",
    "security-schemes": DOCUMENTS / "security-schemes.openapi.yaml",
    "value-shapes": DOCUMENTS / "value-shapes.openapi.yaml",
    # The Enterprise 3D document with its overlay applied and one more operation (tests.support.spec_variants), as
    # of when the record was made: a snapshot, so that a vendor update changes generated/ but not this record.
    "grown-enterprise-3d": RECORDS / "grown-enterprise-3d.openapi.json",
}
NOT_RECORDED = [*RUNTIME_FILES, Path("_version.py")]


def generate(source: Path, parent: Path) -> Path:
    """The package `source` generates, in `parent`, without the runtime and the version module."""
    out = parent / PACKAGE
    result = run_generate_sh("--spec", str(source), "--out", str(out))
    if result.returncode != 0:
        raise RuntimeError(f"generate.sh failed on {source}:\n{result.stderr}")
    for path in NOT_RECORDED:
        (out / path).unlink()
    for folder in sorted({(out / path).parent for path in NOT_RECORDED}, reverse=True):
        if folder != out and not any(folder.iterdir()):  # (a product's package: the runtime's alone)
            folder.rmdir()
    return out


def files(package: Path) -> dict[str, bytes]:
    """Relative path -> content of every file of a package (bytecode caches aside)."""
    return {
        str(path.relative_to(package)): path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def write_grown_snapshot() -> None:
    import json

    from enterprise3d_devkit.repo.layout import OVERLAY_PATH
    from enterprise3d_devkit.spec.overlay import apply_overlay, load_overlay
    from tests.support.spec_variants import grown_spec

    spec = grown_spec()
    if OVERLAY_PATH.exists():
        spec, _ = apply_overlay(spec, load_overlay(OVERLAY_PATH))
    SOURCES["grown-enterprise-3d"].write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    """Rewrite every record (--grown: take a new snapshot of the grown spec first)."""
    if "--grown" in argv or not SOURCES["grown-enterprise-3d"].exists():
        write_grown_snapshot()
    for name, source in SOURCES.items():
        with tempfile.TemporaryDirectory() as tmp:
            package = generate(source, Path(tmp))
            record = RECORDS / name / PACKAGE
            shutil.rmtree(record, ignore_errors=True)
            record.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(package, record, ignore=shutil.ignore_patterns("__pycache__"))
        print(f"{record.relative_to(REPO)}: from {source.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
