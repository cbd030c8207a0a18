"""`make bench`, the production-run part: a batch against the local mock with the largest plan's queue limit, and
what the job ledger costs.

* makespan: Enterprise3D.generate_many of 1,000 jobs of 1 to 3 s each (each job's duration drawn by the mock from
  its request), queue limit 15, over loopback; against the ideal, the server's queue always full: the jobs' total
  duration over the limit (goal: at most 1.10x);
* the same batch run again: every line saved, no request sent (goal: at most 1 s);
* a fleet: 300 jobs of 1 to 3 s over three mock servers, queue limit 5 each; against the ideal for their 15 slots
  (goal: at most 1.10x);
* the gallery of the 1,000-job batch: `modelslab-3d gallery --no-serve`'s page written (goal: at most 2 s);
* the ledger's cost per job, every commit synced to disk (synchronous=FULL): a job's four records (request, answer,
  result, files) into a ledger file (goal: at most 2 ms), in an empty ledger and in one of 10,000 jobs (flat as the
  ledger grows);
* with 10,000 jobs in a ledger: `modelslab-3d jobs --json` in a fresh process, and the start of a resumed batch of
  10,000 saved lines, which sends nothing (goal: at most 0.5 s each).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from modelslab_enterprise_3d import Enterprise3D, Ledger
from modelslab_enterprise_3d.runs.ledger import SavedFile
from modelslab_enterprise_3d.testing import SUBMISSIONS_PATH, running_mock

JOBS = 1000
QUEUE_LIMIT = 15
FLEET_JOBS = 300
FLEET_LIMITS = (5, 5, 5)
JOB_SECONDS = (1.0, 3.0)
BIG_LEDGER = 10_000

Row = tuple[str, str, str, float, float | None]


def makespan(folder: Path) -> tuple[float, float, float, int]:
    """(the batch's wall time, the ideal, a second run's wall time, requests the second run sent)."""
    with running_mock(job_seconds=JOB_SECONDS, queue_limit=QUEUE_LIMIT) as url:
        requests = [{"name": f"job-{n}", "prompt": f"bench asset {n}", "output_format": "glb"} for n in range(JOBS)]
        origin = str(httpx.URL(url).copy_with(path="/"))
        with Enterprise3D(api_key="bench-key", base_url=url) as client:
            started = time.monotonic()
            results = client.generate_many(requests, folder, concurrency=QUEUE_LIMIT)
            took = time.monotonic() - started
            assert all(result.state == "saved" for result in results), [r.message for r in results]
            sent = httpx.get(origin.rstrip("/") + SUBMISSIONS_PATH).json()
            started = time.monotonic()
            client.generate_many(requests, folder, concurrency=QUEUE_LIMIT)
            again = time.monotonic() - started
            resent = len(httpx.get(origin.rstrip("/") + SUBMISSIONS_PATH).json()) - len(sent)
    ideal = max(sum(item["seconds"] for item in sent) / QUEUE_LIMIT, max(item["seconds"] for item in sent))
    return took, ideal, again, resent


def gallery_time(folder: Path) -> float:
    """Seconds to write the gallery of a batch's folder (its page and the viewer's files), the best of 3."""
    from modelslab_enterprise_3d.cli.gallery import write_gallery

    times = []
    for _ in range(3):
        started = time.perf_counter()
        write_gallery(folder)
        times.append(time.perf_counter() - started)
    return min(times)


def fleet_makespan(folder: Path) -> tuple[float, float]:
    """(a batch's wall time over three servers, the ideal for their slots together)."""
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(running_mock(job_seconds=JOB_SECONDS, queue_limit=n)) for n in FLEET_LIMITS]
        clients = [stack.enter_context(Enterprise3D(api_key=f"bench-key-{n}", base_url=u)) for n, u in enumerate(urls)]
        requests = [
            {"name": f"job-{n}", "prompt": f"fleet asset {n}", "output_format": "glb"} for n in range(FLEET_JOBS)
        ]
        started = time.monotonic()
        results = clients[0].generate_many(requests, folder, concurrency=list(FLEET_LIMITS), clients=clients[1:])
        took = time.monotonic() - started
        assert all(result.state == "saved" for result in results), [r.message for r in results]
        sent = [
            item
            for url in urls
            for item in httpx.get(str(httpx.URL(url).copy_with(path=SUBMISSIONS_PATH, query=None))).json()
        ]
    assert len(sent) == FLEET_JOBS, "each line sent once"
    ideal = max(sum(item["seconds"] for item in sent) / sum(FLEET_LIMITS), max(item["seconds"] for item in sent))
    return took, ideal


