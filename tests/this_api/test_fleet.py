"""One batch over several servers (a studio's dedicated servers, each its own key and queue limit): every line saved
once, each job queued and fetched at the server that took it, a server that refuses connections set aside, a line a
server may have queued never sent elsewhere, a resumed batch waiting on each job at its own server."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelslab_enterprise_3d import Enterprise3D, Ledger
from modelslab_enterprise_3d.runs.client_runs import JobRuns
from modelslab_enterprise_3d.testing import SUBMISSIONS_PATH, running_mock
from tests.support.generation import FAST_POLLS

pytestmark = pytest.mark.slow  # real servers
LIMITS = (5, 3, 2)


@pytest.fixture(scope="module")
def fleet() -> Iterator[list[str]]:
    """Three mock servers, each refusing (429) a job over its own queue limit."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(running_mock(job_seconds=(0.25, 0.5), queue_limit=limit)) for limit in LIMITS]


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(JobRuns, "_poll_interval", FAST_POLLS)


def submitted(url: str, prompts: list[str]) -> list[str]:
    """The prompts among `prompts` that the server at `url` queued a job for, as often as it did."""
    origin = str(httpx.URL(url).copy_with(path="/", query=None)).rstrip("/")
    return [s["body"]["prompt"] for s in httpx.get(origin + SUBMISSIONS_PATH).json() if s["body"]["prompt"] in prompts]


def lines(prompts: list[str]) -> list[dict[str, Any]]:
    return [{"name": p, "prompt": p, "output_format": "glb"} for p in prompts]


def clients_of(urls: list[str], stack: contextlib.ExitStack, **settings: Any) -> list[Enterprise3D]:
    """A client per server, each with a key of its own."""
    return [
        stack.enter_context(Enterprise3D(api_key=f"sk-fleet-{n}", base_url=url, **settings))
        for n, url in enumerate(urls)
    ]


