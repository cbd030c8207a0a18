"""Every ```python block of the user docs (README.md, docs/*.md) runs, against an in-process mock of the API.

A block may be preceded by `<!-- readme-test: status=NNN body={json} -->` (invisible on GitHub) to make
the mock answer that status / body, so the error-handling examples take the branch they describe. The body's
fields are laid over a body built from the spec, so the snippet stays valid as the vendor adds fields.
The mock is installed under httpx's own transports, so the snippets stay exactly what a user types.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from enterprise3d_devkit.harness.readme_snippets import README, Snippet, snippets
from enterprise3d_devkit.repo.layout import PACKAGE
from enterprise3d_devkit.spec.operation_table import load_table
from modelslab_enterprise_3d.core.retries import STATUS_ERRORS, error_class
from modelslab_enterprise_3d.runs.client_runs import JobRuns
from modelslab_enterprise_3d.testing import SpecMock
from modelslab_enterprise_3d.testing.instances import response_instance
from tests.support.generation import FAST_POLLS
from tests.support.spec_cases import OPERATIONS


def test_readme_has_the_usage_snippets() -> None:
    codes = "\n".join(s.code for s in snippets())
    for call in (
        "Enterprise3D(",
        "AsyncEnterprise3D(",
        "with_options(",
        "OperationFailedError",
        "sync(",
        "sync_detailed(",
        "asyncio(",
        "asyncio_detailed(",
        "raise_on_unexpected_status",
        "timeout",
        "_and_wait(",
        "_and_save(",
        "wait_for_result(",
        "download(",
        "parse_webhook(",
    ):
        assert call in codes, f"the user docs have no runnable example of {call}"


@pytest.mark.parametrize("snippet", snippets(), ids=lambda s: f"{s.path.name}:{s.line}")
def test_snippet_runs(
    snippet: Snippet, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mock = SpecMock(job_seconds=0.05)  # a generation the snippets wait for takes milliseconds here ...
    monkeypatch.setattr(JobRuns, "_poll_interval", FAST_POLLS)  # ... and so does waiting for it
    monkeypatch.chdir(tmp_path)  # where a snippet saves its files

    def answer(request: httpx.Request) -> httpx.Response:
        if snippet.status is not None:
            request.headers["Prefer"] = f"code={snippet.status}"
        response = mock.handle(request)
        if snippet.body is not None:
            assert response.status_code == snippet.status, response.text  # the request itself was valid
            # The snippet's fields laid over a body built from the spec: still valid when the vendor adds fields.
            op, _ = mock.find(request.method, request.url.path)
            assert op is not None
            body = response_instance(op, snippet.status)
            return httpx.Response(snippet.status, json={**body, **snippet.body})
        return response

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        return answer(request)

    async def handle_async(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        return answer(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async)

    exec(compile(snippet.code, f"{snippet.path.name}:{snippet.line}", "exec"), {"__name__": "__main__"})

    printed = capsys.readouterr().out
    assert printed.strip(), "the snippet printed nothing"
    if ".sync" in snippet.code or ".asyncio" in snippet.code or "Enterprise3D(" in snippet.code:
        assert mock.requests_seen >= 1
        assert "an undocumented status" not in printed
    if snippet.status is not None:
        assert str(snippet.status) in printed, printed  # the example took the branch for that status


def test_readme_documents_every_operation_of_the_spec() -> None:
    """The operation table names each operation, its module and its high-level method; a new operation needs its
    row (and a decision)."""
    text = README.read_text(encoding="utf-8")
    for op in OPERATIONS:
        module = op.module.removeprefix(f"{PACKAGE}.api.")
        assert f"| `{op.label}` | `{module}` |" in text, f"README's operation table has no row for {op.label}"
    table = load_table()
    for line in text.splitlines():
        for op in OPERATIONS:
            module = op.module.removeprefix(f"{PACKAGE}.api.")
            if line.startswith(f"| `{op.label}` | `{module}` | `"):  # the method's name, and whether it is retried
                cells = [cell.strip() for cell in line.strip("|").split("|")]
                assert cells[2].startswith(f"`{module.rsplit('.', 1)[1]}("), line
                assert cells[4] == ("yes" if table[op.label].retry_safe else "**never**"), line


def test_the_error_table_is_the_clients_status_map() -> None:
    """One map, read by the client and by this test: each `| HTTP NNN |` row names the class that status raises, and
    every status of the map has its row."""
    rows = dict(re.findall(r"^\| HTTP (\d{3}) \| `(\w+)`", README.read_text(encoding="utf-8"), re.MULTILINE))
    assert {int(status): name for status, name in rows.items()} == {
        status: cls.__name__ for status, cls in STATUS_ERRORS.items()
    }
    text = README.read_text(encoding="utf-8")
    assert f"| HTTP 500 and up | `{error_class(500).__name__}`" in text and error_class(599) is error_class(500)
    unmapped_4xx = next(status for status in range(400, 500) if status not in STATUS_ERRORS)
    assert f"| another 4xx | `{error_class(unmapped_4xx).__name__}`" in text


def test_the_job_states_table_is_the_ledgers_transition_table() -> None:
    """docs/jobs.md's table of the rules of a paid job, row for row, is the table the ledger applies."""
    from modelslab_enterprise_3d.runs.job_states import table_rows

    text = (README.parent / "docs" / "jobs.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \| `(\w+)` \|", text, re.MULTILINE)
    assert sorted(rows) == sorted(table_rows())
