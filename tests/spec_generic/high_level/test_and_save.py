"""<operation>_and_save for every generating operation the reviewed table names: the folder checked before anything
is sent (so that running it again fails before paying), the result's files saved and verified, the result returned;
the async twin alike."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d.core.vendor_facts import OUTPUT_FIELD, STATUS_FIELD, SUCCESS_STATUS
from tests.support.generation import GENERATING, and_save, client_on, mock
from tests.support.spec_cases import op_id

pytestmark = pytest.mark.skipif(not GENERATING, reason="the spec has no generating operation")


def status(answer: object) -> object:
    value = getattr(answer, STATUS_FIELD, None)
    return getattr(value, "value", value)


class Counted:
    """The in-process mock, counting the requests that reach it."""

    def __init__(self) -> None:
        self.mock = mock(job_seconds=0.05)
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.mock.handle(request)


def check_saved(saved: Any, folder: Path) -> None:
    assert status(saved.result) == SUCCESS_STATUS
    urls = getattr(saved.result, OUTPUT_FIELD)
    assert len(saved.files) == len(urls) > 0
    assert all(path.parent == folder and path.stat().st_size > 0 for path in saved.files)


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_and_save_saves_the_files_and_a_second_run_fails_before_anything_is_sent(op: Operation, tmp_path: Path) -> None:
    server = Counted()
    folder = tmp_path / "models"
    with client_on(server.handle) as client:
        saved = and_save(client, op)(folder=folder, timeout=10)
        check_saved(saved, folder)
        before = len(server.requests)
        with pytest.raises(FileExistsError):
            and_save(client, op)(folder=folder, timeout=10)
        assert len(server.requests) == before, "nothing was sent: the folder is checked first"
        again = and_save(client, op)(folder=folder, overwrite=True, timeout=10)
    check_saved(again, folder)
    assert sorted(path.name for path in folder.iterdir()) == sorted(path.name for path in again.files)


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_the_async_and_save_does_the_same(op: Operation, tmp_path: Path) -> None:
    server = Counted()
    folder = tmp_path / "models"
    (tmp_path / "file").write_text("not a folder")

    async def run() -> Any:
        async with client_on(server.handle, asynchronous=True) as client:
            with pytest.raises(OSError):
                await and_save(client, op)(folder=tmp_path / "file", timeout=10)
            assert server.requests == [], "nothing was sent for a folder that cannot be one"
            return await and_save(client, op)(folder=folder, timeout=10)

    check_saved(asyncio.run(run()), folder)
