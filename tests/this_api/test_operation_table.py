"""codegen/operations.yaml, the reviewed table of what each operation does to the server and whether repeating it
is safe, covers the spec exactly; the high-level clients retry exactly the operations it marks safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.operation_table import load_table
from modelslab_enterprise_3d import AsyncEnterprise3D, Enterprise3D
from tests.support.spec_cases import OPERATIONS


def test_the_table_names_every_operation_of_the_spec_and_no_other() -> None:
    table = load_table()
    in_spec = {op.label for op in OPERATIONS}
    assert in_spec - table.keys() == set(), "new operations: decide their effect in codegen/operations.yaml"
    assert table.keys() - in_spec == set(), "operations gone from the spec: remove them from codegen/operations.yaml"
    assert all(policy.why for policy in table.values()), "every row says why"


def test_the_clients_retry_exactly_the_operations_the_table_marks_safe() -> None:
    table = load_table()
    # (an operation the table does not name yet is not retried; the test above asks for its row)
    safe = {method_name(op) for op in OPERATIONS if op.label in table and table[op.label].retry_safe}
    assert Enterprise3D._RETRY_SAFE == AsyncEnterprise3D._RETRY_SAFE == safe, "run `make generate`"
    refused = {method_name(op) for op in OPERATIONS if op.label in table and table[op.label].retry_refused}
    assert Enterprise3D._RETRY_REFUSED == AsyncEnterprise3D._RETRY_REFUSED == refused, "run `make generate`"


def test_a_generating_operation_is_retried_only_when_the_server_refused_it() -> None:
    # a generation queued twice is billed twice: only a 429 (nothing was queued) may be sent again
    for label, policy in load_table().items():
        if policy.result is not None:
            assert policy.retry_refused, label


def test_restarting_or_updating_the_server_is_never_retried() -> None:
    table = load_table()
    for op in OPERATIONS:
        if method_name(op) in ("restart_server", "update_server"):
            assert not table[op.label].retry_safe and method_name(op) not in Enterprise3D._RETRY_SAFE


def test_clear_queue_changes_server_state() -> None:
    (clear_queue,) = [op for op in OPERATIONS if op.module.endswith(".clear_queue")]
    assert load_table()[clear_queue.label].changes_state


def test_an_effect_other_than_read_or_write_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "operations.yaml"
    table.write_text("POST /x:\n  effect: maybe\n  retry: safe\n  why: unsure\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'POST /x' needs effect: read or write"):
        load_table(table)


def test_a_missing_or_unknown_retry_decision_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "operations.yaml"
    for row in ("", "  retry: sometimes\n"):
        table.write_text(f"POST /x:\n  effect: read\n{row}  why: unsure\n", encoding="utf-8")
        with pytest.raises(ValueError, match="'POST /x' needs retry: safe, refused or never"):
            load_table(table)
