"""Test code that uses this client against the spec-driven mock of the API (the `testing` extra:
pip install "modelslab-enterprise-3d[testing]").

The mock serves the spec this package was generated from (the package carries it): it validates every request
against that spec and fails the call with a 400 naming the violation, answers with bodies valid for the spec, runs
each generation's job (queued, then done, its model files served), refuses jobs over the queue limit with a 429, and
answers any status a test asks for with the `Prefer: code=NNN` header.

    from modelslab_enterprise_3d.testing import SpecMock, running_mock

    with running_mock() as base_url:       # a mock server on 127.0.0.1, stopped at the end
        client = Enterprise3D(api_key="any", base_url=base_url, strict_response_validation=True)

    mock = SpecMock()                      # or in process, no server: an httpx transport
    client = Enterprise3D(api_key="any", base_url="http://mock" + mock.base_path,
                          httpx_args={"transport": mock.transport()})

With pytest, the fixtures `modelslab_mock_url`, `modelslab_client` and `modelslab_async_client` do this for you (the
package's pytest plugin). From a shell: `modelslab-3d mock --port 4010`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import sys
from collections.abc import Iterator
from importlib import resources
from typing import Any

from . import _mock
from ._mock import SUBMISSIONS_PATH
from ._mock_options import DEFAULT_JOB_SECONDS, DEFAULT_QUEUE_LIMIT, FAULTS, mock_options

__all__ = [
    "DEFAULT_JOB_SECONDS",
    "DEFAULT_QUEUE_LIMIT",
    "FAULTS",
    "SUBMISSIONS_PATH",
    "SpecMock",
    "embedded_spec",
    "job_results",
    "running_mock",
]

_PACKAGE = __package__ or "modelslab_enterprise_3d"


@functools.cache
def _embedded_text() -> str:
    return resources.files(_PACKAGE).joinpath("openapi.json").read_text(encoding="utf-8")


def embedded_spec() -> dict[str, Any]:
    """The spec this package was generated from (the vendor's document with the package's corrections); a fresh
    copy each call."""
    spec: dict[str, Any] = json.loads(_embedded_text())
    return spec


def job_results() -> dict[str, str]:
    """Each generating operation and the one that fetches its job's result ("POST /text_to_3d": "POST /fetch/{id}")."""
    results: dict[str, str] = dict(importlib.import_module(f"{_PACKAGE}.client").JOB_RESULTS)
    return results


class SpecMock(_mock.SpecMock):
    """The mock, in process. Without a spec it serves this package's, and without `results` it runs the jobs of its
    generating operations."""

    def default_spec(self) -> dict[str, Any]:
        return embedded_spec()

    def default_results(self) -> dict[str, str]:
        return job_results()


@contextlib.contextmanager
def running_mock(
    job_seconds: float | tuple[float, float] = DEFAULT_JOB_SECONDS,
    queue_limit: int | None = DEFAULT_QUEUE_LIMIT,
    submit_delay: float = 0.0,
    timeout: float = 15.0,
    faults: tuple[str, ...] = (),
) -> Iterator[str]:
    """Serve the mock on 127.0.0.1 (a free port) in a child process and yield its base URL; it stops when the block
    ends, however it ends. `job_seconds`: how long a generation takes (or a range LOW, HIGH); `queue_limit`: jobs
    queued at once before a generation is refused with 429 (None: no limit); `submit_delay`: seconds before a
    queued generation is answered (a slow network); `faults`: the faults it shows (FAULTS)."""
    options = mock_options(job_seconds, queue_limit, submit_delay, faults=faults)
    with _mock.running_server([sys.executable, "-m", _PACKAGE, "mock", *options], timeout) as url:
        yield url


def serve_command(args: argparse.Namespace) -> int:
    """`modelslab-3d mock`: serve this package's spec until interrupted."""
    _mock.serve(_mock.served_mock(embedded_spec(), job_results(), args), args.host, args.port)
    return 0
