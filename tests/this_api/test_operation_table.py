"""codegen/operations.yaml, the reviewed table of what each operation does to the server, covers the spec exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from enterprise3d_devkit.operation_table import load_table
from tests.support.spec_cases import OPERATIONS


def test_the_table_names_every_operation_of_the_spec_and_no_other() -> None:
    table = load_table()
    in_spec = {op.label for op in OPERATIONS}
    assert in_spec - table.keys() == set(), "new operations: decide their effect in codegen/operations.yaml"
    assert table.keys() - in_spec == set(), "operations gone from the spec: remove them from codegen/operations.yaml"
    assert all(policy.why for policy in table.values()), "every row says why"


def test_clear_queue_changes_server_state() -> None:
    (clear_queue,) = [op for op in OPERATIONS if op.module.endswith(".clear_queue")]
    assert load_table()[clear_queue.label].changes_state


def test_an_effect_other_than_read_or_write_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "operations.yaml"
    table.write_text("POST /x:\n  effect: maybe\n  why: unsure\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'POST /x' needs effect: read or write"):
        load_table(table)
