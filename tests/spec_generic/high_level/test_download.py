"""Saving a result's files (Enterprise3D.download and its async twin): streamed into temporary files beside their
names, checked against Content-Length, renamed all together -- and on any failure nothing left behind. The file
host gets neither the API key nor the client's headers; the key goes only to the base URL, never to a URL an
answer names."""

from __future__ import annotations

import asyncio
import json
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.spec.operations import Operation, server_base_url
from modelslab_enterprise_3d import DownloadError, Enterprise3D
from modelslab_enterprise_3d.testing.mock_jobs import MODEL_FILES
from tests.support.generation import GENERATING, and_wait, client_on, mock
from tests.support.high_level import KEY
from tests.support.spec_cases import SPEC, op_id

FILES = "http://files.example.test"


def file_host(files: dict[str, bytes], lengths: dict[str, int] | None = None) -> httpx.MockTransport:
    """Serves `files` by path; `lengths` announces another Content-Length (a transfer that breaks off)."""

    def handler(request: httpx.Request) -> httpx.Response:
        content = files.get(request.url.path)
        if content is None:
            return httpx.Response(404)
        headers = {"content-length": str((lengths or {}).get(request.url.path, len(content)))}
        return httpx.Response(200, stream=httpx.ByteStream(content), headers=headers)

    return httpx.MockTransport(handler)


def client() -> Any:
    return client_on(mock().handle)


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_files_are_saved_under_names_from_their_urls_and_nothing_else(tmp_path: Path) -> None:
    files = {"/a/model.glb": MODEL_FILES["glb"], "/b/model.glb": MODEL_FILES["glb"], "/c/": b"no name"}
    progress: list[tuple[str, int, int | None]] = []
    with client() as c, httpx.Client(transport=file_host(files)) as http:
        saved = c.download(
            [FILES + path for path in files], tmp_path, http_client=http, on_progress=lambda *a: progress.append(a)
        )
    assert [path.name for path in saved] == ["model.glb", "model-1.glb", "output-2"]
    assert [path.read_bytes() for path in saved] == list(files.values())
    assert leftovers(tmp_path) == sorted(path.name for path in saved), "no temporary file is left"
    assert progress[-1] == (FILES + "/c/", len(b"no name"), len(b"no name"))


@pytest.mark.parametrize(
    "url", [FILES + "/x/..%2F..%2Fescape.bin", FILES + "/x/%2E%2E", FILES + "/..\\..\\win.bin", FILES + "/.hidden"]
)
def test_a_name_from_a_url_never_leaves_the_directory(tmp_path: Path, url: str) -> None:
    inside = tmp_path / "inside"
    path = httpx.URL(url).path
    with client() as c, httpx.Client(transport=file_host({path: b"data"})) as http:
        (saved,) = c.download([url], inside, http_client=http)
    assert saved.parent == inside and not saved.name.startswith(".")
    assert leftovers(tmp_path) == ["inside"] and saved.read_bytes() == b"data"


def test_a_transfer_shorter_than_its_content_length_leaves_nothing(tmp_path: Path) -> None:
    files = {"/whole.bin": b"whole file", "/short.bin": b"0123456789"}
    broken = httpx.Client(transport=file_host(files, {"/short.bin": 1000}))
    with client() as c, broken as http, pytest.raises(DownloadError, match="Content-Length") as caught:
        c.download([FILES + "/whole.bin", FILES + "/short.bin"], tmp_path, http_client=http)
    assert caught.value.url.endswith("/short.bin")
    assert leftovers(tmp_path) == [], "neither the part nor the file saved before it is left"


def test_an_interruption_mid_file_leaves_nothing(tmp_path: Path) -> None:
    def interrupt(url: str, received: int, total: int | None) -> None:
        raise KeyboardInterrupt

    http = httpx.Client(transport=file_host({"/m.bin": b"x" * 10}))
    with client() as c, http, pytest.raises(KeyboardInterrupt):
        c.download([FILES + "/m.bin"], tmp_path, http_client=http, on_progress=interrupt)
    assert leftovers(tmp_path) == []


def test_an_error_status_raises_with_it(tmp_path: Path) -> None:
    with client() as c, httpx.Client(transport=file_host({})) as http, pytest.raises(DownloadError) as caught:
        c.download([FILES + "/gone.bin"], tmp_path, http_client=http)
    assert caught.value.status_code == 404 and leftovers(tmp_path) == []


