"""The command line never shows a traceback: every subcommand (and the top level) is walked with bad input --
each option missing, each value malformed, unusable paths, a ledger that is not one, an output whose reader went away
-- and each run ends in one of the documented exit statuses with no traceback on stderr. The errors the issue tracker
named are each run here too."""

from __future__ import annotations

import argparse
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelslab_enterprise_3d.__main__ import extra_commands, main
from modelslab_enterprise_3d.api import OPERATIONS as TABLE
from modelslab_enterprise_3d.cli import commands as _commands
from modelslab_enterprise_3d.cli import main as _cli
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_ENV, BASE_URL_ENV

# Values no option of any kind takes as they are (a number, a choice, JSON, a path that cannot be one, a URL).
MALFORMED = ("", "x", "-1", "1e999", "{", "/proc/no-such-dir/file", "99999999999999999999")
DOCUMENTED = {status for _, status in _cli.EXIT_STATUSES} | {
    0,
    _cli.USAGE,
    _cli.BATCH_NOT_DONE,
    _cli.INTERRUPTED,
    _cli.TERMINATED,
    _cli.CLOSED_OUTPUT,
}


def parser() -> argparse.ArgumentParser:
    return _cli.build_parser(_commands.commands_from(TABLE), "", extra_commands())


def subparsers(top: argparse.ArgumentParser) -> Iterator[tuple[list[str], argparse.ArgumentParser]]:
    """Every subcommand's words and parser, nested ones (config add) included."""
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield [name], sub
                for words, nested in subparsers(sub):
                    yield [name, *words], nested


def takes_value(action: argparse.Action) -> bool:
    return action.option_strings != [] and action.nargs != 0 and not isinstance(action, argparse._HelpAction)


