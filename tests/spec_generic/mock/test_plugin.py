"""The package's pytest plugin (the testing extra), as the repository's own tests use it: its fixtures run the mock
and give clients on it that hold answers to the spec."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from enterprise3d_devkit.spec.instances import example_path
from tests.support.spec_cases import OPERATIONS

pytestmark = pytest.mark.mock_only


def test_the_suites_api_is_the_plugins_mock(api_base_url: str, modelslab_mock_url: str) -> None:
    assert api_base_url == modelslab_mock_url
    op = OPERATIONS[0]
    assert httpx.request(op.method.upper(), modelslab_mock_url + example_path(op), json={}).status_code < 500


def test_the_plugins_clients_validate_answers_strictly_on_the_mock(
    modelslab_client: Any, modelslab_async_client: Any, modelslab_mock_url: str
) -> None:
    for client in (modelslab_client, modelslab_async_client):
        assert client.strict_response_validation is True
        assert str(client.base_url).rstrip("/") == modelslab_mock_url.rstrip("/")
        assert "mock-key" not in repr(client)
