"""`modelslab-3d gallery OUT`: the page of a batch made against the mock, opened in a real browser (Debian's Chromium,
headless, WebGL in software): every line has its card, every model (glb, obj, stl, ply) fired its load event and was
drawn (its first frame is not the background), an unfinished line says what continues it, nothing is fetched from
another host; the screenshot is kept in build/artifacts/gallery.png."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from enterprise3d_devkit.repo.layout import REPO
from modelslab_enterprise_3d import Enterprise3D
from modelslab_enterprise_3d.__main__ import main
from modelslab_enterprise_3d.cli.gallery import ASSETS_FOLDER, PAGE, serving
from modelslab_enterprise_3d.testing import running_mock
from tests.support.generation import FAST_POLLS

pytestmark = pytest.mark.slow  # a browser renders four models in software
FORMATS = ("glb", "obj", "stl", "ply")
ARTIFACT = REPO / "build" / "artifacts" / "gallery.png"
CHROMIUM = ["--headless=new", "--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
CHROMIUM += ["--window-size=1400,1000", "--virtual-time-budget=60000", "--run-all-compositor-stages-before-draw"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        pytest.fail("no chromium: `make chromium` installs Debian's (make test and .ci/run do it first)")
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A batch against the mock: one saved line per model format, and one still queued."""
    out = tmp_path_factory.mktemp("gallery") / "out"
    lines = [{"name": f"model-{f}", "prompt": f"a chair as {f}", "output_format": f} for f in FORMATS]
    with running_mock(job_seconds=(0.05, 0.1), queue_limit=None) as url, Enterprise3D(api_key="k", base_url=url) as c:
        c._poll_interval = FAST_POLLS  # type: ignore[misc]
        assert {r.state for r in c.generate_many(lines, out)} == {"saved"}
    with running_mock(job_seconds=60.0, queue_limit=None) as url, Enterprise3D(api_key="k", base_url=url) as c:
        (late,) = c.generate_many([{"name": "model-late", "prompt": "a slow chair"}], out, timeout=0.05)
    assert late.state == "queued"
    return out


def data_of(page: str) -> list[dict[str, Any]]:
    found = re.search(r'<script type="application/json" id="gallery-data">(.*?)</script>', page, re.S)
    assert found is not None
    return list(json.loads(found.group(1)))


def test_the_gallery_command_writes_a_card_per_line_and_what_continues_an_unfinished_one(
    batch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gallery", str(batch), "--no-serve"]) == 0
    assert capsys.readouterr().out.strip() == str((batch / PAGE).resolve())
    page = (batch / PAGE).read_text(encoding="utf-8")
    lines = {line["name"]: line for line in data_of(page)}
    assert set(lines) == {*(f"model-{f}" for f in FORMATS), "model-late"}
    for fmt in FORMATS:
        line = lines[f"model-{fmt}"]
        assert line["state"] == "saved" and line["model"]["format"] == fmt and line["job_id"] and line["server"]
        (file,) = line["files"]
        saved = batch / file["path"]
        assert saved.stat().st_size == file["size"] and len(file["sha256"]) == 64
        assert line["input"] == f"prompt: a chair as {fmt}" and line["next"] == ""
    late = lines["model-late"]
    assert late["model"] is None and late["next"].startswith(f"modelslab-3d wait {late['job_id']}")
    # nothing is fetched from the network: every script, style and model is a path of the folder
    assert (
        not re.search(r'(src|href)="https?:', page) and (batch / ASSETS_FOLDER / "model-viewer-module.min.js").is_file()
    )
    assert (batch / ASSETS_FOLDER / "LICENSE.model-viewer").is_file() and (
        batch / ASSETS_FOLDER / "LICENSE.three"
    ).is_file()


def test_in_a_real_browser_every_model_loads_and_is_drawn(batch: Path) -> None:
    browser = chromium()
    assert main(["gallery", str(batch), "--no-serve"]) == 0
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    with serving(batch) as url:
        for _ in range(3):  # (a busy machine: the page's last frame may come after the browser's time budget)
            dom = subprocess.run([browser, *CHROMIUM, "--dump-dom", url], capture_output=True, text=True, timeout=180)
            if dom.stdout.count("data-pixels=") == len(FORMATS):
                break
        shot = subprocess.run([browser, *CHROMIUM, f"--screenshot={ARTIFACT}", url], capture_output=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    cards = {
        m["name"]: m
        for m in re.finditer(
            r'<article class="card"(?P<attrs>[^>]*)data-name="(?P<name>[^"]+)"(?P<rest>[^>]*)>', dom.stdout
        )
    }
    assert set(cards) == {*(f"model-{f}" for f in FORMATS), "model-late"}, dom.stdout[-2000:]
    for fmt in FORMATS:
        attributes = cards[f"model-{fmt}"]["rest"]
        assert 'data-loaded="yes"' in attributes, (fmt, attributes)
        drawn = re.search(r'data-pixels="(\d+)"', attributes)
        assert drawn is not None and int(drawn.group(1)) > 1000, (fmt, attributes)  # the model's area is not blank
    assert 'data-loaded="4"' in dom.stdout and 'data-failed="0"' in dom.stdout
    assert (
        shot.returncode == 0 and ARTIFACT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and ARTIFACT.stat().st_size > 20_000
    )
