"""Exactly once, proven by invariants: a batch against the in-process mock is stopped dead at every step boundary in
turn (each ledger write, each request sent, each answer received, each download chunk and rename), then resumed
with a fresh client and ledger connection; and each fault a real network has, one at a time. The lines come from
the spec (its generating operation, its required fields, its output formats)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import modelslab_enterprise_3d.runs.downloads as downloads_module
from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.instances import valid_instance
from enterprise3d_devkit.spec.operations import server_base_path
from modelslab_enterprise_3d import AsyncEnterprise3D, Enterprise3D, Ledger, errors
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_FIELD, CREDENTIAL_FIELDS, FORMAT_FIELD, TRACK_ID_FIELD
from modelslab_enterprise_3d.runs.job_states import UNKNOWN
from modelslab_enterprise_3d.runs.ledger import Ledger as LedgerClass
from modelslab_enterprise_3d.testing import SpecMock
from modelslab_enterprise_3d.testing.mock_jobs import MODEL_FILES
from tests.support.generation import FAST_POLLS, GENERATING
from tests.support.spec_cases import SPEC

KEY = "sk-exactly-once-sentinel-93"
OP = GENERATING[0]
METHOD = method_name(OP)
SCHEMA = OP.request_schema or {}
PROPERTIES: dict[str, Any] = SCHEMA.get("properties") or {}
# The required field each line varies (the first required string field besides the key).
VARIED = next(
    name for name in SCHEMA.get("required") or [] if name != API_KEY_FIELD and PROPERTIES[name].get("type") == "string"
)
FORMATS: list[str] = list((PROPERTIES.get(FORMAT_FIELD) or {}).get("enum") or [])


def line(n: int, **fields: Any) -> dict[str, Any]:
    """A batch line of the spec's generating operation: its required fields (spec instances), the varied one made
    distinct, and `fields`."""
    body = valid_instance(SCHEMA, OP.openapi_version)
    required = {name: body[name] for name in SCHEMA.get("required") or [] if name != API_KEY_FIELD}
    return {"name": f"line-{n}", **required, VARIED: f"{body[VARIED]}#{n}", **fields}


class Served:
    """The in-process mock and what it was asked: each request, and the job ids it issued."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("job_seconds", 0.0)
        self.mock = SpecMock(SPEC, **options)
        self.requests: list[httpx.Request] = []
        self.base_url = "http://mock.test" + server_base_path(SPEC)

    def client(self, transport: httpx.BaseTransport | None = None, **options: Any) -> Enterprise3D:
        client = Enterprise3D(
            api_key=KEY,
            base_url=self.base_url,
            httpx_args={"transport": transport or httpx.MockTransport(self.handle)},
            **options,
        )
        client._poll_interval = FAST_POLLS  # type: ignore[misc]
        return client

    def async_client(self, transport: httpx.AsyncBaseTransport | None = None, **options: Any) -> AsyncEnterprise3D:
        client = AsyncEnterprise3D(
            api_key=KEY,
            base_url=self.base_url,
            httpx_args={"transport": transport or httpx.MockTransport(self.handle)},
            **options,
        )
        client._poll_interval = FAST_POLLS  # type: ignore[misc]
        return client

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.mock.transport().handle_request(request)

    def submissions(self) -> list[dict[str, Any]]:
        return self.mock.jobs.submissions

    def sent(self, value: str) -> int:
        """How often a request for the line whose varied field is `value` was queued."""
        return sum(item["body"].get(VARIED) == value for item in self.submissions())


class Crash(BaseException):
    """The process dies here: this step and every later one of the run do nothing."""


class Stopper:
    """Counts the run's step boundaries; at boundary `at` the run dies (0: never)."""

    def __init__(self, at: int) -> None:
        self.at, self.count, self.dead = at, 0, False
        self.kinds: list[str] = []

    def boundary(self, kind: str) -> None:
        if self.dead:
            raise Crash(kind)
        self.count += 1
        self.kinds.append(kind)
        if self.count == self.at:
            self.dead = True
            raise Crash(kind)


