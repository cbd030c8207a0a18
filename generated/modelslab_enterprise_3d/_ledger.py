"""The job ledger: a durable record of every paid generation, in one SQLite file.

A generating request is written down before it is sent (its inputs without the key, their digest, its track_id),
its answer (the job's id, status and eta) the moment it arrives, then the result (the output URLs) and the files
saved from it (path, size, sha256). Each step is its own committed transaction, so a crash at any instant loses no
job id the server returned: what was sent and never answered stays on record as *uncertain* -- it may have been
queued and billed -- and is never sent again unless asked.

States of an entry:

    sending    recorded, being sent (a crash here leaves it so: read back, it is uncertain)
    uncertain  sent, but no answer was recorded (connection lost, a timeout, an answer that could not be read)
    refused    the server refused it (a 4xx such as 429, or no connection could be made): safe to send again
    queued     the server answered with a job id; the job is waited for
    done       the job finished: its output URLs are recorded
    saved      its files are saved (path, size, sha256)
    failed     the job (or the request) failed: `message` says why

The file is safe for several processes and threads at once (SQLite's write-ahead log; writers wait for each other).
Nothing in it is a credential: the key (and any field named like a credential) is left out of the inputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._vendor_facts import CREDENTIAL_FIELDS

SENDING = "sending"
UNCERTAIN = "uncertain"
REFUSED = "refused"
QUEUED = "queued"
DONE = "done"
SAVED = "saved"
FAILED = "failed"
STATES = (SENDING, UNCERTAIN, REFUSED, QUEUED, DONE, SAVED, FAILED)

# How long a writer waits for another process's transaction to end before giving up (seconds).
BUSY_TIMEOUT = 30.0

_SCHEMA = """
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
_COLUMNS = (
    "entry, name, operation, inputs, digest, track_id, state, job_id, status, eta, message, outputs, files, hint, "
    "attempts, created, updated"
)


def public_inputs(body: Mapping[str, Any]) -> dict[str, Any]:
    """A request body without its credentials: what the ledger keeps of a request."""
    return {name: value for name, value in body.items() if name.lower() not in CREDENTIAL_FIELDS}


def digest_of(operation: str, inputs: Mapping[str, Any]) -> str:
    """The sha256 of an operation and its inputs, in a canonical JSON form (sorted keys)."""
    text = json.dumps([operation, inputs], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class SavedFile:
    path: str
    size: int
    sha256: str


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

    @property
    def uncertain(self) -> bool:
        """Sent with no answer recorded: it may have been queued and billed."""
        return self.state in (SENDING, UNCERTAIN)

    def as_dict(self) -> dict[str, Any]:
        """The entry as JSON data."""
        return {
            "entry": self.entry,
            "name": self.name,
            "operation": self.operation,
            "state": UNCERTAIN if self.state == SENDING else self.state,
            "job_id": self.job_id,
            "status": self.status,
            "eta": self.eta,
            "message": self.message,
            "track_id": self.track_id,
            "inputs": self.inputs,
            "digest": self.digest,
            "outputs": self.outputs,
            "files": [vars(saved) for saved in self.files],
            "attempts": self.attempts,
            "created": round(self.created, 3),  # (seconds since the epoch, to the millisecond)
            "updated": round(self.updated, 3),
        }


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
    )


