"""Generating many models: a batch of generation requests run within the plan's queue limit, recorded in a job
ledger, resumable, and never paid twice.

Each line of a batch is one generating operation's keyword arguments (`text_to_3d`'s when it has `prompt`, ...: the
operation whose required fields it holds; or the one its `operation` names), plus an optional `name`: the folder its
files go to under the batch's output folder (by default its line number). At most `concurrency` jobs are queued on
each server at once: a batch may run over several servers (each a client with its own key), a line going to whichever
has a free slot, and a queued job always waited for at the server that took it. A submission the server refuses
(429: the queue limit) waits the answer's retry_after (at least a second; backing off when it asks for no pause) and
is sent again on the same ledger entry; one a server never received (it refused the connection) goes to another.

A line is identified by what its user wrote: its operation and arguments (`extra_body` included; the track_id and
the key left out). Running the same batch again resumes it, line by line, from its ledger entry:

    saved                 nothing is sent (final)
    done                  its files are downloaded
    queued                its job is waited for at the server it was sent to (never submitted again)
    refused, or new       submitted
    failed                submitted again only with retry_failed (a new paid job)
    uncertain             (sent, no answer recorded: it may have been queued and billed) only with resubmit_uncertain
    changed               (its arguments are not those it was sent with) only with regenerate_changed

Everything that can be checked is checked before the first request, for every line: the fields its operation has
(an unknown one is an error; extra_body sends one on purpose), their types, enums and ranges, required fields,
names; and the output folders. One run at a time owns a batch folder (an OS lock); a run sharing its ledger with
another claims each line in the transaction that records it. A line's timeout starts when its request is sent,
never while it waits for a slot, and a request always gets its full answer window.
"""

from __future__ import annotations

import inspect
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import errors
from ..core.answers import job_id_of, outputs_of, refusal_delay, status_of
from ..core.checks import check_body, needed_fields, schema_of
from ..core.steps import Call, Steps
from ..core.vendor_facts import API_KEY_FIELD, FORMAT_FIELD, SUCCESS_STATUS
from .folder_lock import FolderLock
from .job_states import CHANGED, DONE, FAILED, INVALID, QUEUED, REFUSED, SAVED, SENDING, UNCERTAIN, UNKNOWN, WAITING
from .jobs import check_wait_timeout
from .ledger import Claim, Entry, Ledger, LineRecord, LineTaken, SavedFile, changed_fields, identity_of, line_arguments
from .servers import Server

LEDGER_NAME = "ledger.sqlite"  # the batch's ledger, in its output folder
DEFAULT_CONCURRENCY = 5  # the smallest plan's queue limit
NAME_FIELD = "name"
OPERATION_FIELD = "operation"
EXTRA_BODY = "extra_body"


# What a run does with a line.
SUBMIT, WAIT, DOWNLOAD, NOTHING = "submit", "wait", "download", "none"


@dataclass
class Line:
    """One line of a batch: its name, the generating method, its arguments (extra_body included)."""

    name: str
    operation: str
    arguments: dict[str, Any]

    @property
    def identity(self) -> str:
        return identity_of(self.operation, self.arguments)


@dataclass
class LineResult:
    """What became of a line: its state (its ledger entry's, or waiting / changed / invalid), the job's id, the
    files saved, why it is not saved; its ledger entry."""

    name: str
    state: str
    job_id: str | None = None
    files: list[Path] = field(default_factory=list)
    message: str | None = None
    entry: int | None = None
    server: str | None = None  # the base URL of the server that took its job (or holds it)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "job_id": self.job_id,
            "files": [str(path) for path in self.files],
            "message": self.message,
            "entry": self.entry,
            "server": self.server,
        }


@dataclass(frozen=True)
class BatchProgress:
    """The batch's counts after an event: `line` changed to `state` (its job id once known, the server that took
    it); `per_server`: each server's counts of lines by state."""

    line: str
    state: str
    job_id: str | None
    counts: dict[str, int]
    total: int
    server: str | None = None
    per_server: dict[str, dict[str, int]] = field(default_factory=dict)


OnBatchProgress = Callable[[BatchProgress], object]


class BatchInterrupted(Exception):
    """The batch was asked to stop (its lines' jobs go on; running it again resumes them)."""


