"""The reviewed operation table (codegen/operations.yaml): what each operation does to the server, whether
repeating it is safe, and, for an operation that starts a job, which operation fetches the job's result."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.layout import OPERATION_TABLE

Effect = Literal["read", "write"]
Retry = Literal["safe", "refused", "never"]


@dataclass(frozen=True)
class OperationPolicy:
    label: str  # "METHOD /path", as Operation.label
    effect: Effect
    retry: Retry
    why: str
    result: str | None = None  # the label of the operation that fetches this one's result (a generating operation)

    @property
    def changes_state(self) -> bool:
        return self.effect == "write"

    @property
    def retry_safe(self) -> bool:
        return self.retry == "safe"

    @property
    def retry_refused(self) -> bool:
        """Retried only when the server refused it (nothing was done) or no connection was made."""
        return self.retry == "refused"


def load_table(path: Path = OPERATION_TABLE) -> dict[str, OperationPolicy]:
    """Every row of the table, by label; a ValueError naming the row for an effect other than read/write or a retry
    other than safe/refused/never."""
    return dict(_parsed_table(path.read_text(encoding="utf-8"), path.name))


@lru_cache(maxsize=16)
def _parsed_table(text: str, name: str) -> dict[str, OperationPolicy]:
    """The rows of a table's text (cached by the text: every mock server and every test reads the table, and the
    rows are frozen, so a caller gets its own dict of shared rows)."""
    rows = yaml_codec.load(text) or {}
    table = {}
    for label, row in rows.items():
        row = row or {}
        effect, retry = row.get("effect"), row.get("retry")
        if effect not in ("read", "write"):
            raise ValueError(f"{name}: {label!r} needs effect: read or write, not {effect!r}")
        if retry not in ("safe", "refused", "never"):
            raise ValueError(f"{name}: {label!r} needs retry: safe, refused or never, not {retry!r}")
        result = row.get("result")
        if result is not None and (effect != "write" or retry == "safe"):
            raise ValueError(
                f"{name}: {label!r} starts a job (result: {result}), so it changes state and is never retried once "
                "it may have been queued: effect: write, retry: refused or never (a repeat generates, and bills, "
                "twice)"
            )
        table[label] = OperationPolicy(label, effect, retry, str(row.get("why", "")), result)
    for policy in table.values():
        if policy.result is not None and policy.result not in table:
            raise ValueError(f"{name}: {policy.label!r}: result: {policy.result!r} is not a row of the table")
    return table


def result_operations(table: dict[str, OperationPolicy]) -> dict[str, str]:
    """Generating operation's label -> the label of the operation that fetches its result."""
    return {label: policy.result for label, policy in sorted(table.items()) if policy.result is not None}