class Ledger:
    """A job ledger in the SQLite file at `path` (created, with its folder, when missing).

    Pass it, or its path, to Enterprise3D / AsyncEnterprise3D as `ledger=`: every generating request the client
    sends is then recorded. Close it when done (or use it as a context manager); a ledger the client opened from a
    path is closed with the client.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one connection, shared by the threads of a process
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        # The write-ahead log lets readers and a writer of several processes work at once; NORMAL syncs at each
        # checkpoint: a committed entry survives the process being killed at any instant.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)  # (IF NOT EXISTS: a ledger opened again is left as it is)

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

    def _update(self, entry: int, **values: Any) -> None:
        values["updated"] = time.time()
        assignments = ", ".join(f"{column} = ?" for column in values)
        with self._write() as db:
            db.execute(f"UPDATE jobs SET {assignments} WHERE entry = ?", (*values.values(), entry))

    # -- what the clients record -------------------------------------------------------------------------------

    def record_request(
        self, operation: str, body: Mapping[str, Any], *, name: str | None = None, track_id: str | None = None
    ) -> int:
        """Write down a generating request about to be sent (state `sending`); its entry number."""
        inputs = public_inputs(body)
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO jobs (name, operation, inputs, digest, track_id, state, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    operation,
                    json.dumps(inputs, default=str),
                    digest_of(operation, inputs),
                    track_id,
                    SENDING,
                    now,
                    now,
                ),
            )
            return int(cursor.lastrowid or 0)

    def record_resend(self, entry: int) -> None:
        """The entry is sent again (after the server refused it): `sending` once more."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = ?, attempts = attempts + 1, updated = ? WHERE entry = ?",
                (SENDING, time.time(), entry),
            )

    def record_answer(self, entry: int, job_id: str | None, status: str | None, eta: float | None) -> None:
        """The server's answer to the request: the job's id, status and eta (state `queued`)."""
        self._update(entry, state=QUEUED, job_id=job_id, status=status, eta=eta, message=None)

    def record_refused(self, entry: int, message: str) -> None:
        """The server refused the request (it was not queued): safe to send again."""
        self._update(entry, state=REFUSED, message=message)

    def record_uncertain(self, entry: int, message: str) -> None:
        """The request may have reached the server, but no answer was recorded."""
        self._update(entry, state=UNCERTAIN, message=message)

    def record_status(self, job_id: str, status: str | None, eta: float | None) -> None:
        """A poll's answer: the job's status and eta."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status = ?, eta = ?, updated = ? WHERE job_id = ? AND state = ?",
                (status, eta, time.time(), job_id, QUEUED),
            )

    def record_result(self, job_id: str, status: str | None, outputs: Sequence[str]) -> None:
        """The job is done: its output URLs (state `done`; an entry already `saved` stays so)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = CASE WHEN state = ? THEN state ELSE ? END, status = ?, eta = NULL, "
                "outputs = ?, message = NULL, updated = ? WHERE job_id = ?",
                (SAVED, DONE, status, json.dumps(list(outputs)), time.time(), job_id),
            )

    def record_failure(self, job_id: str, status: str | None, message: str | None) -> None:
        """The job failed (state `failed`)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = ?, status = ?, eta = NULL, message = ?, updated = ? WHERE job_id = ?",
                (FAILED, status, message, time.time(), job_id),
            )

    def record_request_failure(self, entry: int, message: str) -> None:
        """The request itself failed in a way that queued nothing (e.g. the API said "error" at once)."""
        self._update(entry, state=FAILED, message=message)

    def record_files(self, job_id: str, files: Sequence[SavedFile]) -> None:
        """The job's files are saved (state `saved`)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = ?, files = ?, updated = ? WHERE job_id = ?",
                (SAVED, json.dumps([vars(saved) for saved in files]), time.time(), job_id),
            )

    def record_hint(self, payload: Mapping[str, Any], id_field: str, track_field: str) -> Entry | None:
        """Keep a webhook payload on the entry it names (by job id, else track_id); the entry, or None. The payload
        is not signed: it changes no state until a fetch confirms it."""
        job_id, track_id = payload.get(id_field), payload.get(track_field)
        found = self.find(str(job_id)) if job_id is not None else None
        if found is None and track_id is not None:
            found = self.find_by_track_id(str(track_id))
        if found is not None:
            self._update(found.entry, hint=json.dumps(dict(payload), default=str))
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
                ("inputs", "json(inputs)"),
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

    def latest_by_name(self) -> dict[str, Entry]:
        """The latest entry of each named line (a batch's lines), by name."""
        return {entry.name: entry for entry in self.entries() if entry.name is not None}

    def uncertain(self) -> list[Entry]:
        """The entries sent with no answer recorded: they may have been queued and billed."""
        return self.entries(states=(SENDING, UNCERTAIN))
