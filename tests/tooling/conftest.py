from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from enterprise3d_devkit.repo.digests import sha256
from enterprise3d_devkit.repo.layout import REPO
from enterprise3d_devkit.spec.record import read_record
from enterprise3d_devkit.spec_update.update import MIRROR_ENV
from tests.support.repo_copies import copy_repo, decide_pending_operations
from tests.support.servers import FileServer
from tests.support.vendor import VendorMirror


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mypy cache for the tests that type-check a package generated elsewhere: a copy of the repository's (which
    `make typecheck` has just filled with the standard library, httpx and attrs), so that only the package itself is
    checked from scratch. mypy checks every cached entry against its source; the repository's cache is not touched."""
    cache = tmp_path_factory.mktemp("mypy") / "cache"
    if (REPO / ".mypy_cache").is_dir():
        shutil.copytree(REPO / ".mypy_cache", cache)
    return cache


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throw-away copy of the repository to run make and generate.sh in, with any decision a person has yet to
    make about a new operation of its spec written in (a test sees only its own change's failures)."""
    copied = copy_repo(tmp_path / "repo")
    decide_pending_operations(copied)
    return copied


@pytest.fixture
def served(tmp_path: Path) -> Iterator[FileServer]:
    """Files served over HTTP on 127.0.0.1, as a vendor's documentation site serves its specs."""
    (tmp_path / "served").mkdir()
    with FileServer(tmp_path / "served") as server:
        yield server


@pytest.fixture
def vendor(tmp_path: Path) -> Iterator[VendorMirror]:
    """The recorded source (openapi.lock.yaml) served on loopback with the bytes the record says were taken: one
    source is written to openapi.yaml byte for byte, so those are openapi.yaml's (whatever version it is)."""
    record = read_record(REPO)
    assert record is not None and len(record.sources) == 1, "the record names one source"
    taken = (REPO / "openapi.yaml").read_bytes()
    assert sha256(taken) == record.sources[0].sha256 == record.result_sha256
    url = record.sources[0].source
    prefix, name = url.rsplit("/", 1)
    (tmp_path / "vendor-site").mkdir()
    with FileServer(tmp_path / "vendor-site") as server:
        mirror = VendorMirror(url, server, {MIRROR_ENV: f"{prefix}/={server.url}/"}, name)
        mirror.publish(taken)
        with mock.patch.dict(os.environ, mirror.env):  # for update-spec run in-process too
            yield mirror
