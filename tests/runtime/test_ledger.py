"""The job ledger, the checks before paying and the model-file checks: the runtime's pieces of a production run."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import struct
import threading
from pathlib import Path

import pytest

from codegen.runtime import errors
from codegen.runtime.core.checks import check_body, needed_fields
from codegen.runtime.runs.job_states import TRANSITIONS, UNCHANGED
from codegen.runtime.runs.ledger import (
    DONE,
    QUEUED,
    REFUSED,
    SAVED,
    SCHEMA_VERSION,
    SENDING,
    STATES,
    InvalidTransition,
    Ledger,
    LineTaken,
    SavedFile,
    identity_of,
)
from codegen.runtime.runs.verify import model_file_problem, verify
from modelslab_enterprise_3d.testing.mock_jobs import MODEL_FILES


def test_each_step_is_on_record_and_the_key_never_is(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        entry = ledger.record_request("text_to_3d", {"key": "sk-secret", "prompt": "p"}, name="a", track_id="t1")
        assert ledger.get(entry).state == SENDING and ledger.uncertain()[0].entry == entry  # type: ignore[union-attr]
        ledger.record_answer(entry, "7", "processing", 3.0)
        assert ledger.find("7").state == QUEUED  # type: ignore[union-attr]
        ledger.record_result(entry, "success", ["https://cdn.example/m.glb"])
        assert ledger.find("7").state == DONE  # type: ignore[union-attr]
        ledger.record_files(entry, [SavedFile("/x/m.glb", 3, "ab")])
        found = ledger.find_by_track_id("t1")
        assert found is not None and found.state == SAVED and found.files[0].sha256 == "ab"
        assert ledger.latest_by_name()["a"].outputs == ["https://cdn.example/m.glb"]
        assert ledger.uncertain() == []
    assert b"sk-secret" not in (tmp_path / "l.sqlite").read_bytes()


def test_a_webhook_payload_is_a_hint_that_changes_no_state(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        entry = ledger.record_request("text_to_3d", {"prompt": "p"}, track_id="t9")
        ledger.record_answer(entry, "9", "processing", None)
        hinted = ledger.record_hint({"status": "success", "track_id": "t9", "output": ["u"]}, "id", "track_id")
        assert hinted is not None and hinted.hint == {"status": "success", "track_id": "t9", "output": ["u"]}
        assert hinted.state == QUEUED and hinted.outputs == []
        assert ledger.record_hint({"id": "nobody"}, "id", "track_id") is None


def _write(path: str, count: int) -> None:
    with Ledger(path) as ledger:
        for number in range(count):
            ledger.record_refused(ledger.record_request("text_to_3d", {"prompt": str(number)}), "429")


def test_two_processes_write_one_ledger_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    workers = [multiprocessing.get_context("fork").Process(target=_write, args=(path, 50)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with Ledger(path) as ledger:
        entries = ledger.entries()
    assert len(entries) == 100 and {entry.state for entry in entries} == {REFUSED}


def test_a_ledger_opened_while_another_process_holds_the_new_file_waits_for_it(tmp_path: Path) -> None:
    # SQLite refuses the switch to the write-ahead log at once (no busy wait) while another connection is about to
    # write the file: the second of two runs opening a new ledger together.
    path = tmp_path / "new.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(0.3, other.execute, ("COMMIT",))
    releaser.start()
    try:
        with Ledger(path, busy_timeout=5) as ledger:
            assert ledger.entries() == []
    finally:
        releaser.join()
        other.close()


SCHEMA = (
    '{"type":"object","required":["key","prompt","steps"],"properties":{"key":{"type":"string"},'
    '"prompt":{"type":"string"},"steps":{"type":"integer","default":10,"maximum":50},'
    '"format":{"type":"string","enum":["glb","obj"]},"hook":{"type":"string","nullable":true}}}'
)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"key": "k", "prompt": None}, "prompt must be string"),
        ({"key": "k", "prompt": "p", "format": "GLB"}, "format must be one of 'glb', 'obj', not 'GLB'"),
        ({"key": "k", "prompt": "p", "steps": 4096}, "steps must be at most 50"),
        ({"key": "k", "prompt": "p", "steps": "30"}, "steps must be integer"),
        ({"key": "k"}, "prompt is required"),
        ({"key": 5, "prompt": "p"}, "key must be string, not the value given"),
    ],
)
def test_a_body_the_spec_forbids_is_refused_naming_the_field(body: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match="nothing was sent") as caught:
        check_body("op", body, SCHEMA)
    assert named in str(caught.value)


def test_a_body_the_spec_allows_passes_and_defaults_count_as_given() -> None:
    check_body("op", {"key": "k", "prompt": "p", "format": "obj", "hook": None}, SCHEMA)
    assert needed_fields(SCHEMA, frozenset({"key"})) == {"prompt"}


# An ASCII STL of one triangle (the mock serves binary ones).
ASCII_STL = (
    b"solid one\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n"
    b"  endloop\n endfacet\nendsolid one\n"
)


def test_a_model_file_is_checked_by_its_format(tmp_path: Path) -> None:
    good = MODEL_FILES["glb"]
    cases = {
        "good.glb": (good, None),
        "short.glb": (good[:-4], "header says"),
        "magic.glb": (b"glTX" + good[4:], "not a binary glTF"),
        "version.glb": (good[:4] + struct.pack("<I", 1) + good[8:], "version 1"),
        "json.glb": (good[:20] + b"{" * 8 + good[28:], "does not parse"),
        "chunk.glb": (good[:12] + struct.pack("<I", 10_000) + good[16:], "runs past the end"),
        "good.obj": (MODEL_FILES["obj"], None),
        "empty.obj": (b"# nothing\n", "without a single vertex"),
        "good.stl": (MODEL_FILES["stl"], None),
        "binary.stl": (b"\0" * 80 + struct.pack("<I", 2) + b"\1" * 100, None),
        "short-binary.stl": (b"\0" * 80 + struct.pack("<I", 3) + b"\1" * 100, "says 3 triangles"),
        "cut-binary.stl": (MODEL_FILES["stl"][:-20], "triangles"),
        "ascii.stl": (ASCII_STL, None),
        "cut.stl": (ASCII_STL[:-20], "does not end with 'endsolid'"),
        "other.stl": (b"anything", "not an STL file"),
        "good.ply": (MODEL_FILES["ply"], None),
        "cut.ply": (MODEL_FILES["ply"].rsplit(b"\n", 3)[0], "truncated PLY"),
        "binary.ply": (
            b"ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty float x\nend_header\n" + b"\0" * 8,
            None,
        ),
        "padded.ply": (
            b"ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty float x\nend_header\n" + b"\0" * 9,
            "padded PLY",
        ),
        "denied.ply": (b"<!DOCTYPE html><html><body>Access denied</body></html>", "HTML"),
        "denied.stl": (b"<html><title>403</title></html>", "HTML"),
        "error.glb": (b'{"status": "error", "message": "expired"}', "JSON document"),
    }
    for name, (content, problem) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        found = model_file_problem(path, name)
        assert (found is None) if problem is None else (problem in str(found)), (name, found)


def test_the_json_listing_is_every_entry_as_its_dict(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        assert json.loads(ledger.entries_json()) == []
        first = ledger.record_request("text_to_3d", {"prompt": "p", "n": 1.5}, name="a")
        second = ledger.record_request("image_to_3d", {"image": "u"}, server="http://s")
        ledger.record_answer(second, "8", "processing", 2.0)
        ledger.record_result(second, "success", ["https://cdn.example/m.glb"])
        ledger.record_files(second, [SavedFile("/x/m.glb", 3, "ab")])
        listed = json.loads(ledger.entries_json())
        assert listed == [entry.as_dict() for entry in ledger.entries()]
        assert listed[0]["entry"] == first and listed[0]["state"] == "uncertain"  # sent, never answered


def test_an_extensionless_file_is_checked_as_the_format_asked_for_and_an_unknown_one_kept_unverified(
    tmp_path: Path,
) -> None:
    page, model = tmp_path / "page", tmp_path / "model"
    page.write_bytes(b"<!doctype html><p>Access denied</p>")
    model.write_bytes(MODEL_FILES["ply"])
    assert "HTML" in str(verify(page, "x7Yb2", "glb").problem)
    assert verify(model, "x7Yb2", "ply") == verify(model, "x7Yb2", None) == type(verify(model, "m", "ply"))("ply", True)
    assert verify(model, "x7Yb2", "glb").problem is not None  # asked for glb, got something else
    blob = tmp_path / "blob.usdz"
    blob.write_bytes(b"PK\3\4 some archive")
    unverified = verify(blob, "blob.usdz", "glb")
    assert unverified.verified is False and unverified.problem is None


def test_every_transition_in_the_table_and_no_other_is_applied(tmp_path: Path) -> None:
    causes = sorted({cause for _, cause in TRANSITIONS} | {cause for _, cause in UNCHANGED})
    with Ledger(tmp_path / "l.sqlite") as ledger:
        tried = 0
        for state in STATES:
            for cause in causes:
                entry = ledger.record_request("text_to_3d", {"prompt": f"{state}-{cause}"})
                with ledger._write() as db:  # (put the entry in `state` directly: the test's set-up only)
                    db.execute("UPDATE jobs SET state = ? WHERE entry = ?", (state, entry))
                expected = TRANSITIONS.get((state, cause))
                if expected is None and (state, cause) not in UNCHANGED:
                    with pytest.raises(InvalidTransition):
                        ledger.transition(entry, cause)
                else:
                    assert ledger.transition(entry, cause) == expected
                    assert ledger.get(entry).state == (expected or state)  # type: ignore[union-attr]
                tried += 1
                if state == SAVED:  # saved is final: no cause moves it
                    assert ledger.get(entry).state == SAVED  # type: ignore[union-attr]
        assert tried == len(STATES) * len(causes)


def test_the_ledger_syncs_each_commit_and_has_a_version(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        assert ledger._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert ledger._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_older_ledger_is_brought_up_to_date_and_a_newer_one_is_refused_untouched(tmp_path: Path) -> None:
    from codegen.runtime.runs.ledger import _SCHEMA_V1

    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as db:
        db.executescript(_SCHEMA_V1)
        db.execute(
            "INSERT INTO jobs (operation, inputs, digest, state, job_id, created, updated, name) "
            "VALUES ('text_to_3d', '{\"prompt\": \"p\"}', 'x', 'queued', '5', 0, 0, 'a')"
        )
    db.close()
    with Ledger(old) as ledger:
        (entry,) = ledger.entries()
        assert entry.job_id == "5" and entry.server is None and entry.arguments is None
        ledger.record_result(entry.entry, "success", ["u"])
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = newer.read_bytes()
    with pytest.raises(errors.LedgerError, match="newer version"):
        Ledger(newer)
    assert newer.read_bytes() == before
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database at all " * 100)
    with pytest.raises(errors.LedgerError, match="not a job ledger"):
        Ledger(garbage)


def test_an_answer_the_ledger_cannot_take_goes_to_stderr_the_exception_and_the_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "l.sqlite"
    ledger = Ledger(path, busy_timeout=0.05)
    entry = ledger.record_request("text_to_3d", {"prompt": "p"})
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the file past the busy timeout
    with pytest.raises(errors.LedgerWriteError) as caught:
        ledger.record_answer(entry, "job-77", "processing", 5.0)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert caught.value.job_id == "job-77" and "job-77" in str(caught.value)
    assert "job-77" in capsys.readouterr().err
    assert "job-77" in Path(str(caught.value.journal)).read_text()
    ledger.close()
    with Ledger(path) as reopened:  # the next open folds the journal in
        assert reopened.get(entry).state == QUEUED and reopened.get(entry).job_id == "job-77"  # type: ignore[union-attr]
        assert not reopened.journal.exists()


def test_a_line_is_claimed_in_the_transaction_that_records_it(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as one, Ledger(tmp_path / "l.sqlite") as two:
        first = one.record_request("text_to_3d", {"prompt": "p"}, name="a", expected=None)
        with pytest.raises(LineTaken) as caught:
            two.record_request("text_to_3d", {"prompt": "p"}, name="a", expected=None)
        assert caught.value.entry.entry == first and len(two.entries()) == 1
        one.record_refused(first, "429")
        one.record_resend(first)
        with pytest.raises(InvalidTransition):  # the other run's resend of the same entry is refused
            two.record_resend(first)
        assert one.get(first).attempts == 2  # type: ignore[union-attr]


def test_a_line_is_identified_by_what_its_user_wrote() -> None:
    line = {"prompt": "p", "resolution": 512, "extra_body": {"colour": "red"}}
    assert identity_of("text_to_3d", line) == identity_of("text_to_3d", {**line, "track_id": "t", "key": "k"})
    assert identity_of("text_to_3d", line) != identity_of(
        "text_to_3d", {"prompt": "p", "extra_body": {"colour": "red"}}
    )
    assert identity_of("text_to_3d", line) != identity_of("text_to_3d", {**line, "extra_body": {}})
    assert identity_of("text_to_3d", line) != identity_of("image_to_3d", line)
