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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .mock import SUBMISSIONS_PATH
    from .mock_options import DEFAULT_JOB_SECONDS, DEFAULT_QUEUE_LIMIT, FAULTS
    from .package_mock import SpecMock, embedded_spec, job_results, running_mock

# The public names, each imported on first use (PEP 562), so that the command line, which lists the `mock` command,
# does not import the mock to do so.
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


def __getattr__(name: str) -> Any:
    if name in ("SpecMock", "embedded_spec", "job_results", "running_mock"):
        from . import package_mock as module
    elif name == "SUBMISSIONS_PATH":
        from . import mock as module  # type: ignore[no-redef]
    elif name in ("DEFAULT_JOB_SECONDS", "DEFAULT_QUEUE_LIMIT", "FAULTS"):
        from . import mock_options as module  # type: ignore[no-redef]
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value  # later lookups find it without calling here
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
