"""`make demo`: the high-level client against a local spec-driven mock of the API, over real HTTP.

Starts the package's mock (`modelslab-3d mock`) on a free loopback port and first does what the API is for: generates a
3D model from a text prompt -- submits it, waits with a progress display, downloads the file -- and prints the saved
file's path and size and a check of its format (the glTF header, for glb). Then it calls every operation of the
spec once through its Enterprise3D method (arguments built from the spec), shows the typed exception of
clear_queue's documented 401 (asked for with the mock's `Prefer: code=401` header) and, one level down, a request
the spec rejects sent with the functional API; it stops the server whatever happens.
"""

from __future__ import annotations

import argparse
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from codegen.runtime.core.vendor_facts import CREDENTIAL_FIELDS
from enterprise3d_devkit.harness.calls import call_arguments, generated_module, method_arguments, method_name
from enterprise3d_devkit.spec.instances import request_instance
from enterprise3d_devkit.spec.operations import operations
from enterprise3d_devkit.spec.overlay import effective_spec
from modelslab_enterprise_3d import APIError, Client, Enterprise3D, Ledger
from modelslab_enterprise_3d.api.server_management import clear_queue
from modelslab_enterprise_3d.models import ApiKeyRequest
from modelslab_enterprise_3d.testing import running_mock

DEMO_KEY = "demo-enterprise-key"
PROMPT = "a ghost wearing a white bedsheet"
JOB_SECONDS = 2.0  # how long the mock takes to "generate": long enough to watch the wait


def describe_model_file(path: Path) -> str:
    """What the file is, checked from its bytes: a binary glTF's header (magic, version, length), else its size."""
    data = path.read_bytes()
    if path.suffix == ".glb":
        if len(data) < 12 or data[:4] != b"glTF":
            return "NOT a binary glTF file (no glTF magic)"
        _, version, length = struct.unpack("<4sII", data[:12])
        agrees = "agrees with" if length == len(data) else "DISAGREES with"
        return f"binary glTF {version}.0: magic 'glTF', header length {length} {agrees} the file's size"
    return f"{path.suffix.lstrip('.')} file, first line {data.splitlines()[0][:60]!r}" if data else "an empty file"


def progress_printer() -> Any:
    """on_update for the wait: one line per answer (status, eta, time waited)."""
    started = time.perf_counter()

    def on_update(answer: object) -> None:
        status = getattr(getattr(answer, "status", None), "value", "?")
        eta = getattr(answer, "eta", None)
        shown = f", eta {eta:.1f} s" if isinstance(eta, int | float) else ""
        print(f"   [{time.perf_counter() - started:5.2f} s] {status}{shown}", flush=True)

    return on_update


def generate_a_model(client: Enterprise3D, directory: Path) -> None:
    print(f'Text to 3D: "{PROMPT}" (output_format="glb")')
    result = client.text_to_3d_and_wait(prompt=PROMPT, output_format="glb", timeout=60, on_update=progress_printer())
    print(f"   result: {type(result).__name__}, {len(result.output or [])} output file(s)")
    for path in client.download(result, directory):
        print(f"   saved {path} ({path.stat().st_size} bytes): {describe_model_file(path)}")


BATCH_PROMPTS = ("a paper lantern", "a wooden chair", "a ceramic teapot")


def run_a_batch(client: Enterprise3D, directory: Path) -> None:
    """Three prompts as one batch: interrupted once its first line is saved, then run again, which resumes it (the
    saved line sends nothing, the queued ones are waited for, none is submitted twice); then the ledger."""
    requests = [
        {"name": f"asset-{n}", "prompt": prompt, "output_format": "glb"} for n, prompt in enumerate(BATCH_PROMPTS)
    ]
    print(f"\nA batch of {len(requests)} prompts into {directory} (at most 5 queued at once), interrupted once:")

    def progress(event: Any) -> None:
        counts = ", ".join(f"{count} {state}" for state, count in sorted(event.counts.items()))
        job = f" (job {event.job_id})" if event.job_id else ""
        sys.stdout.write(f"   {event.line}: {event.state}{job} -- {counts}\n")  # one write: lines come from threads
        if event.state == "saved" and not interrupted:
            interrupted.append(event.line)
            raise KeyboardInterrupt  # as Ctrl-C would: what is recorded stays

    interrupted: list[str] = []
    try:
        client.generate_many(requests, directory, on_progress=progress)
    except KeyboardInterrupt:
        print("   ^C: interrupted; running the same batch again resumes it")
    for line in client.generate_many(requests, directory, on_progress=progress):
        print(f"   {line.name}: {line.state}, job {line.job_id}, {[path.name for path in line.files]}")
    print("The batch's ledger:")
    with Ledger(directory / "ledger.sqlite") as ledger:
        for entry in ledger.entries():
            (saved,) = entry.files
            print(
                f"   {entry.name}: job {entry.job_id} {entry.state}, {saved.size} bytes, sha256 {saved.sha256[:16]}..."
            )


def show(result: object) -> None:
    if result is None:
        print("  -> None (the operation answers without a body)")
        return
    fields = result.to_dict() if hasattr(result, "to_dict") else result
    print(f"  -> {type(result).__name__}: {fields}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--job-seconds", type=float, default=JOB_SECONDS, help=f"how long the mock generates (default {JOB_SECONDS:g})"
    )
    job_seconds = parser.parse_args(argv).job_seconds
    spec = effective_spec()
    started = time.perf_counter()
    with running_mock(job_seconds=job_seconds) as base_url, tempfile.TemporaryDirectory() as folder:
        print(f"Mock server (spec: openapi.yaml) up at {base_url} in {time.perf_counter() - started:.2f} s")
        with Enterprise3D(api_key=DEMO_KEY, base_url=base_url) as client:
            print(f"{client!r}\n")
            generate_a_model(client, Path(folder))
            run_a_batch(client, Path(folder) / "batch")
            print("\nEvery operation of the spec, once:")
            for number, op in enumerate(operations(spec), start=1):
                method = getattr(client, method_name(op))
                positional, kwargs = method_arguments(
                    op, method, call_arguments(op, generated_module(op), request_instance(op))
                )
                # (a credential argument is shown masked, as the models' repr shows it)
                named = (f"{k}={'***' if k in CREDENTIAL_FIELDS else repr(v)}" for k, v in kwargs.items())
                shown = ", ".join([*map(repr, positional), *named])
                print(f"{number}. {op.label} -> client.{method_name(op)}({shown})")
                try:
                    show(method(*positional, **kwargs))
                except APIError as exc:
                    print(f"  -> {type(exc).__name__}: {exc}")

            print("\nclear_queue, with the mock asked for its documented 401 ('Prefer: code=401'):")
            try:
                client.with_options(headers={"Prefer": "code=401"}).clear_queue()
            except APIError as exc:
                print(f"  -> {type(exc).__name__} (HTTP {getattr(exc, 'status_code', '?')}): {exc}")

        # One level down, the functional API returns what the server answered instead of raising. A key that is
        # not a string (the type checker would stop this; a buggy caller might not): the mock validates every
        # request against the spec and names the violation.
        with Client(base_url=base_url) as low_level:
            invalid = ApiKeyRequest(key=12345)  # type: ignore[arg-type]
            response = clear_queue.sync_detailed(client=low_level, body=invalid)
            print(f"\nclear_queue.sync_detailed with a request the spec rejects:\n  HTTP {response.status_code.value}")
            show(response.parsed)
    print("\nMock server stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