def fill(ledger: Ledger, count: int, start: int = 0) -> float:
    """Record `count` whole jobs (request, answer, result, files), as batch lines; seconds per job."""
    started = time.perf_counter()
    for n in range(start, start + count):
        entry = ledger.record_request("text_to_3d", {"prompt": f"asset {n}", "output_format": "glb"}, name=f"j{n}")
        ledger.record_answer(entry, f"{n}-job", "processing", 2.0)
        ledger.record_result(entry, "success", [f"https://cdn.example/{n}/model.glb"])
        ledger.record_files(entry, [SavedFile(f"/assets/j{n}/model.glb", 428, "0" * 64)])
    return (time.perf_counter() - started) / count


def big_ledger(folder: Path) -> tuple[float, float, float, float]:
    """(cost per job into an empty ledger, the same once it holds 10,000, `jobs --json`'s wall time, a resumed
    batch's start)."""
    path = folder / "ledger.sqlite"
    with Ledger(path) as ledger:
        empty = fill(ledger, 1000)
        fill(ledger, BIG_LEDGER - 2000, start=1000)
        full = fill(ledger, 1000, start=BIG_LEDGER - 1000)
    env = {**os.environ, "MODELSLAB_3D_LEDGER": str(path)}
    command = [sys.executable, "-m", "modelslab_enterprise_3d", "jobs", "--json"]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    requests = [{"name": f"j{n}", "prompt": f"asset {n}", "output_format": "glb"} for n in range(BIG_LEDGER)]
    # nothing is sent: every line is saved (the base URL names no server)
    with Enterprise3D(api_key="bench-key", base_url="http://127.0.0.1:9") as client:
        started = time.perf_counter()
        results = client.generate_many(requests, folder)
        resumed = time.perf_counter() - started
    assert all(result.state == "saved" for result in results)
    return empty, full, min(times), resumed


def rows() -> list[Row]:
    """The bench table's rows for production runs: (measure, ours, reference, ratio, target)."""
    with tempfile.TemporaryDirectory() as folder:
        took, ideal, again, resent = makespan(Path(folder) / "batch")
        gallery = gallery_time(Path(folder) / "batch")
        fleet_took, fleet_ideal = fleet_makespan(Path(folder) / "fleet")
        empty, full, jobs_json, resumed = big_ledger(Path(folder))
    return [
        (
            f"batch of {JOBS} jobs of 1-3 s, queue limit {QUEUE_LIMIT}: makespan",
            f"{took:.1f} s",
            f"{ideal:.1f} s ideal",
            took / ideal,
            1.10,
        ),
        (f"the same batch run again ({resent} requests sent; at most 1 s)", f"{again:.2f} s", "1 s", again, 1.0),
        (f"its gallery, {JOBS:,} lines, written (at most 2 s)", f"{gallery:.2f} s", "2 s", gallery / 2, 1.0),
        (
            f"batch of {FLEET_JOBS} jobs of 1-3 s over {len(FLEET_LIMITS)} servers, queue limits "
            f"{'+'.join(map(str, FLEET_LIMITS))}: makespan",
            f"{fleet_took:.1f} s",
            f"{fleet_ideal:.1f} s ideal",
            fleet_took / fleet_ideal,
            1.10,
        ),
        (
            "ledger (synchronous=FULL): a job's four records, per job (at most 2 ms)",
            f"{empty * 1e3:.2f} ms",
            "2 ms",
            empty * 1e3 / 2,
            1.0,
        ),
        (
            f"... in a ledger of {BIG_LEDGER:,} jobs",
            f"{full * 1e3:.2f} ms",
            f"{empty * 1e3:.2f} ms empty",
            full / empty,
            None,
        ),
        (
            f"`jobs --json`, {BIG_LEDGER:,} jobs (fresh process; at most 0.5 s)",
            f"{jobs_json:.2f} s",
            "0.5 s",
            jobs_json / 0.5,
            1.0,
        ),
        (
            f"a resumed batch's start, {BIG_LEDGER:,} saved lines (at most 0.5 s)",
            f"{resumed:.2f} s",
            "0.5 s",
            resumed / 0.5,
            1.0,
        ),
    ]


if __name__ == "__main__":
    for row in rows():
        print(row)
