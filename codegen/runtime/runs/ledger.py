"""The job ledger: a durable record of every paid generation, in one SQLite file.

A generating request is written down before it is sent (the arguments it was given, without the key; the request
as sent; the server it goes to), its answer (the job's id, status and eta) the moment it arrives, then the result
(the output URLs) and the files saved from it (path, size, sha256, whether their format was verified). Each step is
its own committed transaction, synced to disk (`synchronous=FULL`), so a crash or a power loss at any instant loses
no job id the server returned: what was sent and never answered stays on record as *uncertain* -- it may have been
queued and billed -- and is never sent again unless asked.

An entry changes state only as the rules of a paid job allow (the transition table of the job states): a saved
job stays saved, a failure applies only to an unfinished job, a retry of one request reuses its entry.

When the ledger cannot be written after the server answered (locked by another process past the busy timeout, a
full or read-only disk), the answer is not lost: it goes at once to stderr and to an append-only journal beside the
ledger (`<ledger>.journal`, synced), which the next open folds in, and the exception raised (LedgerWriteError)
carries the job's id.

The file is safe for several processes and threads at once (SQLite's write-ahead log; writers wait for each
other). A line of a batch is *claimed* in the transaction that records it: two processes sharing a ledger never
both send it. Nothing in the file is a credential: the key (and any field named like a credential) is left out.
The file's layout has a version (`PRAGMA user_version`): an older ledger is brought up to date when opened, and a
ledger written by a newer version of this package is refused, untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

from ..core import errors
from ..core.vendor_facts import CREDENTIAL_FIELDS, TRACK_ID_FIELD
from .job_states import (
    ANSWERED,
    DONE,
    FAILED,
    FILES_SAVED,
    FINISHED,
    JOB_FAILED,
    LIVE,
    LOST,
    POLLED,
    QUEUED,
    REFUSAL,
    REFUSED,
    REQUEST_FAILED,
    RESEND,
    SAVED,
    SENDING,
    STATES,
    UNCERTAIN,
    UNKNOWN,
    allowed,
    next_state,
    shown,
)

__all__ = [
    "DONE",
    "FAILED",
    "LIVE",
    "QUEUED",
    "REFUSED",
    "SAVED",
    "SCHEMA_VERSION",
    "SENDING",
    "STATES",
    "UNCERTAIN",
    "Claim",
    "Entry",
    "InvalidTransition",
    "Ledger",
    "LineRecord",
    "LineTaken",
    "SavedFile",
    "identity_of",
    "line_arguments",
    "public_inputs",
]

# How long a writer waits for another process's transaction to end before giving up (seconds).
BUSY_TIMEOUT = 30.0
# How long a ledger being opened waits before it asks again for the write-ahead log (see Ledger._enter_wal).
WAL_SWITCH_PAUSE = 0.02
# The version of the file's layout this package writes (PRAGMA user_version; 0: the first, unversioned layout).
SCHEMA_VERSION = 2
JOURNAL_SUFFIX = ".journal"

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS jobs (
    entry INTEGER PRIMARY KEY,
    name TEXT,
    operation TEXT NOT NULL,
    inputs TEXT NOT NULL,
    digest TEXT NOT NULL,
    track_id TEXT,
    state TEXT NOT NULL,
    job_id TEXT,
    status TEXT,
    eta REAL,
    message TEXT,
    outputs TEXT,
    files TEXT,
    hint TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_job_id ON jobs (job_id);
CREATE INDEX IF NOT EXISTS jobs_name ON jobs (name);
CREATE INDEX IF NOT EXISTS jobs_track_id ON jobs (track_id);
"""
# Each step from one version of the layout to the next (index 0: from 0 to 1 ...).
_MIGRATIONS = (
    _SCHEMA_V1,
    # 2: the server (base URL) and profile each job was sent to; the arguments a line was written with (its
    # identity is `digest`, from now on their digest); no digest of a random track_id any more.
    """
    ALTER TABLE jobs ADD COLUMN server TEXT;
    ALTER TABLE jobs ADD COLUMN profile TEXT;
    ALTER TABLE jobs ADD COLUMN arguments TEXT;
    """,
)
_COLUMNS = (
    "entry, name, operation, inputs, digest, track_id, state, job_id, status, eta, message, outputs, files, hint, "
    "attempts, created, updated, server, profile, arguments"
)
# The columns a transition may set besides the state.
_VALUES = frozenset({"job_id", "status", "eta", "message", "outputs", "files", "hint", "server", "profile"})


