"""The vendor material the tests use, kept in tests/fixtures/vendor/ so that a plain clone needs nothing beside it.

The files are byte-for-byte copies of the vendor's documentation (see vendor-facts.md for provenance).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from enterprise3d_devkit.spec_update import watch as spec_watch
from tests.support.servers import FileServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VENDOR = FIXTURES / "vendor"
VENDOR_PAGE = VENDOR / "clear-queue.page.md"  # the vendor's Clear Queue docs page
VENDOR_BLOCK = VENDOR / "clear_queue.openapi.yaml"  # the OpenAPI block of that page, as published
VENDOR_FACTS = VENDOR / "vendor-facts.md"
VENDOR_DOCUMENT = VENDOR / "enterprise-3d-api.openapi.json"  # the whole Enterprise 3D API: openapi.yaml's source
VENDOR_PAGES = VENDOR / "pages"  # its documentation pages (text-to-3d, image-to-3d, fetch, webhooks, ...): README.md
CORPUS = FIXTURES / "corpus"  # twelve of the vendor's other OpenAPI documents, byte for byte
DOCUMENTS = FIXTURES / "documents"  # documents of our own making, shaped as the vendor writes


def undocumented_statuses() -> list[int]:
    """The statuses the vendor says its API returns beyond those its spec lists (vendor-facts.md)."""
    text = VENDOR_FACTS.read_text(encoding="utf-8")
    paragraph = re.search(r"Status codes the spec does not list.*?(?=\n- |\n\n)", text, re.S)
    if paragraph is None:
        raise AssertionError(f"{VENDOR_FACTS.name} no longer lists the undocumented status codes")
    return sorted({int(code) for code in re.findall(r"\b([45]\d\d)\s+\(", paragraph.group(0))})


@dataclass
class VendorMirror:
    """The vendor's site in its own place: the recorded source's URL is fetched from a loopback server (never the
    network) through the mirror setting update-spec honours. `publish` changes what the vendor publishes."""

    url: str  # the recorded source, as the vendor publishes it
    server: FileServer
    env: dict[str, str]  # for make / subprocesses
    name: str

    def publish(self, content: bytes) -> None:
        self.server.add(self.name, content)


def watch(repo: Path, tmp_path: Path) -> tuple[int, str, dict[str, str]]:
    """What the workflow's step runs (`python -m enterprise3d_devkit.spec_update.watch --report ...`), in-process on a
    repo copy: its exit status, the report, and the outputs it gave GitHub Actions."""
    outputs = tmp_path / "github_output"
    outputs.write_text("", encoding="utf-8")
    report = tmp_path / "report.md"
    with mock.patch.dict(os.environ, {"GITHUB_OUTPUT": str(outputs)}), contextlib.redirect_stdout(io.StringIO()):
        status = spec_watch.watch(report, repo=repo)
    values = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    return status, report.read_text(encoding="utf-8") if report.exists() else "", values
