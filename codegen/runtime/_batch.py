"""Generating many models: a batch of generation requests run within the plan's queue limit, recorded in a job
ledger, resumable.

Each line of a batch is one generating operation's keyword arguments (`text_to_3d`'s when it has `prompt`, ...: the
operation whose required fields it holds; or the one its `operation` names), plus an optional `name`: the folder its
files go to under the batch's output folder (by default its line number). At most `concurrency` jobs are queued on
the server at once. A submission the server refuses (429: the queue limit) waits the answer's retry_after and is
submitted again. Every step goes into the batch's ledger, so running the same batch again resumes it:

    saved                 nothing is sent
    done, not saved       its files are downloaded
    queued                its job is waited for (never submitted again)
    failed                submitted again only with retry_failed
    uncertain             (sent, no answer recorded: it may have been queued and billed) only with resubmit_uncertain
    refused, or new       submitted

Everything that can be checked is checked before the first request: the arguments of every line to be sent against
the spec, and its output folder (created, writable, free of files unless overwrite).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import errors
from ._checks import check_body, needed_fields
from ._jobs import check_wait_timeout
from ._ledger import DONE, FAILED, QUEUED, REFUSED, SAVED, SENDING, UNCERTAIN, Entry, Ledger, SavedFile
from ._vendor_facts import API_KEY_FIELD

LEDGER_NAME = "ledger.sqlite"  # the batch's ledger, in its output folder
DEFAULT_CONCURRENCY = 5  # the smallest plan's queue limit
NAME_FIELD = "name"
OPERATION_FIELD = "operation"

# What a line comes to: the ledger's states, plus `waiting` (not started) and `skipped` (failed or uncertain, and
# not to be sent again).
WAITING = "waiting"
SKIPPED = "skipped"


@dataclass
class Line:
    """One line of a batch: its name, the generating method, its arguments."""

    name: str
    operation: str
    arguments: dict[str, Any]

    def sent_as(self, inputs: Mapping[str, Any]) -> bool:
        """Whether a request recorded with these inputs is this line's (the client adds defaults and a track_id)."""
        return all(json.dumps(inputs.get(name)) == json.dumps(value) for name, value in self.arguments.items())


@dataclass
class LineResult:
    """What became of a line: its state, the job's id, the files saved, why it failed."""

    name: str
    state: str
    job_id: str | None = None
    files: list[Path] = field(default_factory=list)
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "job_id": self.job_id,
            "files": [str(path) for path in self.files],
            "message": self.message,
        }


@dataclass(frozen=True)
class BatchProgress:
    """The batch's counts after an event: `line` changed to `state` (its job id once known)."""

    line: str
    state: str
    job_id: str | None
    counts: dict[str, int]
    total: int


OnBatchProgress = Callable[[BatchProgress], object]


class BatchInterrupted(Exception):
    """The batch was asked to stop (its lines' jobs go on; running it again resumes them)."""


def read_jobs(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The lines of a JSON Lines file of generation requests (blank lines skipped); ValueError naming a bad line."""
    requests = []
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
            except ValueError as error:
                raise ValueError(f"{path}, line {number}: not JSON ({error})") from None
            if not isinstance(item, dict):
                raise ValueError(f"{path}, line {number}: a JSON object is expected, not {type(item).__name__}")
            requests.append({NAME_FIELD: str(number), **item})
    return requests


def plan(requests: Iterable[Mapping[str, Any]], generating: Mapping[str, Any]) -> list[Line]:
    """The batch's lines, each matched to its generating operation: ValueError naming the line for anything wrong
    (nothing is sent). `generating`: method name -> its Operation."""
    needed = {name: needed_fields(op.body_schema, frozenset({API_KEY_FIELD})) for name, op in generating.items()}
    lines: list[Line] = []
    names: set[str] = set()
    for index, request in enumerate(requests, start=1):
        arguments = dict(request)
        name = str(arguments.pop(NAME_FIELD, index))
        chosen = arguments.pop(OPERATION_FIELD, None)
        if chosen is None:
            matches = [method for method, fields in needed.items() if fields and fields <= arguments.keys()]
            if len(matches) != 1:
                kinds = "; ".join(f"{method} needs {', '.join(sorted(fields))}" for method, fields in needed.items())
                found = "several operations" if matches else "no operation"
                raise ValueError(f"line {name!r}: its fields fit {found} ({kinds}); name it with {OPERATION_FIELD!r}")
            chosen = matches[0]
        if chosen not in generating:
            raise ValueError(f"line {name!r}: {chosen!r} is not a generating operation ({', '.join(generating)})")
        if not name or name in (".", "..") or "/" in name or "\\" in name:
            raise ValueError(f"line {name!r}: a name is one folder name")
        if name in names:
            raise ValueError(f"line {name!r}: two lines have this name")
        names.add(name)
        lines.append(Line(name, chosen, arguments))
    return lines


def check_folder(folder: Path, overwrite: bool) -> None:
    """Create the output folder, and check that files can be written to it and that none is there already (unless
    overwrite): before a generation is paid for. An OSError (FileExistsError, PermissionError ...) otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
        pass
    if not overwrite:
        clashes = sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))
        if clashes:
            raise FileExistsError(
                f"{folder} holds files already ({', '.join(clashes[:3])}); --overwrite (overwrite=True) replaces them"
            )


