"""`modelslab-3d gallery OUT`: a page showing every line of a batch -- its model in an interactive 3D view, its prompt
or image, its state, job id, server, each file's size and sha256, and for an unfinished line what continues it.

The page (`OUT/index.html`) is written from the batch's ledger and carries its data; what it needs to show models
(Google's model-viewer and three.js, shipped in the package) is copied beside it into `OUT/.gallery/`, so that
nothing is fetched from the network. A model loads when its card scrolls into view. Browsers refuse to load a
model from a `file://` page, so the command serves the folder on loopback and opens the browser.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..runs.batch import LEDGER_NAME
from ..runs.job_states import DONE, QUEUED, SAVED
from .next_steps import NEXT_STEPS
from .profiles import PROGRAM

ASSETS = Path(__file__).with_name("gallery_assets")
ASSETS_FOLDER = ".gallery"  # beside index.html in the batch's folder
PAGE = "index.html"
# The formats the page shows, most wanted first (model-viewer shows glTF; the others are read with three.js).
SHOWN_FORMATS = ("glb", "gltf", "obj", "stl", "ply")
INPUT_FIELDS = ("prompt", "image")  # what a card shows of what was asked for


def next_step(state: str, job_id: str | None, name: str, out: Path) -> str:
    """What continues a line that is not saved: a queued or finished job's wait (its files into the line's folder),
    else the batch again with the flag its state needs (NEXT_STEPS, as the batch's summary says it)."""
    if state == SAVED:
        return ""
    if state in (QUEUED, DONE) and job_id:
        return f"{PROGRAM} wait {job_id} -o {out / name}"
    flag, _ = NEXT_STEPS.get(state, ("", ""))
    return f"{PROGRAM} batch JOBS.jsonl -o {out}" + (f" {flag}" if flag else "")


def gallery_lines(out: Path) -> list[dict[str, Any]]:
    """A card's data for each line the batch's ledger holds, in the order they were sent."""
    from ..runs.ledger import Ledger

    path = out / LEDGER_NAME
    if not path.exists():
        raise FileNotFoundError(f"{out} holds no batch (no {LEDGER_NAME}): run `{PROGRAM} batch ... -o {out}` first")
    with Ledger(path) as ledger:
        entries = [entry for entry in ledger.entries() if entry.name is not None]
    lines = []
    for entry in entries:
        name = str(entry.name)
        files: list[dict[str, Any]] = []
        paths: list[str] = []
        for saved in entry.files:
            file = Path(saved.path).resolve()
            paths.append((file.relative_to(out) if file.is_relative_to(out) else file).as_posix())
            files.append({"path": paths[-1], "size": saved.size, "sha256": saved.sha256})
        shown = sorted(
            (path for path in paths if _format(path) in SHOWN_FORMATS),
            key=lambda path: SHOWN_FORMATS.index(_format(path)),
        )
        model = {"path": shown[0], "format": _format(shown[0])} if shown else None
        asked = next((f"{k}: {entry.inputs[k]}" for k in INPUT_FIELDS if entry.inputs.get(k)), "")
        state = entry.shown_state
        lines.append(
            {
                "name": name,
                "state": state,
                "job_id": entry.job_id,
                "server": f"profile {entry.profile}" if entry.profile else entry.server,
                "input": asked,
                "files": files,
                "model": model,
                "next": next_step(state, entry.job_id, name, out),
            }
        )
    return lines


def _format(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower()


def page(lines: list[dict[str, Any]], title: str) -> str:
    """The gallery's HTML: its data (JSON, with `</` escaped so that no value can end the script), the filters by
    state, and the viewer's modules from the assets folder (an import map names three.js for them)."""
    data = json.dumps(lines, ensure_ascii=False).replace("</", "<\\/")
    states: dict[str, int] = {}
    for line in lines:
        states[line["state"]] = states.get(line["state"], 0) + 1
    buttons = "".join(
        f'<button data-state="{html.escape(state)}" aria-pressed="false">{html.escape(state)} ({count})</button>'
        for state, count in sorted(states.items())
    )
    imports = {"three": f"./{ASSETS_FOLDER}/three.module.min.js", "three/addons/": f"./{ASSETS_FOLDER}/addons/"}
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="./{ASSETS_FOLDER}/gallery.css">
<script type="importmap">{json.dumps({"imports": imports})}</script>
</head>
<body>
<header><h1>{html.escape(title)}</h1><span id="summary"></span>
<button data-state="" aria-pressed="true">all ({len(lines)})</button>{buttons}</header>
<main id="cards"></main>
<script type="application/json" id="gallery-data">{data}</script>
<script type="module" src="./{ASSETS_FOLDER}/gallery.js"></script>
</body>
</html>
"""


def write_gallery(out: Path) -> Path:
    """Write `out/index.html` for the batch in `out` (and the viewer's files into `out/.gallery/`); its path."""
    out = Path(out).resolve()
    lines = gallery_lines(out)
    target = out / ASSETS_FOLDER
    shutil.copytree(ASSETS, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    written = out / PAGE
    staged = out / f".{PAGE}.new"  # (renamed into place: a page open in a browser is never half written)
    staged.write_text(page(lines, f"{out.name}: {len(lines)} lines"), encoding="utf-8")
    staged.replace(written)
    return written


@contextmanager
def serving(folder: Path, port: int = 0) -> Iterator[str]:
    """Serve `folder` over HTTP on 127.0.0.1 (`port`, 0: a free one) while the block runs; the page's URL."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{PAGE}"
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["gallery_lines", "page", "serving", "write_gallery"]
