"""The reviewed operation table (codegen/operations.yaml): what each operation does to the server, and whether
repeating it is safe."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from enterprise3d_devkit.layout import OPERATION_TABLE

Effect = Literal["read", "write"]
Retry = Literal["safe", "never"]


@dataclass(frozen=True)
class OperationPolicy:
    label: str  # "METHOD /path", as Operation.label
    effect: Effect
    retry: Retry
    why: str

    @property
    def changes_state(self) -> bool:
        return self.effect == "write"

    @property
    def retry_safe(self) -> bool:
        return self.retry == "safe"


def load_table(path: Path = OPERATION_TABLE) -> dict[str, OperationPolicy]:
    """Every row of the table, by label; a ValueError naming the row for an effect other than read/write or a retry
    other than safe/never."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = {}
    for label, row in rows.items():
        row = row or {}
        effect, retry = row.get("effect"), row.get("retry")
        if effect not in ("read", "write"):
            raise ValueError(f"{path.name}: {label!r} needs effect: read or write, not {effect!r}")
        if retry not in ("safe", "never"):
            raise ValueError(f"{path.name}: {label!r} needs retry: safe or never, not {retry!r}")
        table[label] = OperationPolicy(label=label, effect=effect, retry=retry, why=str(row.get("why", "")))
    return table
