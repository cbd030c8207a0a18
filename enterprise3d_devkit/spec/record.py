"""The record of where openapi.yaml came from (openapi.lock.yaml), and the check that it was not edited by hand.

    python -m enterprise3d_devkit.spec.record      exit 1, naming the file, when openapi.yaml is not the recorded result

`make update-spec` writes the record: each source it took (URL or path, the sha256 of the bytes taken, the date
they were first taken) and the sha256 of the openapi.yaml it wrote. `make update-spec` without SOURCE takes the
recorded sources again; `make test` runs the check above.
"""

from __future__ import annotations

import datetime
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.digests import sha256
from enterprise3d_devkit.repo.layout import REPO, SPEC_PATH

RECORD_NAME = "openapi.lock.yaml"
HEADER = (
    "# Where openapi.yaml came from. Written by `make update-spec`; do not edit by hand: `make test` fails when\n"
    "# openapi.yaml is not the recorded result, and `make update-spec` (no SOURCE) takes these sources again.\n"
)


@dataclass(frozen=True)
class TakenSource:
    source: str  # a URL, or a path (relative to the repository when inside it)
    sha256: str  # of the bytes taken
    taken: str  # ISO date those bytes were first taken


@dataclass(frozen=True)
class Record:
    sources: tuple[TakenSource, ...]
    result_sha256: str  # of openapi.yaml as written


def record_path(repo: Path = REPO) -> Path:
    return repo / RECORD_NAME


def read_record(repo: Path = REPO) -> Record | None:
    path = record_path(repo)
    if not path.exists():
        return None
    data = yaml_codec.load(path.read_text(encoding="utf-8")) or {}
    sources = tuple(TakenSource(str(s["source"]), str(s["sha256"]), str(s["taken"])) for s in data.get("sources", []))
    return Record(sources, str(data["result"]["sha256"]))


def write_record(record: Record, repo: Path = REPO) -> None:
    data = {
        "sources": [{"source": s.source, "sha256": s.sha256, "taken": s.taken} for s in record.sources],
        "result": {"file": SPEC_PATH.name, "sha256": record.result_sha256},
    }
    record_path(repo).write_text(HEADER + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def recorded_name(source: str, repo: Path = REPO) -> str:
    """How a source is recorded: URLs as given, paths relative to the repository when inside it."""
    if "://" in source:
        return source
    path = Path(source).resolve()
    return path.relative_to(repo).as_posix() if path.is_relative_to(repo) else str(path)


def new_record(taken: list[tuple[str, bytes]], result: bytes, previous: Record | None, repo: Path = REPO) -> Record:
    """The record for these (source, bytes) and this openapi.yaml; a source keeps its date while its bytes do."""
    dates = {(s.source, s.sha256): s.taken for s in previous.sources} if previous else {}
    today = datetime.date.today().isoformat()
    sources = []
    for source, content in taken:
        name, digest = recorded_name(source, repo), sha256(content)
        sources.append(TakenSource(name, digest, dates.get((name, digest), today)))
    return Record(tuple(sources), sha256(result))


def problem(repo: Path = REPO) -> str | None:
    """Why openapi.yaml is not what the record says it should be, or None."""
    record = read_record(repo)
    spec = repo / SPEC_PATH.name
    if record is None:
        return f"{RECORD_NAME} is missing: take the spec with `make update-spec SOURCE=...` to record its sources"
    actual = sha256(spec.read_bytes())
    if actual != record.result_sha256:
        sources = ", ".join(s.source for s in record.sources)
        return (
            f"{SPEC_PATH.name} is not what {RECORD_NAME} records (sha256 {actual[:12]}…, recorded "
            f"{record.result_sha256[:12]}… from {sources}): it was edited by hand. The vendored spec stays as "
            "published: revert the edit, or take the vendor's spec again with `make update-spec`."
        )
    return None


def main() -> int:
    found = problem()
    if found:
        print(f"check-spec-record: {found}", file=sys.stderr)
        return 1
    print(f"{SPEC_PATH.name} is the result {RECORD_NAME} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