def bad_invocations() -> Iterator[list[str]]:
    """For each subcommand: nothing but its name, then each option given each malformed value (a generating command
    does not wait: --no-wait where it has it; a command that changes state goes ahead: --yes; the gallery is only
    written: --no-serve)."""
    for words, sub in subparsers(parser()):
        flags = {flag for action in sub._actions for flag in action.option_strings}
        extra = [flag for flag in ("--no-wait", "--yes", "--no-serve") if flag in flags]
        yield [*words]
        for action in sub._actions:
            if not takes_value(action):
                continue
            for value in MALFORMED:
                yield [*words, *extra, action.option_strings[-1], value]
        positionals = [
            a for a in sub._actions if not a.option_strings and not isinstance(a, argparse._SubParsersAction)
        ]
        for value in MALFORMED:
            if positionals:
                yield [*words, *extra, *[value] * len(positionals)]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, api_base_url: str, tmp_path: Path) -> Path:
    monkeypatch.setenv(API_KEY_ENV, "sk-walk-not-a-secret")
    monkeypatch.setenv(BASE_URL_ENV, api_base_url)
    monkeypatch.setenv("MODELSLAB_3D_CONFIG", str(tmp_path / "profiles.json"))
    monkeypatch.setenv("MODELSLAB_3D_LEDGER", str(tmp_path / "ledger.sqlite"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # (no terminal: nothing waits for an answer)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ended(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """main(argv)'s exit status (argparse's exit included) and its stderr; an exception other than SystemExit fails
    the test: it is what a user would see as a traceback."""
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 2
    err = capsys.readouterr().err
    assert "Traceback" not in err, f"{argv}: {err}"
    assert status in DOCUMENTED, f"{argv}: exit {status} is not documented"
    return status, err


@pytest.mark.mock_only
def test_every_subcommand_given_bad_input_ends_in_a_documented_status_without_a_traceback(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = list(bad_invocations())
    assert len(runs) > 100, "the walk reaches every subcommand's options"
    for argv in runs:
        if argv[:1] == ["mock"] and "--port" not in argv:
            continue  # (a mock with good options serves until stopped)
        if argv[:1] == ["mcp"]:
            continue  # (serves on stdin until it closes: walked by the MCP tests)
        ended(argv, capsys)


@pytest.mark.mock_only
@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["--ledger", "not-a-ledger.txt", "jobs"], _cli.LOCAL_ERROR),
        (["--ledger", "/proc/no-such-dir/ledger.sqlite", "wait", "1-abc"], _cli.LOCAL_ERROR),
        (["mock", "--port", "99999"], _cli.USAGE),
        (["config", "add", "eu", "--base-url", "example.com", "--key-env", "EU_KEY"], _cli.USAGE),
        (["--profile", "a", "--profile", "b", "jobs"], _cli.USAGE),
        (["jobs", "--since", "soon"], _cli.USAGE),
    ],
    ids=["not-a-ledger", "unwritable-ledger", "port", "url-without-scheme", "two-profiles", "since"],
)
def test_each_error_named_in_the_tracker_is_one_line_and_its_status(
    environment: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int
) -> None:
    (environment / "not-a-ledger.txt").write_text("a text file, not SQLite\n")
    got, err = ended(argv, capsys)
    assert got == status, err
    assert [line for line in err.splitlines() if line.startswith("modelslab-3d")], err


@pytest.mark.mock_only
def test_a_base_url_without_a_scheme_is_a_usage_error_before_anything_is_sent(
    environment: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "example.com/api")
    status, err = ended(["jobs"], capsys)  # (local: no base URL needed)
    assert status == 0
    status, err = ended(["wait", "1-abc"], capsys)
    assert status == _cli.USAGE and BASE_URL_ENV in err and err.count("\n") == 1


def test_no_keyring_is_a_usage_error_naming_the_alternative(
    environment: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring = pytest.importorskip("keyring")
    from keyring.backends import fail

    # (what a headless server or a CI runner has: keyring's backend of last resort, which refuses every call)
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())  # type: ignore[no-untyped-call]
    monkeypatch.setattr("sys.stdin", io.StringIO("sk-typed\n"))
    status, err = ended(["config", "add", "eu", "--base-url", "https://eu.example.com"], capsys)
    assert status == _cli.USAGE and "--key-env" in err and "sk-typed" not in err


def test_output_into_a_closed_pipe_ends_quietly_with_its_status(
    environment: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    read, write = os.pipe()
    os.close(read)
    closed: Any = open(write, "w")  # noqa: SIM115 (closed by the test's end)
    monkeypatch.setattr("sys.stdout", closed)
    for argv in (["config", "list"], ["--json", "config", "list"], ["jobs"], ["--help"]):
        status, err = ended(argv, capsys)
        assert status in (0, _cli.CLOSED_OUTPUT), (argv, status)
        assert err == "", err
    monkeypatch.undo()
    closed.close()


def test_config_list_as_json_and_jobs_filters(environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    ended(["config", "add", "eu", "--base-url", "https://eu.example.com/", "--key-env", "EU_KEY"], capsys)
    status = main(["--json", "config", "list"])
    listed = json.loads(capsys.readouterr().out)
    assert status == 0 and listed[0]["name"] == "eu" and listed[0]["base_url"] == "https://eu.example.com"
    assert listed[0]["key_from"] == "$EU_KEY"
    assert set(listed[0]) == {"name", "base_url", "key_env", "key_from", "queue_limit", "http_timeout"}, "no key"


def test_a_table_aligns_wide_characters_by_their_display_width() -> None:
    lines = _cli.table([("NAME", "STATE", "X"), ("椅子の模型", "saved", "a"), ("chair", "queued", "b")]).splitlines()
    columns = {
        _cli.display_width(line[: line.index(state)])
        for line, state in zip(lines, ("STATE", "saved", "queued"), strict=True)
    }
    assert len(columns) == 1, lines


def test_jobs_lists_names_and_filters_by_state_name_and_age(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import time

    from modelslab_enterprise_3d import Ledger

    with Ledger(environment / "ledger.sqlite") as ledger:
        for name in ("chair", "table"):
            entry = ledger.record_request("text_to_3d", {"prompt": name}, name=name)
            ledger.record_answer(entry, f"{name}-job", "processing", 2.0)
        ledger.record_result(entry, "success", ["https://cdn.example/table.glb"], "table-job")
    assert main(["jobs"]) == 0
    listing = capsys.readouterr().out
    assert "NAME" in listing.splitlines()[0] and "chair" in listing and "table" in listing
    assert main(["--json", "jobs", "--state", "queued"]) == 0
    assert [job["name"] for job in json.loads(capsys.readouterr().out)] == ["chair"]
    assert main(["--json", "jobs", "--name", "tab", "--since", "1h"]) == 0
    assert [job["name"] for job in json.loads(capsys.readouterr().out)] == ["table"]
    time.sleep(1.1)
    assert main(["jobs", "--since", "1s"]) == 0 and "no jobs match" in capsys.readouterr().out


@pytest.mark.slow  # waits on a server that never answers
def test_http_timeout_bounds_a_request_to_a_server_that_never_answers(
    environment: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from tests.support.servers import black_hole

    command = next((c for c in _commands.commands_from(TABLE) if c.effect == "reads" and not c.options), None)
    if command is None:
        pytest.skip("the spec has no read-only command without arguments")
    with black_hole() as url:
        monkeypatch.setenv(BASE_URL_ENV, url)
        started = time.monotonic()
        status, err = ended(["--http-timeout", "0.3", command.name], capsys)
    assert status == 9 and time.monotonic() - started < 10, err
