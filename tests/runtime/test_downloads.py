"""Saving files, as the runtime decides it: which URLs, which names, and that a set of files lands whole or not at
all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codegen.runtime.runs import downloads as _downloads


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://cdn.example/generations/abc-0.glb", "abc-0.glb"),
        ("https://cdn.example/a/..%2F..%2Fetc%2Fpasswd", "passwd"),
        ("https://cdn.example/a/..", "output-3"),
        ("https://cdn.example/", "output-3"),
        ("https://cdn.example/.bashrc", "bashrc"),
        ("https://cdn.example/x/a%20b%3F.obj?sig=1#frag", "a_b_.obj"),
        ("https://cdn.example/C:%5Cwin%5Csys.ini", "sys.ini"),
    ],
)
def test_a_name_is_the_urls_last_segment_made_safe(url: str, name: str) -> None:
    assert _downloads.safe_name(url, 3) == name


def test_names_are_made_distinct_and_an_existing_file_is_refused_before_anything(tmp_path: Path) -> None:
    urls = ["https://a/x/m.glb", "https://b/y/m.glb", "https://c/m.glb"]
    assert [p.name for p in _downloads.targets(urls, tmp_path, False)] == ["m.glb", "m-1.glb", "m-2.glb"]
    (tmp_path / "m-1.glb").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match=r"m-1\.glb"):
        _downloads.targets(urls, tmp_path, False)
    assert len(_downloads.targets(urls, tmp_path, True)) == 3


@pytest.mark.parametrize(
    ("result", "urls"),
    [
        ({"output": ["https://a/1.glb"]}, ["https://a/1.glb"]),
        ("https://a/1.glb", ["https://a/1.glb"]),
        (["https://a/1.glb", "http://b/2.obj"], ["https://a/1.glb", "http://b/2.obj"]),
    ],
)
def test_the_urls_of_a_result(result: Any, urls: list[str]) -> None:
    assert _downloads.output_urls(result) == urls


@pytest.mark.parametrize("result", [{"output": None}, object(), ["file:///etc/passwd"], ["https:no-host"], [5]])
def test_what_is_no_list_of_http_urls_is_refused(result: Any) -> None:
    with pytest.raises(ValueError):
        _downloads.output_urls(result)


def test_placing_is_all_or_nothing(tmp_path: Path) -> None:
    parts = []
    for name in ("a", "b"):
        handle, part = _downloads.new_part(tmp_path / name)
        with handle:
            handle.write(name.encode())
        parts.append(part)
    (tmp_path / "b").write_bytes(b"appeared meanwhile")
    with pytest.raises(FileExistsError):
        _downloads.place(parts, [tmp_path / "a", tmp_path / "b"], overwrite=False)
    assert not (tmp_path / "a").exists(), "the file placed before the failure is taken back"
    assert (tmp_path / "b").read_bytes() == b"appeared meanwhile", "a file not ours is never replaced"


def test_each_file_is_synced_before_its_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import httpx

    from modelslab_enterprise_3d.testing.mock_jobs import MODEL_FILES

    events: list[str] = []
    fsync, link = os.fsync, os.link

    def synced(fd: int) -> None:
        events.append("folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        fsync(fd)

    def linked(source: Any, target: Any) -> None:
        events.append("rename")
        link(source, target)

    monkeypatch.setattr(os, "fsync", synced)
    monkeypatch.setattr(os, "link", linked)
    files = {"/m.glb": MODEL_FILES["glb"], "/m.obj": MODEL_FILES["obj"]}
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=files[r.url.path])))
    saved = _downloads.download(http, [f"https://cdn.example{p}" for p in files], tmp_path, False, None)
    assert [f.format for f in saved] == ["glb", "obj"] and all(f.verified for f in saved)
    assert events == ["file", "file", "rename", "rename", "folder"], events