@pytest.fixture
def stopper(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Stopper]]:
    """Step boundaries in the package's own code: each ledger write, each download chunk and rename. (Requests
    sent and answers received are boundaries of the transport, below.) A dead run leaves its part files, as a
    killed process does."""
    holder: list[Stopper] = [Stopper(0)]
    write, chunk, place, remove = (
        LedgerClass._write,
        downloads_module.Part.write,
        downloads_module.place,
        downloads_module.remove,
    )

    def guarded_write(self: Any) -> Any:
        holder[0].boundary("ledger write")
        return write(self)

    def guarded_chunk(self: Any, data: bytes) -> None:
        holder[0].boundary("download chunk")
        chunk(self, data)

    def guarded_place(parts: Any, paths: Any, overwrite: bool) -> None:
        holder[0].boundary("rename")
        place(parts, paths, overwrite)

    def guarded_remove(parts: Any) -> None:
        if not holder[0].dead:
            remove(parts)

    monkeypatch.setattr(LedgerClass, "_write", guarded_write)
    monkeypatch.setattr(downloads_module.Part, "write", guarded_chunk)
    monkeypatch.setattr(downloads_module, "place", guarded_place)
    monkeypatch.setattr(downloads_module, "remove", guarded_remove)
    yield holder


class StoppingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The mock behind step boundaries: before a request reaches it and after it has answered."""

    def __init__(self, served: Served, holder: list[Stopper]) -> None:
        self.served, self.holder = served, holder

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.holder[0].boundary("request sent")
        answer = self.served.handle(request)
        self.holder[0].boundary("answer received")
        return answer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self.handle_request(request)


LINES = 2


def run_batch(served: Served, folder: Path, asynchronous: bool, transport: Any = None, **options: Any) -> list[Any]:
    """A batch of LINES lines on the sync client (worker threads) or the async one (tasks: the command line's)."""
    lines = [line(n) for n in range(LINES)]
    if not asynchronous:
        with served.client(transport) as client:
            return client.generate_many(lines, folder, concurrency=1, **options)

    async def run() -> list[Any]:
        async with served.async_client(transport) as client:
            return await client.generate_many(lines, folder, concurrency=1, **options)

    return asyncio.run(run())


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_batch_stopped_dead_at_every_step_boundary_resumes_to_exactly_once(
    tmp_path: Path, stopper: list[Stopper], asynchronous: bool
) -> None:
    clean = Served()
    stopper[0] = Stopper(0)
    results = run_batch(clean, tmp_path / "clean", asynchronous, StoppingTransport(clean, stopper))
    assert [r.state for r in results] == ["saved"] * LINES
    boundaries = stopper[0].count
    assert {"ledger write", "request sent", "answer received", "download chunk", "rename"} <= set(stopper[0].kinds)
    tried = 0
    for at in range(1, boundaries + 1):
        served, folder = Served(), tmp_path / f"crash-{at}"
        stopper[0] = Stopper(at)
        with pytest.raises(Crash):
            run_batch(served, folder, asynchronous, StoppingTransport(served, stopper))
        tried += 1
        stopper[0] = Stopper(0)
        with Ledger(folder / "ledger.sqlite") as ledger:
            uncertain = {e.name for e in ledger.entries() if e.state in UNKNOWN}
        first = run_batch(served, folder, asynchronous)  # a fresh client and ledger connection
        assert all(r.state in ("saved", "uncertain") for r in first), (at, [(r.state, r.message) for r in first])
        again = run_batch(served, folder, asynchronous, resubmit_uncertain=True)
        assert [r.state for r in again] == ["saved"] * LINES, (at, [(r.state, r.message) for r in again])
        with Ledger(folder / "ledger.sqlite") as ledger:
            entries = ledger.entries()
        for n in range(LINES):
            value = line(n)[VARIED]
            expected = 2 if f"line-{n}" in uncertain and served.sent(value) == 2 else 1
            assert served.sent(value) == expected, (at, stopper[0].kinds, f"line-{n}", served.sent(value))
        recorded = {e.job_id for e in entries} | {e.track_id for e in entries if e.state in UNKNOWN}
        for item in served.submissions():  # every job the server queued is on record (or its request uncertain)
            known = item["id"] in recorded or item["body"].get(TRACK_ID_FIELD) in recorded
            assert known or any(e.state in UNKNOWN or e.attempts > 1 for e in entries), (at, item)
        for entry in entries:
            for saved in entry.files:
                fmt = entry.inputs.get(FORMAT_FIELD) or PROPERTIES[FORMAT_FIELD].get("default")
                assert hashlib.sha256(Path(saved.path).read_bytes()).hexdigest() == saved.sha256
                assert saved.sha256 == hashlib.sha256(MODEL_FILES[fmt]).hexdigest()
    print(f"crash points tried: {tried} of {boundaries} step boundaries")  # (reported with -s)
    assert tried == boundaries >= 10


def test_retry_after_zero_gets_a_floor_and_one_ledger_entry_and_a_line_only_refused_ends_refused(
    tmp_path: Path,
) -> None:
    served = Served(faults=("always-429", "retry-after-0"))
    with served.client(max_retries=0) as client:
        (result,) = client.generate_many([line(1)], tmp_path / "out", timeout=2.5)
    sent = [r for r in served.requests if r.url.path.endswith(OP.path.rsplit("/", 1)[-1])]
    assert result.state == "refused" and "nothing was queued" in str(result.message)
    assert 1 <= len(sent) <= 3, len(sent)  # a pause of at least a second between refusals, not hundreds a second
    with Ledger(tmp_path / "out" / "ledger.sqlite") as ledger:
        (entry,) = ledger.entries()
    assert entry.state == "refused" and entry.attempts == len(sent)


def test_a_saved_line_stays_saved_when_a_later_fetch_says_failed(tmp_path: Path) -> None:
    served = Served(faults=("late-failed",))
    with served.client() as client:
        (first,) = client.generate_many([line(1)], tmp_path / "out")
        assert first.state == "saved"
    with served.client(ledger=tmp_path / "out" / "ledger.sqlite") as client:
        with pytest.raises(errors.OperationFailedError):
            client.wait_for_result(str(first.job_id))  # (the vendor expired the result)
        assert client.ledger is not None and client.ledger.entries()[0].state == "saved"
        (again,) = client.generate_many([line(1)], tmp_path / "out", retry_failed=True)
    assert again.state == "saved" and served.sent(line(1)[VARIED]) == 1


def test_an_edited_line_is_reported_changed_naming_its_fields_and_is_paid_again_only_when_asked(
    tmp_path: Path,
) -> None:
    optional = next(n for n, s in PROPERTIES.items() if s.get("type") == "integer" and "default" in s)
    served = Served()
    with served.client() as client:
        edited = {**line(1), optional: PROPERTIES[optional]["default"]}
        kept = {**line(2), "extra_body": {"colour": "red"}}
        assert [r.state for r in client.generate_many([edited, kept], tmp_path / "out")] == ["saved", "saved"]
        before = len(served.submissions())
        results = client.generate_many([line(1), kept], tmp_path / "out")  # the field removed; the other unchanged
        assert [r.state for r in results] == ["changed", "saved"] and optional in str(results[0].message)
        assert len(served.submissions()) == before
        results = client.generate_many([line(1), kept], tmp_path / "out", regenerate_changed=True)
    assert [r.state for r in results] == ["saved", "saved"] and len(served.submissions()) == before + 1


def test_every_line_is_checked_before_the_first_request(tmp_path: Path) -> None:
    served = Served()
    with served.client() as client:
        bad = [line(1), {**line(2), "colour": "red"}, line(3)]
        with pytest.raises(ValueError, match="'colour'") as caught:
            client.generate_many(bad, tmp_path / "out")
        assert "line-2" in str(caught.value) and served.requests == []
        results = client.generate_many(bad, tmp_path / "out", skip_invalid=True)
    assert [r.state for r in results] == ["saved", "invalid", "saved"]
    assert "colour" in str(results[1].message) and served.sent(line(2)[VARIED]) == 0


def test_an_unanswered_request_is_a_timeout_of_the_request_and_the_line_says_it_may_be_billed(
    tmp_path: Path,
) -> None:
    served = Served(faults=("hang",))
    with served.client() as client:
        with pytest.raises(errors.APITimeoutError) as caught:
            getattr(client, f"{METHOD}_and_wait")(**{k: v for k, v in line(1).items() if k != "name"})
        assert "None" not in str(caught.value)
        (result,) = client.generate_many([line(2)], tmp_path / "out")
    assert result.state == "uncertain" and "billed" in str(result.message)


def test_a_secret_echoed_by_the_server_is_in_no_error(tmp_path: Path) -> None:
    served = Served(faults=("echo-500",))
    secret_field = next(iter(sorted(CREDENTIAL_FIELDS - {API_KEY_FIELD})))
    with served.client(max_retries=0) as client, pytest.raises(errors.InternalServerError) as caught:
        getattr(client, METHOD)(
            **{k: v for k, v in line(1).items() if k != "name"}, extra_body={secret_field: "s3-secret-sentinel-77"}
        )
    error = caught.value
    shown = " ".join([str(error), repr(error), error.content.decode(), json.dumps(error.body), str(error.message)])
    assert KEY not in shown and "s3-secret-sentinel-77" not in shown and "[redacted]" in shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_output_format_is_verified_by_its_bytes_and_an_error_page_is_never_saved(tmp_path: Path, fmt: str) -> None:
    served = Served()
    with served.client() as client:
        (result,) = client.generate_many([line(1, **{FORMAT_FIELD: fmt})], tmp_path / "ok")
    assert result.state == "saved" and result.files[0].read_bytes() == MODEL_FILES[fmt]
    with Ledger(tmp_path / "ok" / "ledger.sqlite") as ledger:
        assert [(f.verified, f.format) for f in ledger.entries()[0].files] == [(True, fmt)]
    for faults in (("html-model",), ("html-model", "bare-urls")):
        served = Served(faults=faults)
        with served.client() as client:
            (result,) = client.generate_many([line(1, **{FORMAT_FIELD: fmt})], tmp_path / "-".join(faults))
        assert result.state == "done" and "HTML" in str(result.message), (faults, result)
        assert [p for p in (tmp_path / "-".join(faults)).rglob("*") if p.is_file() and not p.name.startswith(".")] == [
            tmp_path / "-".join(faults) / "ledger.sqlite"
        ]


def test_a_second_run_on_the_same_folder_is_refused_naming_the_first(tmp_path: Path) -> None:
    from modelslab_enterprise_3d.runs.folder_lock import FolderLock

    served = Served()
    (tmp_path / "out").mkdir()
    with (
        FolderLock(tmp_path / "out"),
        served.client() as client,
        pytest.raises(errors.FolderInUseError, match=f"process {os.getpid()}"),
    ):
        client.generate_many([line(1)], tmp_path / "out")
    assert served.requests == []


def test_a_line_waited_past_its_timeout_stays_queued_and_a_slot_wait_does_not_count(tmp_path: Path) -> None:
    served = Served(job_seconds=0.4)
    with served.client() as client:
        results = client.generate_many([line(n) for n in range(3)], tmp_path / "out", concurrency=1, timeout=0.9)
        assert [r.state for r in results] == ["saved"] * 3, [(r.state, r.message) for r in results]
        served = Served(job_seconds=5.0)
    with served.client() as client:
        (late,) = client.generate_many([line(9)], tmp_path / "late", timeout=0.3)
    assert late.state == "queued" and "goes on on the server" in str(late.message)


def test_an_answer_the_ledger_cannot_record_keeps_its_job_id_and_the_next_run_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from modelslab_enterprise_3d.runs.job_states import ANSWERED

    apply = LedgerClass._apply

    def locked_when_answered(self: Any, entry: int, cause: str, values: Any) -> Any:
        if cause == ANSWERED:  # the ledger is locked past its busy timeout the moment the answer arrives
            raise sqlite3.OperationalError("database is locked")
        return apply(self, entry, cause, values)

    served = Served()
    with served.client() as client:
        monkeypatch.setattr(LedgerClass, "_apply", locked_when_answered)
        (result,) = client.generate_many([line(1)], tmp_path / "out")
        monkeypatch.setattr(LedgerClass, "_apply", apply)
        (issued,) = [item["id"] for item in served.submissions()]
        assert result.state == "queued" and result.job_id == issued and issued in str(result.message)
        assert issued in capsys.readouterr().err
        assert issued in (tmp_path / "out" / "ledger.sqlite.journal").read_text()
        (again,) = client.generate_many([line(1)], tmp_path / "out")  # the journal is folded in: waited for
    assert again.state == "saved" and again.job_id == issued and len(served.submissions()) == 1


def test_an_interrupted_batch_labels_its_lines_by_their_ledger_state(tmp_path: Path) -> None:
    import asyncio

    served = Served(job_seconds=30.0)
    events: list[Any] = []

    async def run() -> None:
        client = AsyncEnterprise3D(
            api_key=KEY, base_url=served.base_url, httpx_args={"transport": httpx.MockTransport(served.handle)}
        )
        async with client:
            task = asyncio.ensure_future(
                client.generate_many([line(n) for n in range(3)], tmp_path / "out", on_progress=events.append)
            )
            for _ in range(500):  # (at most 5 s)
                if sum(e.state == "queued" for e in events) >= 3:
                    break
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(run())
    last = {event.line: event.state for event in events}
    assert last == {f"line-{n}": "queued" for n in range(3)}, last
    with Ledger(tmp_path / "out" / "ledger.sqlite") as ledger:
        assert {entry.state for entry in ledger.entries()} == {"queued"}
    assert len(served.submissions()) == 3
