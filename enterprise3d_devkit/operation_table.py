"""The reviewed operation table (codegen/operations.yaml): what each operation does to the server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from enterprise3d_devkit.layout import OPERATION_TABLE

Effect = Literal["read", "write"]


@dataclass(frozen=True)
class OperationPolicy:
    label: str  # "METHOD /path", as Operation.label
    effect: Effect
    why: str

    @property
    def changes_state(self) -> bool:
        return self.effect == "write"


def load_table(path: Path = OPERATION_TABLE) -> dict[str, OperationPolicy]:
    """Every row of the table, by label; a ValueError naming the row for an effect that is not read/write."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = {}
    for label, row in rows.items():
        effect = (row or {}).get("effect")
        if effect not in ("read", "write"):
            raise ValueError(f"{path.name}: {label!r} needs effect: read or write, not {effect!r}")
        table[label] = OperationPolicy(label=label, effect=effect, why=str(row.get("why", "")))
    return table
