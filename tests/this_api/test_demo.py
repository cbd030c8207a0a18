"""`make demo`'s script runs end to end: three calls over real HTTP, typed results, the mock stopped."""

from __future__ import annotations

import subprocess
import sys

from enterprise3d_devkit.layout import REPO


def test_demo_prints_typed_results_and_stops_the_mock() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "enterprise3d_devkit.demo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "HTTP 200 OK" in out and "ClearActionResponse: status='success'" in out
    assert "HTTP 401 Unauthorized" in out and "ErrorResponse: status='error'" in out
    assert "HTTP 400 Bad Request" in out and "key" in out.split("3. clear_queue")[1]
    assert out.rstrip().endswith("Mock server stopped.")
    assert "demo" not in "".join(line for line in out.splitlines() if "key=" in line), "the key must not be printed"
