"""The mock of this package's own spec: its embedded document, the jobs of its generating operations."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
from collections.abc import Iterator
from importlib import resources
from typing import Any

from . import mock as _mock
from .mock_options import DEFAULT_JOB_SECONDS, DEFAULT_QUEUE_LIMIT, mock_options

__all__ = ["SpecMock", "embedded_spec", "job_results", "running_mock", "serve_command"]

# The package this mock serves the spec of (this module is testing/package_mock.py of it).
_PACKAGE = __name__.rsplit(".", 2)[0]


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
    from ..api import OPERATIONS  # type: ignore[import-not-found,unused-ignore]  # (generated beside this package)

    return {op["request"]: op["job_result"] for op in OPERATIONS if op["job_result"]}


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