def public_inputs(body: Mapping[str, Any]) -> dict[str, Any]:
    """A request body without its credentials: what the ledger keeps of a request."""
    return {name: value for name, value in body.items() if name.lower() not in CREDENTIAL_FIELDS}


def _identifying(arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: value
        for name, value in arguments.items()
        if name != TRACK_ID_FIELD and name.lower() not in CREDENTIAL_FIELDS
    }


def line_arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """What identifies a request as its user wrote it: its arguments (extra_body included) without the track_id
    (the client's own name for a request) and without credentials, in JSON form."""
    loaded: dict[str, Any] = json.loads(json.dumps(_identifying(arguments), default=_plain))
    return loaded


def identity_of(operation: str, arguments: Mapping[str, Any]) -> str:
    """The sha256 of an operation and a request's arguments as written (line_arguments), canonical JSON (sorted
    keys): two lines are the same request exactly when their identities are equal."""
    text = json.dumps([operation, _identifying(arguments)], sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    """An argument's JSON form: an enum member's value, a model's dict, else its text."""
    inner = getattr(value, "value", None)
    if isinstance(inner, (str, int, float, bool)):
        return inner
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else str(value)


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The fields added, removed or changed between two requests' arguments, sorted."""
    names = set(before) | set(after)
    return sorted(
        name
        for name in names
        if name not in before
        or name not in after
        or json.dumps(before[name], sort_keys=True) != json.dumps(after[name], sort_keys=True)
    )


class InvalidTransition(RuntimeError):
    """A ledger entry was asked to change in a way the rules of a paid job do not allow."""

    def __init__(self, entry: int, state: str, cause: str) -> None:
        self.entry, self.state, self.cause = entry, state, cause
        super().__init__(f"ledger entry {entry}: {cause!r} is not allowed in state {state!r}")


@dataclass(frozen=True)
class SavedFile:
    path: str
    size: int
    sha256: str
    # Whether the file's bytes were checked to be a model of its format (False: a format the client cannot check)
    verified: bool = True
    format: str | None = None


@dataclass(frozen=True)
class Entry:
    """One generating request and what became of it."""

    entry: int
    name: str | None
    operation: str
    inputs: dict[str, Any]
    digest: str
    track_id: str | None
    state: str
    job_id: str | None
    status: str | None
    eta: float | None
    message: str | None
    outputs: list[str] = field(default_factory=list)
    files: list[SavedFile] = field(default_factory=list)
    hint: dict[str, Any] | None = None  # the last webhook payload that named this job (not trusted until fetched)
    attempts: int = 1
    created: float = 0.0
    updated: float = 0.0
    server: str | None = None  # the base URL it was sent to
    profile: str | None = None  # the command line's profile it was sent with, if one
    arguments: dict[str, Any] | None = None  # the request as its user wrote it (None: recorded by an older version)

    @property
    def uncertain(self) -> bool:
        """Sent with no answer recorded: it may have been queued and billed."""
        return self.state in UNKNOWN

    @property
    def shown_state(self) -> str:
        """The state as a listing shows it: `sending` read back is uncertain (its sender is gone or still at it)."""
        return shown(self.state)

    def as_dict(self) -> dict[str, Any]:
        """The entry as JSON data."""
        return {
            "entry": self.entry,
            "name": self.name,
            "operation": self.operation,
            "state": self.shown_state,
            "job_id": self.job_id,
            "status": self.status,
            "eta": self.eta,
            "message": self.message,
            "track_id": self.track_id,
            "server": self.server,
            "profile": self.profile,
            "inputs": self.inputs,
            "arguments": self.arguments,
            "digest": self.digest,
            "outputs": self.outputs,
            "files": [vars(saved) for saved in self.files],
            "attempts": self.attempts,
            "created": round(self.created, 3),  # (seconds since the epoch, to the millisecond)
            "updated": round(self.updated, 3),
        }


def _stored(column: str, value: Any) -> Any:
    """A transition's value as its column holds it (lists as JSON)."""
    return json.dumps(value, default=_plain) if column in ("outputs", "files", "hint") and value is not None else value


def _entry(row: Sequence[Any]) -> Entry:
    return Entry(
        entry=row[0],
        name=row[1],
        operation=row[2],
        inputs=json.loads(row[3]),
        digest=row[4],
        track_id=row[5],
        state=row[6],
        job_id=row[7],
        status=row[8],
        eta=row[9],
        message=row[10],
        outputs=json.loads(row[11]) if row[11] else [],
        files=[SavedFile(**saved) for saved in json.loads(row[12])] if row[12] else [],
        hint=json.loads(row[13]) if row[13] else None,
        attempts=row[14],
        created=row[15],
        updated=row[16],
        server=row[17],
        profile=row[18],
        arguments=json.loads(row[19]) if row[19] else None,
    )


class LineRecord(NamedTuple):
    """A batch line's latest entry, as a run plans from it (Ledger.lines)."""

    entry: int
    state: str
    job_id: str | None
    digest: str
    server: str | None
    track_id: str | None
    message: str | None
    files: str | None  # JSON, as stored

    operation: str

    @property
    def shown_state(self) -> str:
        return shown(self.state)

    def file_paths(self) -> list[str]:
        return [saved["path"] for saved in json.loads(self.files)] if self.files else []


@dataclass
class Claim:
    """How a request is recorded: for a batch line, its name, its arguments as written and the entry its run
    planned from (`expected`); once recorded, its entry and track_id (a request refused and sent again reuses
    them)."""

    name: str | None = None
    arguments: dict[str, Any] | None = None
    expected: int | None = None
    entry: int | None = None
    track_id: str | None = None


class LineTaken(Exception):
    """A batch line another run has sent (or is sending) since this run planned it: this run leaves it alone."""

    def __init__(self, name: str, entry: Entry) -> None:
        self.name, self.entry = name, entry
        super().__init__(f"line {name!r} was taken by another run (ledger entry {entry.entry}, {entry.shown_state})")


_UNSET: Any = object()


class Ledger:
    """A job ledger in the SQLite file at `path` (created, with its folder, when missing).

    Pass it, or its path, to Enterprise3D / AsyncEnterprise3D as `ledger=`: every generating request the client
    sends is then recorded. Close it when done (or use it as a context manager); a ledger the client opened from a
    path is closed with the client. LedgerError when the file is not a ledger, or one written by a newer version.
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.journal = self.path.with_name(self.path.name + JOURNAL_SUFFIX)
        self._lock = threading.Lock()  # one connection, shared by the threads of a process
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise errors.LedgerError(f"the job ledger {self.path} cannot be opened: {error}") from None
        try:
            self._check_version(int(self._db.execute("PRAGMA user_version").fetchone()[0]))  # (before any write)
            # The write-ahead log lets readers and a writer of several processes work at once; FULL syncs each
            # commit to disk, so that a record made before a request is sent survives a power loss too.
            self._enter_wal(time.monotonic() + busy_timeout)
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
            self._fold_journal()
        except errors.LedgerError:
            self._db.close()
            raise
        except sqlite3.Error as error:
            self._db.close()
            raise errors.LedgerError(f"{self.path} is not a job ledger this package can use: {error}") from None

    def _enter_wal(self, deadline: float) -> None:
        """Switch the file to the write-ahead log. SQLite answers this switch "busy" at once, without waiting,
        while another process holds the file (two runs opening a new ledger together), so it is tried again
        until the busy timeout's deadline."""
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
            time.sleep(WAL_SWITCH_PAUSE)

    def _migrate(self) -> None:
        """Bring the file's layout up to SCHEMA_VERSION (in one transaction); refuse a newer one untouched."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            self._check_version(version)
            for step in _MIGRATIONS[version:]:
                for statement in filter(str.strip, step.split(";")):
                    self._db.execute(statement)
            if version != SCHEMA_VERSION:
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise errors.LedgerError(
                f"the job ledger {self.path} was written by a newer version of this package (layout {version}; "
                f"this one knows up to {SCHEMA_VERSION}): upgrade the package to use it"
            )

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- transitions -----------------------------------------------------------------------------------------

    def transition(self, entry: int, cause: str, **values: Any) -> str | None:
        """Apply `cause` to an entry as the job states allow (InvalidTransition otherwise), setting `values`
        (job_id, status, eta, message, outputs, files, hint); the new state, or None when nothing changed.

        When the file cannot be written, the transition goes to the journal (and the job id, if it has one, to
        stderr) and LedgerWriteError is raised: the answer is never lost."""
        try:
            return self._apply(entry, cause, values)
        except InvalidTransition:
            raise
        except sqlite3.Error as error:
            self._keep_in_journal(entry, cause, values, error)

    def _apply(self, entry: int, cause: str, values: Mapping[str, Any]) -> str | None:
        unknown = set(values) - _VALUES
        if unknown:
            raise ValueError(f"not a ledger value: {', '.join(sorted(unknown))}")
        with self._write() as db:
            row = db.execute("SELECT state FROM jobs WHERE entry = ?", (entry,)).fetchone()
            if row is None or not allowed(row[0], cause):
                raise InvalidTransition(entry, "missing" if row is None else row[0], cause)
            state = next_state(row[0], cause)
            if state is None:
                return None
            columns = {name: _stored(name, value) for name, value in values.items()}
            columns |= {"state": state, "updated": time.time()}
            attempts = ", attempts = attempts + 1" if cause == RESEND else ""
            assignments = ", ".join(f"{column} = ?" for column in columns) + attempts
            db.execute(f"UPDATE jobs SET {assignments} WHERE entry = ?", (*columns.values(), entry))
            return state

    def _keep_in_journal(self, entry: int, cause: str, values: Mapping[str, Any], error: BaseException) -> NoReturn:
        """The transition that could not be written, appended to the journal (synced) and its job id to stderr;
        then LedgerWriteError."""
        job_id = values.get("job_id") or self._job_id(entry)
        record = {"entry": entry, "cause": cause, "values": dict(values), "time": time.time()}
        kept = False
        try:
            with open(self.journal, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, default=_plain) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            kept = True
        except OSError:
            pass
        where = f"kept in {self.journal}" if kept else "NOT kept anywhere else: note it"
        job = f"job {job_id}" if job_id else f"entry {entry}"
        print(
            f"modelslab: the job ledger {self.path} could not be written ({error}); {job} ({cause}) is {where}",
            file=sys.stderr,
            flush=True,
        )
        raise errors.LedgerWriteError(
            f"the job ledger {self.path} could not be written ({error}); {job} is {where}",
            job_id=None if job_id is None else str(job_id),
            journal=str(self.journal) if kept else None,
        ) from None

    def _job_id(self, entry: int) -> str | None:
        try:
            with self._lock:
                row = self._db.execute("SELECT job_id FROM jobs WHERE entry = ?", (entry,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else row[0]

    def _fold_journal(self) -> None:
        """Apply the transitions a journal kept (in order; those no longer allowed are dropped), then empty it."""
        try:
            text = self.journal.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as error:
            raise errors.LedgerError(f"the journal {self.journal} cannot be read: {error}") from None
        for line in text.splitlines():
            try:
                record = json.loads(line)
                self._apply(int(record["entry"]), str(record["cause"]), dict(record["values"]))
            except (ValueError, KeyError, TypeError, InvalidTransition):
                continue  # a line cut short by a crash, or a step taken since
        os.unlink(self.journal)

    # -- what the clients record -------------------------------------------------------------------------------

    def record_request(
        self,
        operation: str,
        body: Mapping[str, Any],
        *,
        name: str | None = None,
        track_id: str | None = None,
        arguments: Mapping[str, Any] | None = None,
        server: str | None = None,
        profile: str | None = None,
        expected: int | None = _UNSET,
    ) -> int:
        """Write down a generating request about to be sent (state `sending`); its entry number.

        `arguments`: the request as its user wrote it (default: the body without the track_id); `expected`: for a
        batch line (`name`), the entry its run planned from (None: none); when the line's latest entry is another
        one (a run sharing the ledger took the line meanwhile), LineTaken and nothing is recorded."""
        inputs = public_inputs(body)
        written = line_arguments(arguments if arguments is not None else inputs)
        now = time.time()
        try:
            with self._write() as db:
                if name is not None and expected is not _UNSET:
                    row = db.execute(
                        f"SELECT {_COLUMNS} FROM jobs WHERE name = ? ORDER BY entry DESC LIMIT 1", (name,)
                    ).fetchone()
                    if row is not None and row[0] != expected:
                        raise LineTaken(name, _entry(row))
                cursor = db.execute(
                    "INSERT INTO jobs (name, operation, inputs, digest, track_id, state, created, updated, server, "
                    "profile, arguments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        operation,
                        json.dumps(inputs, default=_plain),
                        identity_of(operation, written),
                        track_id,
                        SENDING,
                        now,
                        now,
                        server,
                        profile,
                        json.dumps(written),
                    ),
                )
                return int(cursor.lastrowid or 0)
        except sqlite3.Error as error:  # nothing was sent: no answer to lose
            raise errors.LedgerError(
                f"the job ledger {self.path} could not be written ({error}): nothing was sent"
            ) from None

    def record_resend(self, entry: int, server: str | None = None, profile: str | None = None) -> None:
        """The entry is sent again (after the server refused it): `sending` once more, the same entry; to `server`
        (with `profile`) when it goes to another server than before."""
        values = {} if server is None else {"server": server, "profile": profile}
        self.transition(entry, RESEND, **values)

    def record_answer(self, entry: int, job_id: str | None, status: str | None, eta: float | None) -> None:
        """The server's answer to the request: the job's id, status and eta (state `queued`)."""
        self.transition(entry, ANSWERED, job_id=job_id, status=status, eta=eta, message=None)

    def record_refused(self, entry: int, message: str) -> None:
        """The server refused the request (it was not queued): safe to send again."""
        self.transition(entry, REFUSAL, message=message)

    def record_uncertain(self, entry: int, message: str) -> None:
        """The request may have reached the server, but no answer was recorded."""
        self.transition(entry, LOST, message=message)

    def record_status(self, entry: int, status: str | None, eta: float | None) -> None:
        """A poll's answer: the job's status and eta."""
        self.transition(entry, POLLED, status=status, eta=eta)

    def record_result(self, entry: int, status: str | None, outputs: Sequence[str], job_id: str | None = None) -> None:
        """The job is done: its output URLs (state `done`; a saved entry stays as it is)."""
        values: dict[str, Any] = {"status": status, "eta": None, "outputs": list(outputs), "message": None}
        if job_id is not None:
            values["job_id"] = job_id
        self.transition(entry, FINISHED, **values)

    def record_failure(self, entry: int, status: str | None, message: str | None) -> None:
        """The job failed (state `failed`; a finished or saved entry stays as it is)."""
        self.transition(entry, JOB_FAILED, status=status, eta=None, message=message)

    def record_request_failure(self, entry: int, message: str) -> None:
        """The request itself failed in a way that queued nothing (e.g. the API said "error" at once)."""
        self.transition(entry, REQUEST_FAILED, message=message)

    def record_files(self, entry: int, files: Sequence[SavedFile]) -> None:
        """The job's files are saved (state `saved`)."""
        self.transition(entry, FILES_SAVED, files=[vars(saved) for saved in files])

    def record_hint(self, payload: Mapping[str, Any], id_field: str, track_field: str) -> Entry | None:
        """Keep a webhook payload on the entry it names (by job id, else track_id); the entry, or None. The payload
        is not signed: it changes no state until a fetch confirms it."""
        job_id, track_id = payload.get(id_field), payload.get(track_field)
        found = self.find(str(job_id)) if job_id is not None else None
        if found is None and track_id is not None:
            found = self.find_by_track_id(str(track_id))
        if found is not None:
            with self._write() as db:
                db.execute(
                    "UPDATE jobs SET hint = ?, updated = ? WHERE entry = ?",
                    (json.dumps(dict(payload), default=str), time.time(), found.entry),
                )
            return self.get(found.entry)
        return None

    # -- reading -----------------------------------------------------------------------------------------------

    def get(self, entry: int) -> Entry | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE entry = ?", (entry,)).fetchone()
        return None if row is None else _entry(row)

    def _latest(self, column: str, value: str) -> Entry | None:
        """The latest entry whose `column` (an indexed one) holds `value`."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE {column} = ? ORDER BY entry DESC LIMIT 1", (value,)
            ).fetchone()
        return None if row is None else _entry(row)

    def find(self, job_id: str) -> Entry | None:
        """The latest entry of this job id."""
        return self._latest("job_id", job_id)

    def find_by_track_id(self, track_id: str) -> Entry | None:
        return self._latest("track_id", track_id)

    def latest(self, name: str) -> Entry | None:
        """The latest entry of a batch's line."""
        return self._latest("name", name)

    def entries(self, *, name: str | None = None, states: Sequence[str] | None = None) -> list[Entry]:
        """Every entry, oldest first (or those of a batch line `name`, or in `states`)."""
        query, arguments = f"SELECT {_COLUMNS} FROM jobs", []
        conditions = []
        if name is not None:
            conditions.append("name = ?")
            arguments.append(name)
        if states is not None:
            conditions.append(f"state IN ({', '.join('?' * len(states))})")
            arguments.extend(states)
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY entry", arguments).fetchall()
        return [_entry(row) for row in rows]

    def entries_json(self) -> str:
        """Every entry as a JSON array of Entry.as_dict()'s objects, oldest first, built by SQLite itself (its JSON
        functions): a ledger of many thousand jobs is listed without a Python object per job."""
        fields = ", ".join(
            f"'{name}', {expression}"
            for name, expression in (
                ("entry", "entry"),
                ("name", "name"),
                ("operation", "operation"),
                ("state", f"CASE state WHEN '{SENDING}' THEN '{UNCERTAIN}' ELSE state END"),
                ("job_id", "job_id"),
                ("status", "status"),
                ("eta", "eta"),
                ("message", "message"),
                ("track_id", "track_id"),
                ("server", "server"),
                ("profile", "profile"),
                ("inputs", "json(inputs)"),
                ("arguments", "json(arguments)"),
                ("digest", "digest"),
                ("outputs", "json(coalesce(outputs, '[]'))"),
                ("files", "json(coalesce(files, '[]'))"),
                ("attempts", "attempts"),
                ("created", "round(created, 3)"),
                ("updated", "round(updated, 3)"),
            )
        )
        query = (
            f"SELECT coalesce(json_group_array(json_object({fields})), '[]') FROM (SELECT * FROM jobs ORDER BY entry)"
        )
        with self._lock:
            text: str = self._db.execute(query).fetchone()[0]
        return text

    def lines(self) -> dict[str, LineRecord]:
        """What a batch needs to plan each named line, from its latest entry: one query, no JSON decoded but the
        saved files' paths."""
        query = (
            "SELECT name, entry, state, job_id, digest, server, track_id, message, files, operation FROM jobs "
            "WHERE entry IN (SELECT max(entry) FROM jobs WHERE name IS NOT NULL GROUP BY name)"
        )
        with self._lock:
            rows = self._db.execute(query).fetchall()
        return {row[0]: LineRecord(*row[1:]) for row in rows}

    def latest_by_name(self) -> dict[str, Entry]:
        """The latest entry of each named line (a batch's lines), by name."""
        query = (
            f"SELECT {_COLUMNS} FROM jobs WHERE entry IN (SELECT max(entry) FROM jobs WHERE name IS NOT NULL "
            "GROUP BY name)"
        )
        with self._lock:
            rows = self._db.execute(query).fetchall()
        return {row[1]: _entry(row) for row in rows}

    def uncertain(self) -> list[Entry]:
        """The entries sent with no answer recorded: they may have been queued and billed."""
        return self.entries(states=(SENDING, UNCERTAIN))