class Batch:
    """The state of one run of a batch, shared by the sync and async runners."""

    def __init__(
        self,
        lines: list[Line],
        generating: Mapping[str, Any],
        out_dir: Path,
        ledger: Ledger,
        *,
        retry_failed: bool,
        resubmit_uncertain: bool,
        overwrite: bool,
        on_progress: OnBatchProgress | None,
    ) -> None:
        self.lines, self.out_dir, self.ledger = lines, out_dir, ledger
        self.overwrite, self.on_progress = overwrite, on_progress
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.results: dict[str, LineResult] = {}
        self.actions: dict[str, str] = {}
        latest = ledger.latest_by_name()
        for line in lines:
            entry = latest.get(line.name)
            if entry is not None and (entry.operation != line.operation or not line.sent_as(entry.inputs)):
                raise ValueError(
                    f"line {line.name!r} changed since it was submitted (job {entry.job_id or '?'}): give it "
                    "another name, or use another output folder"
                )
            action, state = self._action(entry, retry_failed, resubmit_uncertain)
            self.actions[line.name] = action
            self.results[line.name] = LineResult(
                line.name, state, entry.job_id if entry else None, self._files(entry), entry.message if entry else None
            )
        for line in lines:  # before anything is paid for; a line sent before may have left its folder's files
            if self.actions[line.name] == "submit":
                body = {API_KEY_FIELD: "-", **line.arguments}
                check_body(f"line {line.name!r} ({line.operation})", body, generating[line.operation].body_schema)
                check_folder(self.folder(line), overwrite or line.name in latest)

    @staticmethod
    def _action(entry: Entry | None, retry_failed: bool, resubmit_uncertain: bool) -> tuple[str, str]:
        """(what to do with a line, its state now)."""
        if entry is None or entry.state == REFUSED:
            return "submit", WAITING
        if entry.state == SAVED:
            return "none", SAVED
        if entry.state == DONE:
            return "download", DONE
        if entry.state == QUEUED:
            return "wait", QUEUED
        if entry.state == FAILED:
            return ("submit", WAITING) if retry_failed else ("none", FAILED)
        if entry.state in (SENDING, UNCERTAIN):
            return ("submit", WAITING) if resubmit_uncertain else ("none", UNCERTAIN)
        return "none", entry.state

    @staticmethod
    def _files(entry: Entry | None) -> list[Path]:
        return [Path(saved.path) for saved in entry.files] if entry is not None else []

    def folder(self, line: Line) -> Path:
        return self.out_dir / line.name

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results.values():
            counts[result.state] = counts.get(result.state, 0) + 1
        return counts

    def update(self, line: Line, state: str, job_id: str | None = None, message: str | None = None) -> None:
        with self._lock:
            result = self.results[line.name]
            result.state = state
            result.job_id = job_id or result.job_id
            result.message = message
            progress = BatchProgress(line.name, state, result.job_id, self.counts(), len(self.lines))
        if self.on_progress is not None:
            self.on_progress(progress)

    def check_stop(self) -> None:
        if self.stop.is_set():
            raise BatchInterrupted("the batch was interrupted")

    def saved(self, line: Line, job_id: str, files: list[SavedFile]) -> None:
        self.ledger.record_files(job_id, files)
        self.results[line.name].files = [Path(saved.path) for saved in files]
        self.update(line, SAVED, job_id)

    def failed(self, line: Line, error: BaseException) -> None:
        entry = self.ledger.latest(line.name)
        state = UNCERTAIN if entry is not None and entry.uncertain else FAILED
        if entry is not None and entry.state == REFUSED:
            state = REFUSED
        self.update(line, state, message=str(error) or type(error).__name__)

    def outputs(self, line: Line) -> tuple[str, list[str]]:
        entry = self.ledger.latest(line.name)
        assert entry is not None  # (a line is waited for or saved only once its request is on record)
        return str(entry.job_id), entry.outputs

    def job_id(self, line: Line) -> str:
        return self.outputs(line)[0]


def refused_delay(error: errors.RateLimitError, deadline: float) -> float | None:
    """Seconds to wait before submitting a refused line again; None when that would pass its deadline."""
    delay = error.retry_after if error.retry_after is not None else 1.0
    return None if time.monotonic() + delay >= deadline else max(delay, 0.0)