def read_jobs(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The lines of a JSON Lines file of generation requests (blank lines skipped; a UTF-8 BOM accepted);
    ValueError naming a bad line, or for a file with no line."""
    requests = []
    with open(path, encoding="utf-8-sig") as handle:
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
    if not requests:
        raise ValueError(f"{path} holds no request (one JSON object per line)")
    return requests


@dataclass(frozen=True)
class Bad:
    """A line that cannot be sent, and why."""

    name: str
    problem: str


def plan(
    requests: Iterable[Mapping[str, Any]], generating: Mapping[str, Any], parameters: Mapping[str, frozenset[str]]
) -> tuple[list[Line], list[Bad], list[str]]:
    """The batch's lines, each matched to its generating operation and its fields checked against the method's,
    the lines that cannot be sent (each with its problem), and every line's name in order. `generating`: method
    name -> its Operation; `parameters`: method name -> the keyword arguments it takes."""
    needed = {name: needed_fields(op.body_schema, frozenset({API_KEY_FIELD})) for name, op in generating.items()}
    lines: list[Line] = []
    bad: list[Bad] = []
    names: set[str] = set()
    order: list[str] = []
    for index, request in enumerate(requests, start=1):
        if not isinstance(request, Mapping):
            bad.append(Bad(str(index), f"a request is a mapping of arguments, not {type(request).__name__}"))
            order.append(str(index))
            continue
        arguments = dict(request)
        name = str(arguments.pop(NAME_FIELD, index))
        chosen = arguments.pop(OPERATION_FIELD, None)
        problem = _name_problem(name, names)
        if name not in names:
            order.append(name)
        names.add(name)
        if problem is None and chosen is None:
            matches = [method for method, fields in needed.items() if fields and fields <= arguments.keys()]
            if len(matches) == 1:
                chosen = matches[0]
            else:
                kinds = "; ".join(f"{method} needs {', '.join(sorted(fields))}" for method, fields in needed.items())
                found = "several operations" if matches else "no operation"
                problem = f"its fields fit {found} ({kinds}); name it with {OPERATION_FIELD!r}"
        if problem is None and chosen not in generating:
            problem = f"{chosen!r} is not a generating operation ({', '.join(generating)})"
        if problem is None:
            problem = _fields_problem(str(chosen), arguments, parameters[str(chosen)])
        if problem is not None:
            bad.append(Bad(name, problem))
            continue
        lines.append(Line(name, str(chosen), arguments))
    return lines, bad, order


def _name_problem(name: str, names: set[str]) -> str | None:
    if not name or name in (".", "..") or "/" in name or "\\" in name or name.startswith("."):
        return "a name is one folder name (not hidden)"
    if name in names:
        return "two lines have this name"
    return None


def _fields_problem(operation: str, arguments: Mapping[str, Any], accepted: frozenset[str]) -> str | None:
    """What is wrong with a line's fields for `operation`, or None: a field the method does not take, an
    extra_body that is not an object or sets the key."""
    unknown = sorted(set(arguments) - accepted - {EXTRA_BODY})
    if unknown:
        return (
            f"{operation} has no field {', '.join(map(repr, unknown))} (its fields: {', '.join(sorted(accepted))}); "
            f"to send a field the spec does not list, put it in {EXTRA_BODY!r}"
        )
    extra = arguments.get(EXTRA_BODY)
    if extra is not None and (not isinstance(extra, dict) or API_KEY_FIELD in extra):
        return f"{EXTRA_BODY} is an object of fields to add, without {API_KEY_FIELD!r}"
    return None


def values_problem(line: Line, op: Any) -> str | None:
    """What the spec forbids in a line's values (types, enums, ranges, required fields), or None."""
    body = {API_KEY_FIELD: "-", **{k: v for k, v in line.arguments.items() if k != EXTRA_BODY}}
    try:
        check_body(line.operation, body, op.body_schema)
    except ValueError as error:
        return str(error).removeprefix(f"{line.operation}: ").removesuffix("; nothing was sent")
    return None


def method_parameters(client: Any, names: Iterable[str]) -> dict[str, frozenset[str]]:
    """The keyword arguments each generating method of `client` takes (from its signature)."""
    taken: dict[str, frozenset[str]] = {}
    for name in names:
        signature = inspect.signature(getattr(client, name))
        taken[name] = frozenset(
            parameter
            for parameter, spec in signature.parameters.items()
            if spec.kind in (spec.KEYWORD_ONLY, spec.POSITIONAL_OR_KEYWORD) and parameter != EXTRA_BODY
        )
    return taken


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
            raise FileExistsError(f"{folder} holds files already ({', '.join(clashes[:3])}); overwriting replaces them")


def same_request(line: Line, entry: Entry) -> tuple[bool, list[str]]:
    """Whether `entry` was sent for exactly this line (same operation and arguments), and the fields that differ."""
    if entry.arguments is None:  # recorded by an older version: compare what was sent, field by field
        written = line_arguments(line.arguments)
        differ = [k for k, v in written.items() if json.dumps(entry.inputs.get(k)) != json.dumps(v)]
        return entry.operation == line.operation and not differ, differ
    if entry.operation != line.operation:
        return False, [OPERATION_FIELD]
    differ = changed_fields(entry.arguments, line_arguments(line.arguments))
    return not differ, differ


class Batch:
    """The state of one run of a batch, shared by the sync and async runners."""

    def __init__(
        self,
        lines: list[Line],
        bad: list[Bad],
        order: list[str],
        generating: Mapping[str, Any],
        out_dir: Path,
        ledger: Ledger,
        *,
        servers: frozenset[str],
        retry_failed: bool,
        resubmit_uncertain: bool,
        regenerate_changed: bool,
        overwrite: bool,
        on_progress: OnBatchProgress | None,
    ) -> None:
        self.lines, self.out_dir, self.ledger = lines, out_dir, ledger
        self.overwrite, self.on_progress = overwrite, on_progress
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.results: dict[str, LineResult] = {}
        self.actions: dict[str, str] = {}
        self.claims: dict[str, Claim] = {}
        self.formats: dict[str, str | None] = {}
        self._sent: dict[str, float] = {}  # when each line was first sent in this run (time.monotonic())
        self.bad = list(bad)
        self.order = order
        recorded = ledger.lines()
        for item in bad:
            self.results[item.name] = LineResult(item.name, INVALID, message=item.problem)
        for line in lines:
            record = recorded.get(line.name)
            action, result = self._decide(line, record, servers, retry_failed, resubmit_uncertain, regenerate_changed)
            if action == SUBMIT:  # what will be paid for is checked against the spec first
                problem = values_problem(line, generating[line.operation])
                if problem is not None:
                    self.bad.append(Bad(line.name, problem))
                    action, result = NOTHING, LineResult(line.name, INVALID, message=problem)
            self.actions[line.name] = action
            self.results[line.name] = result
            planned = record.entry if record is not None else None
            reuse = action in (WAIT, DOWNLOAD) or (action == SUBMIT and record is not None and record.state == REFUSED)
            self.claims[line.name] = Claim(
                line.name,
                line_arguments(line.arguments),
                expected=planned,
                entry=planned if reuse else None,
                track_id=record.track_id if reuse and record is not None else None,
            )
            self.formats[line.name] = _format_of(line, generating[line.operation])
        for line in lines:  # before anything is paid for; a line sent before may have left its folder's files
            if self.actions[line.name] in (SUBMIT, DOWNLOAD):
                check_folder(self.folder(line), overwrite or line.name in recorded)

    def _decide(
        self,
        line: Line,
        record: LineRecord | None,
        servers: frozenset[str],
        retry_failed: bool,
        resubmit_uncertain: bool,
        regenerate_changed: bool,
    ) -> tuple[str, LineResult]:
        """(what to do with a line, its result as it stands)."""
        if record is None:
            return SUBMIT, LineResult(line.name, WAITING)
        shown = LineResult(
            line.name,
            record.shown_state,
            record.job_id,
            [Path(path) for path in record.file_paths()],
            record.message,
            record.entry,
            record.server,
        )
        if record.digest != line.identity:  # (else the very request; a digest is cheap to compare, a dict is not)
            entry = self.ledger.get(record.entry)
            same, differ = same_request(line, entry) if entry is not None else (False, [])
            if not same:
                if regenerate_changed:
                    return SUBMIT, LineResult(line.name, WAITING, entry=record.entry)
                shown.state = CHANGED
                shown.message = (
                    f"changed since it was sent as job {record.job_id or '?'} ({', '.join(differ)}); generating it "
                    "again costs credits"
                )
                return NOTHING, shown
        if record.state == REFUSED:
            return SUBMIT, shown
        if record.state == SAVED:
            return NOTHING, shown
        if record.state == QUEUED and record.server is not None and record.server not in servers:
            shown.message = f"sent to {record.server}: resume it with a client of that server (and its key)"
            return NOTHING, shown
        if record.state == DONE:
            return DOWNLOAD, shown
        if record.state == QUEUED:
            return WAIT, shown
        if record.state == FAILED:
            return (SUBMIT, LineResult(line.name, WAITING, entry=record.entry)) if retry_failed else (NOTHING, shown)
        if record.state in UNKNOWN:
            if resubmit_uncertain:
                return SUBMIT, LineResult(line.name, WAITING, entry=record.entry)
            return NOTHING, shown
        return NOTHING, shown

    def folder(self, line: Line) -> Path:
        return self.out_dir / line.name

    def mark_sent(self, line: Line) -> None:
        """The line's request is sent now: its timeout starts (once, whatever refusals follow)."""
        self._sent.setdefault(line.name, time.monotonic())

    def sent_at(self, line: Line) -> float:
        return self._sent.get(line.name, time.monotonic())

    def todo(self) -> list[Line]:
        return [line for line in self.lines if self.actions[line.name] != NOTHING]

    def ordered(self) -> list[LineResult]:
        return [self.results[name] for name in self.order]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results.values():
            counts[result.state] = counts.get(result.state, 0) + 1
        return counts

    def per_server(self) -> dict[str, dict[str, int]]:
        """Each server's counts of lines by state (the lines it took or holds)."""
        counts: dict[str, dict[str, int]] = {}
        for result in self.results.values():
            if result.server is not None:
                states = counts.setdefault(result.server, {})
                states[result.state] = states.get(result.state, 0) + 1
        return counts

    def server_url(self, line: Line) -> str | None:
        """The base URL of the server the line's job was recorded at (None: not recorded, or before servers were)."""
        return self.results[line.name].server

    def update(
        self, line: Line, state: str, job_id: str | None = None, message: str | None = None, server: str | None = None
    ) -> None:
        with self._lock:
            result = self.results[line.name]
            result.state = state
            result.job_id = job_id or result.job_id
            result.message = message
            result.entry = self.claims[line.name].entry or result.entry
            result.server = server or result.server
            progress = BatchProgress(
                line.name, state, result.job_id, self.counts(), len(self.results), result.server, self.per_server()
            )
        if self.on_progress is not None:
            self.on_progress(progress)

    def check_stop(self, *_: object) -> None:
        if self.stop.is_set():
            raise BatchInterrupted("the batch was interrupted")

    def recorded(self, line: Line) -> Entry | None:
        """The line's ledger entry as recorded now (None: nothing recorded, or the ledger cannot be read)."""
        number = self.claims[line.name].entry
        if number is None:
            return None
        try:
            return self.ledger.get(number)
        except Exception:  # (a ledger that cannot be read: the label falls back to what the run knows)
            return None

    def ended(self, line: Line, error: BaseException) -> None:
        """A line that stopped short of saved: its label is its ledger entry's state (never sent: waiting), its
        message what stopped it."""
        if self.results[line.name].state == SAVED:  # (stopped after its last step: nothing to say)
            return
        entry = self.recorded(line)
        if isinstance(error, errors.LedgerWriteError):
            state = QUEUED if error.job_id else UNCERTAIN
            self.update(line, state, error.job_id, str(error))
            return
        if entry is None:
            self.update(line, WAITING, message=f"not sent: {error or type(error).__name__}")
            return
        message = str(error) or type(error).__name__
        if entry.uncertain and isinstance(error, errors.InternalServerError):
            message += "; the job may have been queued (and billed)"
        elif entry.uncertain:
            message += "; it may have been queued (and billed)"
        elif entry.state == REFUSED:
            message += "; nothing was queued"
        elif entry.state in (QUEUED, DONE) and isinstance(error, (BatchInterrupted, KeyboardInterrupt)):
            message = "interrupted; the job goes on on the server and running the batch again resumes it"
        self.update(line, entry.shown_state, entry.job_id, message)

    def taken(self, line: Line, taken: LineTaken) -> None:
        entry = taken.entry
        self.update(line, entry.shown_state, entry.job_id, str(taken))


def _format_of(line: Line, op: Any) -> str | None:
    """The file format a line asks for: its output_format, else the spec's default (None: not said)."""
    given = line.arguments.get(FORMAT_FIELD)
    if given is not None:
        return str(getattr(given, "value", given))
    default = ((schema_of(op.body_schema).get("properties") or {}).get(FORMAT_FIELD) or {}).get("default")
    return None if default is None else str(default)


def batch_for(
    servers: Sequence[Server],
    requests: Iterable[Mapping[str, Any]],
    out_dir: str | os.PathLike[str],
    *,
    ledger: Ledger | str | os.PathLike[str] | None,
    timeout: float,
    slot_timeout: float | None,
    retry_failed: bool,
    resubmit_uncertain: bool,
    regenerate_changed: bool,
    skip_invalid: bool,
    overwrite: bool,
    on_progress: OnBatchProgress | None,
) -> tuple[Batch, Ledger | None, FolderLock]:
    """The batch's plan, checked (ValueError naming every bad line, OSError, LedgerError: before anything is
    sent), the ledger opened here (closed by the runner) and the folder's lock (held: released by the runner)."""
    client = servers[0].client  # (every server's client is of one class: the same operations)
    if any(type(server.client) is not type(client) for server in servers):
        raise ValueError("a batch's servers are clients of one class (all sync, or all async)")
    check_wait_timeout(timeout)
    if slot_timeout is not None:
        check_wait_timeout(slot_timeout)
    generating = {op.name: op for op in client._OPERATIONS if op.generates}
    lines, bad, order = plan(requests, generating, method_parameters(client, generating))
    if bad and not skip_invalid:
        raise invalid_lines(bad, len(lines) + len(bad))
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FolderLock(folder)
    lock.acquire()
    opened: Ledger | None = None
    try:
        if not isinstance(ledger, Ledger):
            opened = Ledger(ledger if ledger is not None else folder / LEDGER_NAME)
        batch = Batch(
            lines,
            bad,
            order,
            generating,
            folder,
            ledger if isinstance(ledger, Ledger) else opened,  # type: ignore[arg-type]
            servers=frozenset(server.base_url for server in servers),
            retry_failed=retry_failed,
            resubmit_uncertain=resubmit_uncertain,
            regenerate_changed=regenerate_changed,
            overwrite=overwrite,
            on_progress=on_progress,
        )
        if batch.bad and not skip_invalid:
            raise invalid_lines(batch.bad, len(batch.results))
    except BaseException:
        if opened is not None:
            opened.close()
        lock.release()
        raise
    return batch, opened, lock


def invalid_lines(bad: list[Bad], total: int) -> ValueError:
    shown = "; ".join(f"line {item.name!r}: {item.problem}" for item in bad[:5])
    more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
    return ValueError(f"{len(bad)} of {total} lines cannot be sent: {shown}{more}; nothing was sent")


def line_steps(
    batch: Batch,
    line: Line,
    timeout: float,
    pool: Any,
    slot_timeout: float | None,
    download: Callable[..., Any],
    sleep: Callable[[float], Any],
    on_update: Callable[[object], object] | None,
) -> Steps[None]:
    """One line, start to finish, as steps (the sync and async runners perform the I/O): take a slot at a server,
    send (again after a refusal, on the same entry), wait, free the slot, download, record. `pool`: the servers'
    slots (servers.SyncServerPool or AsyncServerPool)."""
    claim = batch.claims[line.name]
    try:
        answer: Any = None
        if batch.actions[line.name] in (SUBMIT, WAIT):
            answer, done = yield from _queued_and_done(batch, line, timeout, pool, slot_timeout, sleep, on_update)
            if not done:
                return
        entry = batch.recorded(line)
        urls = outputs_of(answer) if answer is not None else (entry.outputs if entry is not None else [])
        job_id = entry.job_id if entry is not None else job_id_of(answer)
        files: list[SavedFile] = yield Call(download, (urls, batch.folder(line), batch.formats[line.name]))
        if claim.entry is not None:
            batch.ledger.record_files(claim.entry, files)
        batch.results[line.name].files = [Path(saved.path) for saved in files]
        batch.update(line, SAVED, job_id)
    except LineTaken as taken:
        batch.taken(line, taken)
    except errors.GenerationTimeoutError as error:
        batch.update(
            line,
            QUEUED,
            error.id,
            f"not done within {timeout:g} s of being sent; it goes on on the server, and running the batch again "
            "waits for it",
        )
    except Exception as error:  # whatever stopped it, the line says so; the other lines go on
        batch.ended(line, error)
    except BaseException as error:  # interrupted: what is recorded stays; running the batch again resumes
        batch.ended(line, error)
        raise


def _queued_and_done(
    batch: Batch,
    line: Line,
    timeout: float,
    pool: Any,
    slot_timeout: float | None,
    sleep: Callable[[float], Any],
    on_update: Callable[[object], object] | None,
) -> Steps[tuple[Any, bool]]:
    """Take a slot (at the server that holds the line's job, for a queued one), send the line's request (to another
    server when one refuses the connection: nothing was sent there), wait for its job, free the slot: (the last
    answer, whether the job is done)."""
    action = batch.actions[line.name]
    wanted = pool.by_url(batch.server_url(line)) if action == WAIT else None
    while True:
        server = yield Call(pool.acquire, (slot_timeout, wanted))
        if server is None:
            batch.update(line, batch.results[line.name].state, message=f"no slot within {slot_timeout:g} s")
            return None, False
        named = server.client._claiming(batch.claims[line.name], batch.ledger)
        try:
            batch.check_stop()
            if action == SUBMIT:
                try:
                    answer = yield from _submit(named, batch, line, timeout, sleep, refusal_delay, server.base_url)
                except errors.APIConnectionError as error:
                    if error.sent or not pool.set_aside(server):
                        raise
                    message = f"no connection to {server.base_url} (nothing was sent): sent to another server"
                    batch.update(line, REFUSED, message=message)
                    continue
                if answer is None:
                    return None, False
                job_id = job_id_of(answer)
                left = timeout - (time.monotonic() - batch.sent_at(line))
            else:
                entry = batch.recorded(line)
                job_id = entry.job_id if entry is not None else batch.results[line.name].job_id
                answer, left = None, timeout
            if status_of(answer) != SUCCESS_STATUS:
                batch.update(line, QUEUED, job_id, server=server.base_url)
                if left <= 0:
                    raise errors.GenerationTimeoutError(line.operation, job_id, answer, timeout, 0)
                fetch = named._GENERATION_WAITS[line.operation][1]
                answer = yield Call(getattr(named, fetch), (job_id,), {"timeout": left, "on_update": on_update})
            batch.update(
                line, DONE, job_id, server=server.base_url
            )  # (before the slot is free: the job left the queue)
            return answer, True
        finally:
            pool.release(server)


def _submit(
    named: Any, batch: Batch, line: Line, timeout: float, sleep: Callable[[float], Any], delay_of: Any, server: str
) -> Steps[Any]:
    """Send a line's request until the server takes it; its answer, or None when it was refused until its
    deadline (`timeout` from its first sending)."""
    refusals = 0
    batch.mark_sent(line)
    while True:
        batch.update(line, SENDING, server=server)
        try:
            return (yield Call(getattr(named, line.operation), kwargs=line.arguments))
        except errors.RateLimitError as error:
            refusals += 1
            delay = delay_of(refusals, error.retry_after)
            if time.monotonic() + delay >= batch.sent_at(line) + timeout:
                batch.update(
                    line, REFUSED, message=f"refused until its deadline ({timeout:g} s): nothing was queued ({error})"
                )
                return None
            batch.update(line, REFUSED, message=f"refused (queue limit); sent again in {delay:.1f} s")
            yield Call(sleep, (delay,))
            batch.check_stop()


__all__ = [
    "CHANGED",
    "INVALID",
    "WAITING",
    "Batch",
    "BatchInterrupted",
    "BatchProgress",
    "Line",
    "LineResult",
    "batch_for",
    "line_steps",
    "plan",
    "read_jobs",
]
