"""The job ledger, the checks before paying and the model-file checks: the runtime's pieces of a production run."""

from __future__ import annotations

import json
import multiprocessing
import struct
from pathlib import Path

import pytest

from codegen.runtime._checks import check_body, needed_fields
from codegen.runtime._ledger import DONE, QUEUED, REFUSED, SAVED, SENDING, Ledger, SavedFile
from codegen.runtime._verify import model_file_problem
from modelslab_enterprise_3d._mock_jobs import MODEL_FILES


def test_each_step_is_on_record_and_the_key_never_is(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        entry = ledger.record_request("text_to_3d", {"key": "sk-secret", "prompt": "p"}, name="a", track_id="t1")
        assert ledger.get(entry).state == SENDING and ledger.uncertain()[0].entry == entry  # type: ignore[union-attr]
        ledger.record_answer(entry, "7", "processing", 3.0)
        assert ledger.find("7").state == QUEUED  # type: ignore[union-attr]
        ledger.record_result("7", "success", ["https://cdn.example/m.glb"])
        assert ledger.find("7").state == DONE  # type: ignore[union-attr]
        ledger.record_files("7", [SavedFile("/x/m.glb", 3, "ab")])
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
        "other.stl": (b"anything", None),
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
        ledger.record_answer(ledger.record_request("image_to_3d", {"image": "u"}), "8", "processing", 2.0)
        ledger.record_result("8", "success", ["https://cdn.example/m.glb"])
        ledger.record_files("8", [SavedFile("/x/m.glb", 3, "ab")])
        listed = json.loads(ledger.entries_json())
        assert listed == [entry.as_dict() for entry in ledger.entries()]
        assert listed[0]["entry"] == first and listed[0]["state"] == "uncertain"  # sent, never answered
