"""`make bench`: the generated client's cost over raw httpx, measured in one run.

    python -m enterprise3d_devkit.bench.report [--calls 2000] [--profile] [--output BENCHMARKS.md]

Prints, each as a ratio against raw httpx measured in the same run:
  * per call, in-process: the functions sync_detailed / asyncio_detailed, and the high-level Enterprise3D /
    AsyncEnterprise3D method, vs httpx post() + json() on a client with base_url, through the same
    httpx.MockTransport answering a fixed body (so only client-side work is compared); the high-level call also
    against raw httpx posting the absolute URL (what the high-level client sends; no target);
  * 1000 sequential calls over loopback against the local mock server, generated vs raw httpx;
  * a fresh process doing `import modelslab_enterprise_3d` and one high-level call vs `import httpx, attrs` (the
    package's two dependencies) and the same call, median of 15, on openapi.yaml's package and on one generated from
    the largest corpus document;
  * wall time of generating the package (generate.sh into a temp dir, median of 3);
  * a generation: how soon a wait sees a finished job, download throughput and memory (bench_generation.py);
  * a production run: a batch's makespan within the queue limit, a finished batch run again, the job ledger's cost
    per job and with 10,000 jobs (bench_batch.py);
  * an MCP tool call over the same call in Python, both over loopback (bench/mcp.py).
Timings are best-of-N (min) for the in-process figures and medians of interleaved rounds for loopback,
to keep scheduler noise out of a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from enterprise3d_devkit.bench import batch as bench_batch
from enterprise3d_devkit.bench import generation as bench_generation
from enterprise3d_devkit.bench import mcp as bench_mcp
from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import PACKAGE, REPO
from enterprise3d_devkit.spec.instances import response_instance
from enterprise3d_devkit.spec.operations import Operation, operations, server_base_url
from enterprise3d_devkit.spec.overlay import effective_spec
from modelslab_enterprise_3d import AsyncEnterprise3D, Client, Enterprise3D
from modelslab_enterprise_3d.api.server_management import clear_queue
from modelslab_enterprise_3d.models import ApiKeyRequest
from modelslab_enterprise_3d.testing import running_mock

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


def best_per_call(*run_batches: Callable[[int], None], calls: int, repeats: int = 7) -> list[float]:
    """Seconds per call of each `run_batch(n)`: the best of `repeats` batches of `calls`, after a warm-up. The
    batches of the sides take turns, so that drift on the machine (another process, the CPU's clock) hits every
    side alike instead of whichever ran last."""
    for run_batch in run_batches:
        run_batch(min(calls, 200))  # warm up
    timings: list[list[float]] = [[] for _ in run_batches]
    for _ in range(repeats):
        for run_batch, times in zip(run_batches, timings, strict=True):
            started = time.perf_counter()
            run_batch(calls)
            times.append((time.perf_counter() - started) / calls)
    return [min(times) for times in timings]


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
        generated_time, raw_time = best_per_call(run_generated, run_raw, calls=calls)
        return generated_time, raw_time


async def best_per_async_call(*calls_of: Callable[[], Awaitable[object]], calls: int, repeats: int = 7) -> list[float]:
    """best_per_call for coroutine functions: the best of `repeats` batches each, the sides taking turns."""

    async def batch(call: Callable[[], Awaitable[object]], n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            await call()
        return (time.perf_counter() - started) / n

    for call in calls_of:
        await batch(call, min(calls, 200))
    timings: list[list[float]] = [[] for _ in calls_of]
    for _ in range(repeats):
        for call, times in zip(calls_of, timings, strict=True):
            times.append(await batch(call, calls))
    return [min(times) for times in timings]


def compare_async(ours: Any, call: Callable[[Any], Awaitable[object]], calls: int) -> tuple[float, float]:
    """Per call: `call(ours)` (an async client of this package) vs raw httpx post() + json(), same transport."""

    async def measure() -> tuple[float, float]:
        raw = httpx.AsyncClient(base_url=BASE_URL, transport=fixed_transport())

        async def raw_call() -> object:
            return (await raw.post("/clear_queue", json={"key": KEY})).json()

        async with ours, raw:
            ours_time, raw_time = await best_per_async_call(lambda: call(ours), raw_call, calls=calls)
            return ours_time, raw_time

    return asyncio.run(measure())


def in_process_async(calls: int) -> tuple[float, float]:
    generated = Client(base_url=BASE_URL, httpx_args={"transport": fixed_transport()})
    return compare_async(
        generated, lambda client: clear_queue.asyncio_detailed(client=client, body=ApiKeyRequest(key=KEY)), calls
    )


def in_process_high_level(calls: int) -> tuple[float, float, float]:
    """Enterprise3D.clear_queue() vs raw httpx with base_url (the other rows' baseline) and with the absolute URL."""
    high_level = Enterprise3D(api_key=KEY, base_url=BASE_URL, httpx_args={"transport": fixed_transport()})
    raw = httpx.Client(base_url=BASE_URL, transport=fixed_transport())
    absolute = httpx.Client(transport=fixed_transport())
    url = BASE_URL + "/clear_queue"

    def run_high_level(n: int) -> None:
        for _ in range(n):
            high_level.clear_queue()

    def run_raw(n: int) -> None:
        for _ in range(n):
            raw.post("/clear_queue", json={"key": KEY}).json()

    def run_absolute(n: int) -> None:
        for _ in range(n):
            absolute.post(url, json={"key": KEY}).json()

    with high_level, raw, absolute:
        high_level_time, raw_time, absolute_time = best_per_call(run_high_level, run_raw, run_absolute, calls=calls)
        return high_level_time, raw_time, absolute_time


def in_process_high_level_async(calls: int) -> tuple[float, float]:
    high_level = AsyncEnterprise3D(api_key=KEY, base_url=BASE_URL, httpx_args={"transport": fixed_transport()})
    return compare_async(high_level, lambda client: client.clear_queue(), calls)


def loopback(calls: int = 1000, rounds: int = 7) -> tuple[float, float]:
    """Median seconds per round of `calls` sequential calls, generated and raw, rounds interleaved so that
    drift on the machine (the server shares its 2 cores with the client) hits both sides alike."""
    with running_mock() as url:
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


def fresh_process_env(pythonpath: str | None = None) -> dict[str, str]:
    """The environment of a measured process: like an installed package's, with bytecode caches (pip writes them
    at install; a PYTHONDONTWRITEBYTECODE inherited from a dev shell would make every import compile the source)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return env


def compile_package(folder: Path) -> None:
    compileall.compile_dir(str(folder), quiet=1)


def import_time(module: str, runs: int = 15) -> float:
    compile_package(REPO / "generated" / PACKAGE)
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = fresh_process_env()
    samples = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples)


# One fresh process: the import and one call, timed inside (interpreter start-up excluded). The transport answers
# a fixed, spec-built body, so the call costs the same on both sides apart from the client's own work.
IMPORT_AND_CALL = """
import time
started = time.perf_counter()
{setup}
import httpx
headers = {{"content-type": "application/json"}}
answer = httpx.MockTransport(lambda request: httpx.Response({status}, content={body!r}, headers=headers))
{call}
print(time.perf_counter() - started)
"""


def first_argument_free_call(spec: dict[str, object]) -> tuple[Operation, str, int, bytes]:
    """An operation whose high-level method needs no argument but its path parameters (all strings here), the
    method call, its success status and a success body built from the spec."""
    for op in operations(spec):
        required = [
            name
            for name, prop in ((op.request_schema or {}).get("properties") or {}).items()
            if name != "key" and name in (op.request_schema or {}).get("required", [])
        ]
        status = min((s for s in op.responses if 200 <= s < 300), default=None)
        if required or status is None or op.responses[status].schema is None:
            continue
        body = response_instance(op, status)
        if isinstance(body, dict) and body.get("status") == "error":
            continue
        path_args = ", ".join('"1"' for p in op.parameters if p.get("in") == "path")
        return op, f"{op.module.rsplit('.', 1)[1]}({path_args})", status, json.dumps(body).encode()
    raise RuntimeError("no operation can be called without arguments")


def import_and_call(spec: dict[str, object], pythonpath: str, runs: int = 15) -> tuple[float, float]:
    """Median seconds, in fresh processes: import the package and make one high-level call; import httpx and make
    the same request with raw httpx."""
    op, call, status, body = first_argument_free_call(spec)
    base = server_base_url(spec)
    ours = IMPORT_AND_CALL.format(
        setup=f"import {PACKAGE}",
        status=status,
        body=body,
        call=f"{PACKAGE}.Enterprise3D(api_key={KEY!r}, base_url={base!r}, httpx_args={{'transport': answer}}).{call}",
    )
    path = base + op.path.replace("{", "").replace("}", "")
    raw = IMPORT_AND_CALL.format(
        setup="import attrs",
        status=status,
        body=body,
        call=f"httpx.Client(transport=answer).request({op.method.upper()!r}, {path!r}, json={{'key': {KEY!r}}}).json()",
    )
    compile_package(Path(pythonpath) / PACKAGE)
    env = fresh_process_env(pythonpath)

    def sample(code: str) -> float:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        return float(result.stdout)

    samples = [(sample(ours), sample(raw)) for _ in range(runs)]  # interleaved: drift hits both alike
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def largest_corpus_document() -> tuple[Path, Path | None]:
    corpus = REPO / "tests" / "fixtures" / "corpus"
    document = max(corpus.glob("*.openapi.*"), key=lambda p: p.stat().st_size)
    overlay = document.with_name(document.name.split(".openapi.")[0] + ".overlay.yaml")
    return document, overlay if overlay.exists() else None


def generate_time(*options: str, runs: int = 3) -> float:
    """Median seconds of generate.sh into a temp dir (`--no-cache`: the generator itself; else a cache hit)."""
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            result = run_generate_sh("--out", str(Path(tmp) / PACKAGE), *options)
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


def render_markdown(rows: list[tuple[str, str, str, float, float | None]], generation: tuple[float, float]) -> str:
    """The figures as the Markdown page CONTRIBUTING.md links: what was measured, where, and against which target."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (enterprise3d_devkit/bench/report.py); do not edit by hand. Last run "
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
    lines += [
        "",
        f"generate.sh (`make generate`), median of 3: {generation[0]:.2f} s generating, {generation[1]:.2f} s from the"
        " cache (the same inputs again)",
        "",
    ]
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
    g, r, a = in_process_high_level(args.calls)
    rows.append(("in-process high-level sync, per call", f"{g * 1e6:.1f} us", f"{r * 1e6:.1f} us", g / r, 1.05))
    rows.append(("... vs raw posting the absolute URL", f"{g * 1e6:.1f} us", f"{a * 1e6:.1f} us", g / a, None))
    g, r = in_process_high_level_async(args.calls)
    rows.append(("in-process high-level async, per call", f"{g * 1e6:.1f} us", f"{r * 1e6:.1f} us", g / r, 1.05))
    g, r = loopback()
    rows.append(("loopback, 1000 sequential calls", f"{g:.2f} s", f"{r:.2f} s", g / r, 1.02))
    g, r = import_time("modelslab_enterprise_3d.api.server_management.clear_queue"), import_time("httpx, attrs")
    rows.append(
        ("import of one operation (fresh process, median)", f"{g * 1e3:.1f} ms", f"{r * 1e3:.1f} ms", g / r, 1.10)
    )
    g, r = import_and_call(SPEC, str(REPO / "generated"))
    rows.append(("import + one high-level call, openapi.yaml", f"{g * 1e3:.1f} ms", f"{r * 1e3:.1f} ms", g / r, 1.10))
    document, overlay = largest_corpus_document()
    with tempfile.TemporaryDirectory() as tmp:
        options = ["--spec", str(document), "--out", str(Path(tmp) / PACKAGE)]
        result = run_generate_sh(*options, *(["--overlay", str(overlay)] if overlay else []))
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        g, r = import_and_call(effective_spec(document, overlay), tmp)
    name = f"import + one high-level call, {document.name} ({len(operations(effective_spec(document, overlay)))} ops)"
    rows.append((name, f"{g * 1e3:.1f} ms", f"{r * 1e3:.1f} ms", g / r, 1.10))
    rows += bench_generation.rows()
    rows += bench_batch.rows()
    rows += bench_mcp.rows()
    generation = (generate_time("--no-cache"), generate_time())

    table = render_markdown(rows, generation)
    print(table)
    args.output.write_text(table, encoding="utf-8")
    print(f"\nwritten to {args.output}")
    if args.profile:
        profile_generated_call(args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