def refusing_url() -> str:
    """A loopback URL nothing listens on: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1/enterprise/3d"


def test_a_batch_over_three_servers_saves_every_line_once_each_job_at_the_server_that_took_it(
    fleet: list[str], tmp_path: Path
) -> None:
    prompts = [f"fleet-{tmp_path.name}-{n}" for n in range(24)]
    events: list[Any] = []
    with contextlib.ExitStack() as stack:
        first, *others = clients_of(fleet, stack)
        results = first.generate_many(
            lines(prompts), tmp_path / "out", concurrency=list(LIMITS), clients=others, on_progress=events.append
        )
    assert [r.state for r in results] == ["saved"] * len(prompts), [r.message for r in results]
    taken = {url: submitted(url, prompts) for url in fleet}
    assert sorted(p for sent in taken.values() for p in sent) == sorted(prompts), "each line queued once, somewhere"
    assert all(taken[url] for url in fleet), "every server took lines"
    server_of = {r.name: r.server for r in results}
    assert all(server_of[p] == url for url, sent in taken.items() for p in sent)
    for event in events:  # never more jobs queued at a server than its limit (the mock would refuse them: 429)
        for url, limit in zip(fleet, LIMITS, strict=True):
            assert sum(event.per_server.get(url, {}).get(s, 0) for s in ("sending", "queued")) <= limit
    with Ledger(tmp_path / "out" / "ledger.sqlite") as ledger:
        for entry in ledger.entries():
            assert entry.attempts == 1, "no refusal: each server got only what its limit allows"
            assert entry.name is not None and entry.server == server_of[entry.name]
            assert not any(f"sk-fleet-{n}" in json.dumps(entry.as_dict()) for n in range(3))


def test_a_server_refusing_connections_is_set_aside_and_its_lines_go_to_the_others(
    fleet: list[str], tmp_path: Path
) -> None:
    prompts = [f"aside-{tmp_path.name}-{n}" for n in range(6)]
    dead = refusing_url()
    with contextlib.ExitStack() as stack:
        good = stack.enter_context(Enterprise3D(api_key="sk-good", base_url=fleet[0]))
        refusing = stack.enter_context(Enterprise3D(api_key="sk-dead", base_url=dead, max_retries=0))
        results = refusing.generate_many(lines(prompts), tmp_path / "out", concurrency=[3, 3], clients=[good])
    assert [r.state for r in results] == ["saved"] * len(prompts), [r.message for r in results]
    assert {r.server for r in results} == {fleet[0]}
    assert sorted(submitted(fleet[0], prompts)) == sorted(prompts)
    with Ledger(tmp_path / "out" / "ledger.sqlite") as ledger:
        entries = ledger.entries()
    assert any(entry.attempts > 1 for entry in entries), "a line first sent to the refusing server"
    assert all(entry.server == fleet[0] for entry in entries), "the entry names the server that took it"


def test_a_line_a_server_may_have_queued_is_never_sent_to_another(fleet: list[str], tmp_path: Path) -> None:
    prompts = [f"hung-{tmp_path.name}-{n}" for n in range(4)]
    with running_mock(queue_limit=None, faults=("hang",)) as hung, contextlib.ExitStack() as stack:
        good = stack.enter_context(Enterprise3D(api_key="sk-good", base_url=fleet[1]))
        hanging = stack.enter_context(Enterprise3D(api_key="sk-hung", base_url=hung, timeout=1.0, max_retries=0))
        results = good.generate_many(lines(prompts), tmp_path / "out", concurrency=[1, 1], clients=[hanging])
    lost = [r for r in results if r.server == hung]
    assert lost and all(r.state == "uncertain" for r in lost), [(r.state, r.message) for r in results]
    assert not {r.name for r in lost} & set(submitted(fleet[1], prompts)), "never sent to the other server"
    assert all(r.state == "saved" for r in results if r.server == fleet[1])


def test_a_resumed_batch_waits_for_each_job_at_its_own_server(fleet: list[str], tmp_path: Path) -> None:
    prompts = [f"resume-{tmp_path.name}-{n}" for n in range(10)]
    with contextlib.ExitStack() as stack:
        first, *others = clients_of(fleet, stack)
        stopped = first.generate_many(
            lines(prompts), tmp_path / "out", concurrency=list(LIMITS), clients=others, timeout=0.05
        )
    assert {r.state for r in stopped} == {"queued"} and len({r.server for r in stopped}) > 1
    sent = {url: submitted(url, prompts) for url in fleet}
    with contextlib.ExitStack() as stack:
        reordered = clients_of(list(reversed(fleet)), stack)  # (another order: each job still goes to its server)
        first, *others = reordered
        results = first.generate_many(
            lines(prompts), tmp_path / "out", concurrency=list(reversed(LIMITS)), clients=others
        )
    assert [r.state for r in results] == ["saved"] * len(prompts), [r.message for r in results]
    assert {url: submitted(url, prompts) for url in fleet} == sent, "nothing sent again"
    assert {r.name: r.server for r in results} == {r.name: r.server for r in stopped}


def test_the_batch_command_spreads_over_the_profiles_given_each_with_its_key_and_queue_limit(
    fleet: list[str], tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    prompts = [f"cli-{tmp_path.name}-{n}" for n in range(8)]
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps(line) + "\n" for line in lines(prompts)), encoding="utf-8")
    env = {
        **os.environ,
        "MODELSLAB_3D_CONFIG": str(tmp_path / "profiles.json"),
        "MODELSLAB_3D_LEDGER": str(tmp_path / "cli.sqlite"),
        **{f"FLEET_KEY_{n}": f"sk-fleet-{n}" for n in range(3)},
    }
    cli = [sys.executable, "-m", "modelslab_enterprise_3d"]
    for n, (url, limit) in enumerate(zip(fleet, LIMITS, strict=True)):
        added = [*cli, "config", "add", f"s{n}", "--base-url", url, "--key-env", f"FLEET_KEY_{n}"]
        subprocess.run([*added, "--queue-limit", str(limit)], env=env, check=True, capture_output=True)
    listed = subprocess.run([*cli, "config", "list"], env=env, capture_output=True, text=True, check=True).stdout
    assert all(f"queue limit: {limit}" in listed for limit in LIMITS)
    profiles = [option for n in range(3) for option in ("--profile", f"s{n}")]
    command = [*cli, "--json", *profiles, "batch", str(jobs), "-o", str(tmp_path / "out")]
    ran = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr[-2000:]
    results = json.loads(ran.stdout)
    assert [r["state"] for r in results] == ["saved"] * len(prompts)
    for url in fleet:
        assert sorted(submitted(url, prompts)) == sorted(r["name"] for r in results if r["server"] == url)
    once = subprocess.run([*cli, "--profile", "s0", "--profile", "s1", "jobs"], env=env, capture_output=True, text=True)
    assert once.returncode == 2 and "--profile" in once.stderr and "Traceback" not in once.stderr
