"""Test-wide settings and the session fixtures every test folder shares.

* hypothesis runs the same bounded examples on every machine (CI included);
* `spec` / `operations`: openapi.yaml, read once (tests.support.spec_cases);
* `api_base_url`: TEST_API_BASE_URL when it is set (a real server: `make test-live`), otherwise the embedded
  mock server, started once per test process and stopped at the end; `api_key`: MODELSLAB_API_KEY there,
  a placeholder against the mock;
* `@pytest.mark.mock_only`: a test that needs the mock's extras (`Prefer: code=NNN`); skipped against a real server.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import OVERLAY_PATH, PACKAGE
from enterprise3d_devkit.spec.operations import Operation
from tests.support.repo_copies import write_spec
from tests.support.spec_cases import OPERATIONS, SPEC
from tests.support.spec_variants import grown_spec

# derandomize: examples come from a fixed seed, so a CI failure reproduces locally; no example database,
# so nothing from an earlier run changes what this run tries. Bounded: 30 examples per test, and no shrinking
# phase (shrinking a failure on a rich schema took minutes); print_blob reproduces the failing example as found.
settings.register_profile(
    "contract",
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.load_profile("contract")

LIVE_URL = os.environ.get("TEST_API_BASE_URL", "").strip()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mock_only: needs the embedded mock's extras; skipped against a real server")
    config.addinivalue_line(
        "markers", "slow: waits on a clock or loads real sockets (timeouts, retries, 1000 calls); not in make test-fast"
    )
    config.addinivalue_line(
        "markers",
        "pipeline: runs a whole pipeline (generate.sh, make, a venv, update-spec) or a nested suite; make test-corpus "
        "runs these (CI too), make test the rest",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not LIVE_URL:
        return
    skip = pytest.mark.skip(reason=f"needs the embedded mock; TEST_API_BASE_URL is {LIVE_URL}")
    for item in items:
        if "mock_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return SPEC


@pytest.fixture(scope="session")
def operations() -> list[Operation]:
    return OPERATIONS


@pytest.fixture(scope="session")
def live() -> bool:
    """True when the tests run against a real server (TEST_API_BASE_URL), not the embedded mock."""
    return bool(LIVE_URL)


@pytest.fixture(scope="session")
def api_base_url(request: pytest.FixtureRequest) -> str:
    if LIVE_URL:
        return LIVE_URL.rstrip("/")
    # The package's pytest plugin, as our users run it: a generation takes a fifth of a second and the queue is
    # unlimited (tests of the queue limit start a mock of their own).
    url: str = request.getfixturevalue("modelslab_mock_url")
    return url


@pytest.fixture(scope="session")
def api_key() -> str:
    if LIVE_URL:
        key = os.environ.get("MODELSLAB_API_KEY", "")
        if not key:
            pytest.exit("TEST_API_BASE_URL is set but MODELSLAB_API_KEY is not: run `make test-live`", returncode=2)
        return key
    return "mock-key-not-a-secret"


@pytest.fixture(scope="session")
def grown_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package generated from openapi.yaml plus a second operation (see tests/support/spec_variants.py)."""
    root = tmp_path_factory.mktemp("grown")
    spec_path = write_spec(root / "grown.yaml", grown_spec())
    out = root / PACKAGE
    overlay = ["--overlay", str(OVERLAY_PATH)] if OVERLAY_PATH.exists() else []  # the published spec's corrections
    result = run_generate_sh("--spec", str(spec_path), "--out", str(out), *overlay)
    assert result.returncode == 0, result.stderr
    return out