def batch_for(
    client: Any,
    requests: Iterable[Mapping[str, Any]],
    out_dir: str | os.PathLike[str],
    *,
    concurrency: int,
    ledger: Ledger | str | os.PathLike[str] | None,
    timeout: float,
    retry_failed: bool,
    resubmit_uncertain: bool,
    overwrite: bool,
    on_progress: OnBatchProgress | None,
) -> tuple[Batch, bool]:
    """The batch's plan, checked (ValueError / OSError before anything is sent), and whether its ledger was opened
    here (and so is closed by the runner)."""
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise ValueError(f"concurrency must be a whole number >= 1, not {concurrency!r}")
    check_wait_timeout(timeout)
    generating = {op.name: op for op in client._OPERATIONS if op.generates}
    lines = plan(requests, generating)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    opened = not isinstance(ledger, Ledger)
    book = ledger if isinstance(ledger, Ledger) else Ledger(ledger if ledger is not None else folder / LEDGER_NAME)
    try:
        batch = Batch(
            lines,
            generating,
            folder,
            book,
            retry_failed=retry_failed,
            resubmit_uncertain=resubmit_uncertain,
            overwrite=overwrite,
            on_progress=on_progress,
        )
    except BaseException:
        if opened:
            book.close()
        raise
    return batch, opened


def run_line(client: Any, batch: Batch, line: Line, slots: threading.Semaphore, timeout: float) -> None:
    """One line, start to finish, on the sync client (a worker thread)."""
    from . import _downloads

    action = batch.actions[line.name]
    if action == "none":
        return
    deadline = time.monotonic() + timeout
    named = client._named(line.name, batch.ledger)
    waits = client._GENERATION_WAITS[line.operation]
    on_queued = functools.partial(batch.update, line, QUEUED)

    def on_update(answer: object) -> None:
        batch.check_stop()

    try:
        if action in ("submit", "wait"):
            with slots:
                batch.check_stop()
                if action == "submit":
                    while True:
                        batch.update(line, SENDING)
                        try:
                            getattr(named, waits[0])(
                                **line.arguments,
                                timeout=max(deadline - time.monotonic(), 0.001),
                                on_update=on_update,
                                on_queued=on_queued,
                            )
                            break
                        except errors.RateLimitError as error:
                            delay = refused_delay(error, deadline)
                            if delay is None:
                                raise
                            batch.update(line, REFUSED, message=f"refused (queue limit); again in {delay:.1f} s")
                            client._sleep(delay)
                            batch.check_stop()
                else:
                    batch.update(line, QUEUED, batch.job_id(line))
                    getattr(named, waits[1])(batch.job_id(line), timeout=timeout, on_update=on_update)
                batch.update(line, DONE, batch.job_id(line))  # (before the slot is free: the job left the queue)
        job_id, urls = batch.outputs(line)
        folder = batch.folder(line)
        import httpx

        with httpx.Client(**client._download_client_settings()) as http:
            files = _downloads.download(http, urls, folder, True, lambda *progress: batch.check_stop())
        batch.saved(line, job_id, files)
    except (errors.APIError, OSError, BatchInterrupted) as error:
        batch.failed(line, error)
        if isinstance(error, BatchInterrupted):
            raise


async def run_line_async(client: Any, batch: Batch, line: Line, slots: Any, timeout: float) -> None:
    """One line, start to finish, on the async client (a task; cancelling it stops it at once)."""
    import httpx

    from . import _downloads

    action = batch.actions[line.name]
    if action == "none":
        return
    deadline = time.monotonic() + timeout
    named = client._named(line.name, batch.ledger)
    waits = client._GENERATION_WAITS[line.operation]
    on_queued = functools.partial(batch.update, line, QUEUED)

    try:
        if action in ("submit", "wait"):
            async with slots:
                if action == "submit":
                    while True:
                        batch.update(line, SENDING)
                        try:
                            await getattr(named, waits[0])(
                                **line.arguments,
                                timeout=max(deadline - time.monotonic(), 0.001),
                                on_queued=on_queued,
                            )
                            break
                        except errors.RateLimitError as error:
                            delay = refused_delay(error, deadline)
                            if delay is None:
                                raise
                            batch.update(line, REFUSED, message=f"refused (queue limit); again in {delay:.1f} s")
                            await client._sleep(delay)
                else:
                    batch.update(line, QUEUED, batch.job_id(line))
                    await getattr(named, waits[1])(batch.job_id(line), timeout=timeout)
                batch.update(line, DONE, batch.job_id(line))  # (before the slot is free: the job left the queue)
        job_id, urls = batch.outputs(line)
        async with httpx.AsyncClient(**client._download_client_settings()) as http:
            files = await _downloads.download_async(http, urls, batch.folder(line), True, None)
        batch.saved(line, job_id, files)
    except (errors.APIError, OSError) as error:
        batch.failed(line, error)
    except BaseException as error:  # cancelled: what is recorded stays; running the batch again resumes
        batch.failed(line, error)
        raise
