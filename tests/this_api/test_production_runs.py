"""This API's production runs (text_to_3d lines), against a mock server with the smallest plan's queue limit, over
real HTTP: a batch through the Python client and through the command line, killed with SIGKILL at several moments
and run again to completion (every line submitted once on the server's count, every file the bytes the server
served, no part of a file left), and a generating command terminated with SIGTERM (exit 143, the job's id and the
command that continues it)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelslab_enterprise_3d import Enterprise3D, Ledger
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_ENV, BASE_URL_ENV
from modelslab_enterprise_3d.testing import DEFAULT_QUEUE_LIMIT, SUBMISSIONS_PATH, running_mock
from tests.support.generation import FAST_POLLS

pytestmark = pytest.mark.slow  # real servers and processes
KEY = "sk-batch-sentinel-41"
CLI = [sys.executable, "-m", "modelslab_enterprise_3d"]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # jobs of a quarter to half a second; the HTTP answer to a generation comes 0.3 s after the job is queued: the
    # window in which a killed client has sent a paid request but not yet recorded its answer
    with running_mock(job_seconds=(0.25, 0.5), queue_limit=DEFAULT_QUEUE_LIMIT, submit_delay=0.3) as url:
        yield url


def submissions(url: str) -> list[dict[str, Any]]:
    origin = str(httpx.URL(url).copy_with(path="/", query=None)).rstrip("/")
    answer: list[dict[str, Any]] = httpx.get(origin + SUBMISSIONS_PATH).json()
    return answer


def sent_lines(url: str, prompts: list[str]) -> list[str]:
    """The prompts among `prompts` that the server has queued a job for, as often as it did."""
    return [item["body"]["prompt"] for item in submissions(url) if item["body"].get("prompt") in prompts]


def jobs_file(folder: Path, prompts: list[str]) -> Path:
    path = folder / "jobs.jsonl"
    path.write_text("".join(json.dumps({"name": p, "prompt": p, "output_format": "glb"}) + "\n" for p in prompts))
    return path


def environment(url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, API_KEY_ENV: KEY, BASE_URL_ENV: url, "MODELSLAB_3D_LEDGER": str(folder / "cli.sqlite")}


def served_digest(url: str) -> str:
    return hashlib.sha256(httpx.get(url).content).hexdigest()


def test_a_batch_runs_within_the_queue_limit_and_a_second_run_sends_nothing(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Enterprise3D, "_poll_interval", FAST_POLLS)
    prompts = [f"batch-{tmp_path.name}-{n}" for n in range(8)]
    events: list[Any] = []
    with Enterprise3D(api_key=KEY, base_url=server) as client:
        results = client.generate_many(
            [{"name": p, "prompt": p, "output_format": "glb"} for p in prompts],
            tmp_path / "out",
            on_progress=events.append,
        )
        assert [r.state for r in results] == ["saved"] * len(prompts), [r.message for r in results]
        assert max(sum(e.counts.get(s, 0) for s in ("queued", "sending")) for e in events) <= DEFAULT_QUEUE_LIMIT
        before = len(submissions(server))
        again = client.generate_many(
            [{"name": p, "prompt": p, "output_format": "glb"} for p in prompts], tmp_path / "out"
        )
    assert [r.state for r in again] == ["saved"] * len(prompts) and len(submissions(server)) == before
    sent = [s for s in submissions(server) if s["body"].get("prompt") in prompts]
    assert sorted(s["body"]["prompt"] for s in sent) == sorted(prompts), "each line submitted exactly once"
    with Ledger(tmp_path / "out" / "ledger.sqlite") as ledger:
        for entry in ledger.entries():
            (saved,) = entry.files
            assert Path(saved.path).is_file() and saved.sha256 == served_digest(entry.outputs[0])
            assert KEY not in json.dumps(entry.as_dict())


def test_a_line_the_spec_forbids_stops_the_batch_before_any_request(server: str, tmp_path: Path) -> None:
    before = len(submissions(server))
    with Enterprise3D(api_key=KEY, base_url=server) as client, pytest.raises(ValueError, match="resolution"):
        client.generate_many([{"prompt": "fine"}, {"prompt": "too big", "resolution": 10**6}], tmp_path / "out")
    assert len(submissions(server)) == before


def test_the_batch_command_killed_at_any_moment_resumes_without_paying_twice(server: str, tmp_path: Path) -> None:
    prompts = [f"kill-{tmp_path.name}-{n}" for n in range(7)]
    jobs = jobs_file(tmp_path, prompts)
    command = [*CLI, "batch", str(jobs), "-o", str(tmp_path / "out"), "--json"]
    env = environment(server, tmp_path)
    # First killed the moment the server has queued one of its jobs: the answer comes 0.3 s later, so the job is
    # sent and not yet recorded (uncertain); then killed again 0.6 s into a second run, among waits and downloads.
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not sent_lines(server, prompts) and time.monotonic() < deadline:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    with Ledger(tmp_path / "out" / "ledger.sqlite") as ledger:
        assert ledger.uncertain(), "a line was sent and its answer never recorded"
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.6)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    lines = {line["name"]: line for line in json.loads(final.stdout)}
    counts = {p: sent_lines(server, prompts).count(p) for p in prompts}
    for prompt in prompts:
        line = lines[prompt]
        if line["state"] == "uncertain":  # listed, and never sent again
            assert counts[prompt] <= 1, prompt
        else:
            assert line["state"] == "saved" and counts[prompt] == 1, (prompt, line, counts[prompt])
    assert final.returncode == (0 if all(line["state"] == "saved" for line in lines.values()) else 15)
    with Ledger(tmp_path / "out" / "ledger.sqlite") as ledger:
        for entry in ledger.entries(states=("saved",)):
            assert all(saved.sha256 == served_digest(entry.outputs[0]) for saved in entry.files)
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name.endswith(".part")]


def test_sigterm_names_the_job_and_leaves_no_part_file(tmp_path: Path) -> None:
    with running_mock(job_seconds=30.0) as url:
        env = environment(url, tmp_path)
        command = [*CLI, "text-to-3d", "--prompt", "slow", "-o", str(tmp_path / "m")]
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stderr is not None
        first = child.stderr.readline()  # the job's id comes first, before the wait
        assert "queued job" in first, first
        child.send_signal(signal.SIGTERM)
        _, rest = child.communicate(timeout=30)
    job_id = first.split("queued job ", 1)[1].split()[0]
    assert child.returncode == 143
    assert f"wait {job_id}" in rest and "Traceback" not in rest and KEY not in rest + first
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".part")]
    listed = subprocess.run([*CLI, "jobs", "--json"], env=env, capture_output=True, text=True, check=True)
    assert [entry["job_id"] for entry in json.loads(listed.stdout)] == [job_id]


def test_two_batch_runs_started_at_once_on_one_folder_pay_once_per_line(server: str, tmp_path: Path) -> None:
    prompts = [f"twice-{tmp_path.name}-{n}" for n in range(8)]
    jobs = jobs_file(tmp_path, prompts)
    command = [*CLI, "batch", str(jobs), "-o", str(tmp_path / "out"), "--json"]
    env = environment(server, tmp_path)
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    ended = [run.communicate(timeout=120) for run in runs]
    statuses = sorted(run.returncode for run in runs)
    counts = {p: sent_lines(server, prompts).count(p) for p in prompts}
    assert counts == dict.fromkeys(prompts, 1), counts  # submissions equal lines
    if statuses == [0, 14]:  # the second run was refused at once, in one line naming the first
        refused = next(err for (out, err), run in zip(ended, runs, strict=True) if run.returncode == 14)
        assert "in use by another batch run (process" in refused and "Traceback" not in refused
    else:  # (the first run ended before the second began)
        assert statuses == [0, 0], ended
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert final.returncode == 0 and {p: sent_lines(server, prompts).count(p) for p in prompts} == counts


def test_wait_goes_to_the_server_the_job_was_sent_to_and_a_refused_connection_says_nothing_was_sent(
    server: str, tmp_path: Path
) -> None:
    env = environment(server, tmp_path)
    queued = subprocess.run(
        [*CLI, "--json", "text-to-3d", "--prompt", f"there-{tmp_path.name}", "--no-wait"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    job_id = str(json.loads(queued.stdout)["id"])
    listed = subprocess.run([*CLI, "jobs"], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert any(job_id in row and server in row for row in listed.stdout.splitlines()), listed.stdout
    elsewhere = {**env, BASE_URL_ENV: "http://127.0.0.1:9"}  # nothing listens there
    waited = subprocess.run(
        [*CLI, "wait", job_id, "-o", str(tmp_path / "m")], env=elsewhere, capture_output=True, text=True, timeout=60
    )
    assert waited.returncode == 0, waited.stderr
    assert [p.name for p in (tmp_path / "m").iterdir()]
    refused = subprocess.run(
        [*CLI, "text-to-3d", "--prompt", "never sent"], env=elsewhere, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 9 and "nothing was sent" in refused.stderr and "billed" not in refused.stderr
    assert "Traceback" not in refused.stderr and "nothing was sent" in refused.stderr.strip().splitlines()[-1]


def test_the_batch_summary_names_what_would_move_each_line_on(server: str, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    good = {"name": "good", "prompt": f"summary-{tmp_path.name}"}
    jobs.write_text("\ufeff" + json.dumps(good) + "\n" + json.dumps({"name": "bad", "prompt": "x", "colour": "red"}))
    env = environment(server, tmp_path)
    command = [*CLI, "batch", str(jobs), "-o", str(tmp_path / "out")]
    strict = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert strict.returncode == 2 and "'colour'" in strict.stderr and "nothing was sent" in strict.stderr
    assert not sent_lines(server, [good["prompt"]])
    skipped = subprocess.run([*command, "--skip-invalid"], env=env, capture_output=True, text=True, timeout=60)
    assert skipped.returncode == 15 and "1 invalid: fix the invalid lines" in skipped.stdout
    assert sent_lines(server, [good["prompt"]]) == [good["prompt"]]
    (tmp_path / "empty.jsonl").write_text("\n")
    empty = subprocess.run(
        [*CLI, "batch", str(tmp_path / "empty.jsonl"), "-o", str(tmp_path / "e")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert empty.returncode == 2 and "holds no request" in empty.stderr


def test_a_key_the_server_echoes_never_reaches_the_command_lines_output(tmp_path: Path) -> None:
    with running_mock(faults=("echo-500",)) as url:
        env = environment(url, tmp_path)
        done = subprocess.run(
            [*CLI, "text-to-3d", "--prompt", "echo me"], env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 8 and "Traceback" not in done.stderr
    assert KEY not in done.stdout + done.stderr and "[redacted]" in done.stderr
    assert "may have been queued (and billed)" in done.stderr  # a 5xx on sending: the job may be queued
