"""`make bench`: the generated client's cost over raw httpx, measured in one run.

    python -m enterprise3d_devkit.bench [--calls 2000] [--profile] [--output enterprise3d_devkit/BENCHMARKS.md]

Prints, each as a ratio against raw httpx measured in the same run:
  * per call, in-process: generated sync_detailed / asyncio_detailed vs httpx post() + json(), through the
    same httpx.MockTransport answering a fixed body (so only client-side work is compared);
  * 1000 sequential calls over loopback against the local mock server, generated vs raw httpx;
  * `import modelslab_enterprise_3d` (with the clear_queue module) vs `import httpx`, fresh processes, median;
  * wall time of generating the package (generate.sh into a temp dir, median of 3).
Timings are best-of-N (min) for the in-process figures and medians of interleaved rounds for loopback,
to keep scheduler noise out of a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from enterprise3d_devkit.generate import run_generate_sh
from enterprise3d_devkit.instances import response_instance
from enterprise3d_devkit.layout import PACKAGE
from enterprise3d_devkit.mock_server import running_mock_server
from enterprise3d_devkit.operations import operations, server_base_url
from enterprise3d_devkit.overlay import effective_spec
from modelslab_enterprise_3d import Client
from modelslab_enterprise_3d.api.server_management import clear_queue
from modelslab_enterprise_3d.models import ApiKeyRequest

SPEC = effective_spec()
CLEAR_QUEUE = next(op for op in operations(SPEC) if op.module == clear_queue.__name__)
BODY = json.dumps(response_instance(CLEAR_QUEUE, 200)).encode()
BASE_URL = server_base_url(SPEC)
OUTPUT = Path(__file__).with_name("BENCHMARKS.md")
KEY = "bench-key"


def fixed_transport() -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda request: httpx.Response(200, content=BODY, headers={"content-type": "application/json"})
    )


def best_per_call(run_batch: Callable[[int], None], calls: int, repeats: int = 7) -> float:
    run_batch(min(calls, 200))  # warm up
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run_batch(calls)
        timings.append((time.perf_counter() - started) / calls)
    return min(timings)


def in_process_sync(calls: int) -> tuple[float, float]:
    generated = Client(base_url=BASE_URL, httpx_args={"transport": fixed_transport()})
    raw = httpx.Client(base_url=BASE_URL, transport=fixed_transport())

    def run_generated(n: int) -> None:
        for _ in range(n):
            clear_queue.sync_detailed(client=generated, body=ApiKeyRequest(key=KEY))

    def run_raw(n: int) -> None:
        for _ in range(n):
            raw.post("/clear_queue", json={"key": KEY}).json()

    with generated, raw:
        return best_per_call(run_generated, calls), best_per_call(run_raw, calls)


def in_process_async(calls: int) -> tuple[float, float]:
    async def measure() -> tuple[float, float]:
        generated = Client(base_url=BASE_URL, httpx_args={"transport": fixed_transport()})
        raw = httpx.AsyncClient(base_url=BASE_URL, transport=fixed_transport())

        async def run_generated(n: int) -> float:
            started = time.perf_counter()
            for _ in range(n):
                await clear_queue.asyncio_detailed(client=generated, body=ApiKeyRequest(key=KEY))
            return (time.perf_counter() - started) / n

        async def run_raw(n: int) -> float:
            started = time.perf_counter()
            for _ in range(n):
                (await raw.post("/clear_queue", json={"key": KEY})).json()
            return (time.perf_counter() - started) / n

        async with generated, raw:
            await run_generated(200)
            await run_raw(200)
            g = min([await run_generated(calls) for _ in range(7)])
            r = min([await run_raw(calls) for _ in range(7)])
        return g, r

    return asyncio.run(measure())


def loopback(calls: int = 1000, rounds: int = 7) -> tuple[float, float]:
    """Median seconds per round of `calls` sequential calls, generated and raw, rounds interleaved so that
    drift on the machine (the server shares its 2 cores with the client) hits both sides alike."""
    with running_mock_server(port=0) as url:
        generated = Client(base_url=url)
        raw = httpx.Client(base_url=url)
        with generated, raw:
            clear_queue.sync_detailed(client=generated, body=ApiKeyRequest(key=KEY))
            raw.post("/clear_queue", json={"key": KEY}).json()
            g_times, r_times = [], []
            for _ in range(rounds):
                started = time.perf_counter()
                for _ in range(calls):
                    clear_queue.sync_detailed(client=generated, body=ApiKeyRequest(key=KEY))
                g_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                for _ in range(calls):
                    raw.post("/clear_queue", json={"key": KEY}).json()
                r_times.append(time.perf_counter() - started)
    return statistics.median(g_times), statistics.median(r_times)


def import_time(module: str, runs: int = 15) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    samples = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples)


def generate_time(runs: int = 3) -> float:
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            result = run_generate_sh("--out", str(Path(tmp) / PACKAGE))
            if result.returncode != 0:
                raise RuntimeError(result.stderr)
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def profile_generated_call(calls: int) -> None:
    client = Client(base_url=BASE_URL, httpx_args={"transport": fixed_transport()})
    with client:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            clear_queue.sync_detailed(client=client, body=ApiKeyRequest(key=KEY))
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def render_markdown(rows: list[tuple[str, str, str, float, float | None]], generation: float) -> str:
    """The figures as the Markdown page CONTRIBUTING.md links: what was measured, where, and against which target."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (enterprise3d_devkit/bench.py); do not edit by hand. Last run "
        f"{datetime.date.today().isoformat()}, Python {platform.python_version()}, httpx {httpx.__version__}, "
        f"{os.cpu_count()} cores.",
        "",
        "| measure | generated | raw httpx | ratio | target | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, generated, raw, ratio, target in rows:
        verdict = "" if target is None else ("meets target" if ratio <= target else "OVER target")
        shown_target = "" if target is None else f"{target:.2f}"
        lines.append(f"| {name} | {generated} | {raw} | {ratio:.3f} | {shown_target} | {verdict} |")
    lines += ["", f"generate.sh (`make generate`), median of 3: {generation:.2f} s", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="calls per in-process batch (default 2000)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the generated call")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"Markdown file for the figures (default {OUTPUT})")
    args = parser.parse_args()

    rows: list[tuple[str, str, str, float, float | None]] = []
    g, r = in_process_sync(args.calls)
    rows.append(("in-process sync, per call", f"{g * 1e6:.1f} us", f"{r * 1e6:.1f} us", g / r, 1.05))
    g, r = in_process_async(args.calls)
    rows.append(("in-process async, per call", f"{g * 1e6:.1f} us", f"{r * 1e6:.1f} us", g / r, 1.05))
    g, r = loopback()
    rows.append(("loopback, 1000 sequential calls", f"{g:.2f} s", f"{r:.2f} s", g / r, 1.02))
    g, r = import_time("modelslab_enterprise_3d.api.server_management.clear_queue"), import_time("httpx")
    rows.append(("import (fresh process, median)", f"{g * 1e3:.1f} ms", f"{r * 1e3:.1f} ms", g / r, 1.15))
    generation = generate_time()

    table = render_markdown(rows, generation)
    print(table)
    args.output.write_text(table, encoding="utf-8")
    print(f"\nwritten to {args.output}")
    if args.profile:
        profile_generated_call(args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
