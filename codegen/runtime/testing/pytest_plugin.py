"""pytest fixtures for testing code that uses this client against the spec-driven mock (the `testing` extra).

pytest loads this plugin by itself once the package is installed; `-p no:modelslab_enterprise_3d` turns it off. Its
fixtures start nothing until a test asks for one:

  modelslab_mock_url      the base URL of a mock server on 127.0.0.1 (a child process on a free port), one per test
                          session, stopped at its end
  modelslab_api_key       a placeholder key the mock takes (it checks that a key is sent, not which)
  modelslab_client        an Enterprise3D on that mock, with strict_response_validation=True: an answer that breaks
                          the spec fails the test
  modelslab_async_client  the same, an AsyncEnterprise3D (with pytest-asyncio installed)
  modelslab_mock_options  how the mock runs: override it in your conftest.py to change how long a generation takes
                          or the queue limit (keyword arguments of testing.running_mock); a session-scoped fixture,
                          as the mock it configures is one per session
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

try:
    import pytest
except ImportError as missing:  # pytest loads this plugin: it is there whenever the plugin is
    raise ImportError("the package's pytest plugin runs under pytest (the testing extra)") from missing


@pytest.hookimpl(trylast=True)
def pytest_addoption(parser: pytest.Parser) -> None:
    """pytest-asyncio (the async fixture's) warns on every run while `asyncio_default_fixture_loop_scope` is unset:
    with this plugin it defaults to "function", what pytest-asyncio's next releases default to. A project that sets
    it (its pytest configuration, or -o) keeps its own."""
    if _asyncio_plugin_installed():
        parser.addini(
            "asyncio_default_fixture_loop_scope",
            type="string",
            help="default scope of the asyncio event loop used to execute async fixtures",
            default="function",
        )


def _asyncio_plugin_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("pytest_asyncio") is not None


@pytest.fixture(scope="session")
def modelslab_mock_options() -> dict[str, Any]:
    """Keyword arguments of testing.running_mock: a generation takes a fifth of a second, the queue is unlimited."""
    return {"job_seconds": 0.2, "queue_limit": None}


@pytest.fixture(scope="session")
def modelslab_mock_url(modelslab_mock_options: dict[str, Any]) -> Iterator[str]:
    from .package_mock import running_mock

    with running_mock(**modelslab_mock_options) as url:
        yield url


@pytest.fixture(scope="session")
def modelslab_api_key() -> str:
    return "mock-key-not-a-secret"


@pytest.fixture
def modelslab_client(modelslab_mock_url: str, modelslab_api_key: str) -> Iterator[Any]:
    from ..client import Enterprise3D  # type: ignore[import-not-found,unused-ignore]  # (generated)

    with Enterprise3D(
        api_key=modelslab_api_key, base_url=modelslab_mock_url, strict_response_validation=True
    ) as opened:
        yield opened


try:
    import pytest_asyncio
except ImportError:  # an async fixture needs pytest-asyncio's event loop
    pass
else:

    @pytest_asyncio.fixture
    async def modelslab_async_client(modelslab_mock_url: str, modelslab_api_key: str) -> AsyncIterator[Any]:
        from ..client import AsyncEnterprise3D  # type: ignore[import-not-found,unused-ignore]  # (generated)

        async with AsyncEnterprise3D(
            api_key=modelslab_api_key, base_url=modelslab_mock_url, strict_response_validation=True
        ) as opened:
            yield opened
