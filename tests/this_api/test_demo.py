"""`make demo`'s script runs end to end: a 3D model generated from a text prompt (submitted, waited for with progress
lines, downloaded, its format checked), then every operation's Enterprise3D method over real HTTP, typed results and
exceptions, the mock stopped."""

from __future__ import annotations

import subprocess
import sys

import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.harness.demo import BATCH_PROMPTS
from enterprise3d_devkit.repo.layout import REPO
from modelslab_enterprise_3d.core.vendor_facts import CREDENTIAL_FIELDS
from tests.support.high_level import success_models
from tests.support.spec_cases import OPERATIONS

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline


def test_demo_calls_every_operation_prints_typed_results_and_stops_the_mock() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "enterprise3d_devkit.harness.demo", "--job-seconds", "0.2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for op in OPERATIONS:
        section = out.split(f"{op.label} -> client.{method_name(op)}(", 1)
        assert len(section) == 2, f"the demo does not call {op.label}"
        shown = section[1].split("\n", 2)[1]  # the line after the call: its result
        models = [model.__name__ for model in success_models(op)]
        assert any(f"-> {model}: " in shown for model in models) or "OperationFailedError" in shown, shown
    generation, batch = out.split("Every operation of the spec")[0].split("\nA batch of ", 1)
    assert "interrupted; running the same batch again resumes it" in batch
    ledger = batch.split("The batch's ledger:", 1)[1].strip().splitlines()
    assert len(ledger) == len(BATCH_PROMPTS) and all(" saved, " in line and "sha256" in line for line in ledger), ledger
    assert "] processing, eta " in generation and "] success" in generation, "the wait shows its progress"
    (saved,) = [line for line in generation.splitlines() if "saved " in line]
    assert "model.glb" in saved and "binary glTF 2.0" in saved and "agrees with the file's size" in saved, saved
    assert "AuthenticationError (HTTP 401)" in out
    assert "HTTP 400" in out and "key" in out.split("a request the spec rejects")[1]
    assert out.rstrip().endswith("Mock server stopped.")
    assert "demo-enterprise-key" not in out, "the key must not be printed"
    for field in CREDENTIAL_FIELDS:  # the S3 bucket's keys among them: each shown masked, if at all
        assert f"{field}='" not in out, field
