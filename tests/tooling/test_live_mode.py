"""`make test-live`: the e2e suite against a server named by TEST_API_BASE_URL, with the key from MODELSLAB_API_KEY.

Exercised here against a separately started mock (standing in for the real API) and a port where nothing listens;
with writes allowed, against a mock whose plan queues one job at a time, its queue taken by another client's job
when the suite starts (the suite stays within the limit: it waits for its own jobs, and a 429's retry_after).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from enterprise3d_devkit.repo.layout import REPO
from enterprise3d_devkit.spec.operation_table import load_table
from modelslab_enterprise_3d import Enterprise3D
from modelslab_enterprise_3d.testing import running_mock
from tests.support.generation import GENERATING
from tests.support.high_level import call_method
from tests.support.repo_copies import make
from tests.support.spec_cases import OPERATIONS

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline


def test_without_url_and_key_it_refuses_at_once_naming_both() -> None:
    for env in (
        {"TEST_API_BASE_URL": "", "MODELSLAB_API_KEY": ""},
        {"TEST_API_BASE_URL": "http://127.0.0.1:9", "MODELSLAB_API_KEY": ""},
        {"TEST_API_BASE_URL": "", "MODELSLAB_API_KEY": "k"},
    ):
        result = make(REPO, "test-live", env=env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "TEST_API_BASE_URL" in result.stderr and "MODELSLAB_API_KEY" in result.stderr
        assert "passed" not in result.stdout


@pytest.fixture
def separate_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A mock started as its own process, standing in for the real API. With writes allowed, its plan queues one job
    at a time (the vendor's smallest queues five) and another client's job holds the queue when the suite starts."""
    writes = request.node.callspec.params["writes"]
    with running_mock(job_seconds=0.5, queue_limit=1 if writes else None) as url:
        if writes and GENERATING:
            with Enterprise3D(api_key="another-client", base_url=url, max_retries=0) as other:
                call_method(other, GENERATING[0])  # queued, not waited for
        yield url


@pytest.mark.parametrize("writes", ["1", ""], ids=["writes-allowed", "read-only"])
def test_against_a_separately_started_server_it_passes(separate_server: str, writes: str) -> None:
    table = load_table()
    # (an operation the table does not name yet is treated as one that changes state: it waits for a decision)
    state_changing = [op for op in OPERATIONS if op.label not in table or table[op.label].changes_state]
    env = {"TEST_API_BASE_URL": separate_server, "MODELSLAB_API_KEY": "live-test-key", "TEST_API_ALLOW_WRITES": writes}
    result = make(REPO, "test-live", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert " failed" not in output and " error" not in output
    # Only the live-safe tests ran: every one of the mock-only ones is skipped, whatever TEST_API_ALLOW_WRITES says.
    assert "needs the embedded mock" in output
    per_operation = 2  # the live-safe tests of an operation: its functions, and its Enterprise3D method
    if writes:  # and each generating operation generates a model, waits for it and saves its files
        assert f"{per_operation * len(OPERATIONS) + len(GENERATING)} passed" in output
        assert "the generating operations run, and cost credits" in output
    else:
        assert "(and cost credits) are skipped" in output
        read_only = len(OPERATIONS) - len(state_changing)
        assert (f"{per_operation * read_only} passed" in output) if read_only else ("passed" not in output)
        for op in state_changing:
            why = "changes server state" if op.label in table else "is not in codegen/operations.yaml"
            assert f"{op.label} {why}" in output and "TEST_API_ALLOW_WRITES=1" in output


def test_against_a_port_where_nothing_listens_it_fails_fast_with_a_connection_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    started = time.monotonic()
    env = {"TEST_API_BASE_URL": f"http://127.0.0.1:{port}", "MODELSLAB_API_KEY": "k", "TEST_API_ALLOW_WRITES": "1"}
    result = make(REPO, "test-live", env=env)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "ConnectError" in output
    assert elapsed < 60, f"took {elapsed:.0f} s"
