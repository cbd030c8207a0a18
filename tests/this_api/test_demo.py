"""`make demo`'s script runs end to end: every operation over real HTTP, typed results, the mock stopped."""

from __future__ import annotations

import subprocess
import sys

from enterprise3d_devkit.layout import REPO
from tests.support.spec_cases import OPERATIONS


def test_demo_calls_every_operation_prints_typed_results_and_stops_the_mock() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "enterprise3d_devkit.demo"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for op in OPERATIONS:
        section = out.split(f"{op.label} -> {op.module}.sync_detailed", 1)
        assert len(section) == 2, f"the demo does not call {op.label}"
        status = op.default_status()
        assert f"HTTP {status}" in section[1].split("\n\n", 1)[0]
        model = op.responses[status].model
        if model:
            assert f"  {model}: " in section[1].split("\n\n", 1)[0]
    assert "HTTP 401 Unauthorized" in out and "ErrorResponse: " in out
    assert "HTTP 400 Bad Request" in out and "key" in out.split("a request the spec rejects")[1]
    assert out.rstrip().endswith("Mock server stopped.")
    assert "demo-enterprise-key" not in out, "the key must not be printed"