def test_an_existing_file_is_replaced_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"mine")
    with client() as c, httpx.Client(transport=file_host({"/model.bin": b"theirs"})) as http:
        with pytest.raises(FileExistsError):
            c.download([FILES + "/model.bin"], tmp_path, http_client=http)
        assert (tmp_path / "model.bin").read_bytes() == b"mine" and leftovers(tmp_path) == ["model.bin"]
        c.download([FILES + "/model.bin"], tmp_path, http_client=http, overwrite=True)
    assert (tmp_path / "model.bin").read_bytes() == b"theirs" and leftovers(tmp_path) == ["model.bin"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://files.example.test/a.glb", "/relative.glb", "x"])
def test_only_http_urls_are_downloaded(tmp_path: Path, url: str) -> None:
    with client() as c, pytest.raises(ValueError, match="http"):
        c.download([url], tmp_path)
    assert leftovers(tmp_path) == []


def test_the_async_download_saves_the_same_and_an_interruption_leaves_nothing(tmp_path: Path) -> None:
    files = {"/model.glb": MODEL_FILES["glb"]}

    async def run() -> Any:
        async with client_on(mock().handle, asynchronous=True) as c:
            async with httpx.AsyncClient(transport=file_host(files)) as http:
                saved = await c.download([FILES + "/model.glb"], tmp_path / "ok", http_client=http)
            async with httpx.AsyncClient(transport=file_host(files, {"/model.glb": 5})) as http:
                with pytest.raises(DownloadError):
                    await c.download([FILES + "/model.glb"], tmp_path / "broken", http_client=http)
            return saved

    (saved,) = asyncio.run(run())
    assert saved.read_bytes() == files["/model.glb"] and leftovers(tmp_path / "broken") == []


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_the_key_goes_only_to_the_base_url_never_to_a_url_an_answer_names(op: Operation, tmp_path: Path) -> None:
    """A whole generation -- submit, wait, download -- whose answers name another host for the files and for
    fetching the result: the key and the client's headers reach only the base URL."""
    jobs = mock(job_seconds=0.05, files_origin=FILES)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        answer = jobs.handle(request)
        if answer.headers.get("content-type") == "application/json":  # the job's own URL, on another host
            body = json.loads(answer.content)
            if isinstance(body, dict) and "fetch_result" in body:
                body["fetch_result"] = "http://elsewhere.example.test/fetch"
                return httpx.Response(answer.status_code, json=body)
        return answer

    with client_on(handler, default_headers={"X-Team-Secret": "team-secret"}) as c:
        result = and_wait(c, op)(timeout=10)
        with httpx.Client(transport=httpx.MockTransport(handler)) as http:
            saved = c.download(result, tmp_path, http_client=http)
        base_host = httpx.URL(c.base_url).host
    assert saved and all(path.stat().st_size > 0 for path in saved)
    hosts = {request.url.host for request in seen}
    assert "elsewhere.example.test" not in hosts and httpx.URL(FILES).host in hosts
    for request in seen:
        carries = KEY in request.content.decode(errors="replace") or KEY in str(request.url)
        carries = carries or any(KEY in value for value in request.headers.values())
        if request.url.host != base_host:
            assert not carries and "x-team-secret" not in request.headers, request.url
        else:
            assert "x-team-secret" in request.headers


def test_the_file_hosts_client_verifies_tls_whatever_the_api_client_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[dict[str, Any]] = []
    real = httpx.Client

    def recording(**settings: Any) -> httpx.Client:
        made.append(settings)
        return real(transport=file_host({"/m.bin": b"data"}), **settings)

    api = {"verify": False, "transport": httpx.MockTransport(mock().handle)}
    with Enterprise3D(api_key=KEY, base_url=server_base_url(SPEC), httpx_args=api, default_headers={"X-T": "t"}) as c:
        monkeypatch.setattr(httpx, "Client", recording)
        (saved,) = c.download([FILES + "/m.bin"], tmp_path)
    assert saved.read_bytes() == b"data"
    (settings,) = made
    verify = settings["verify"]  # httpx's default context (shared), never the API client's verify=False
    assert isinstance(verify, ssl.SSLContext) and verify.verify_mode == ssl.CERT_REQUIRED and verify.check_hostname
    assert "headers" not in settings and settings["follow_redirects"] is True
