"""The command line, through its entry point: a subcommand per operation of the spec, its body fields as options
with the spec's types, choices, defaults and descriptions; answers as text or JSON valid against the spec; a
generation waited for and saved with -o; every typed error one line and its documented exit status; the key never
printed; a grown spec's new operation a new subcommand."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.repo.layout import REPO
from enterprise3d_devkit.spec.instances import is_valid, request_instance, valid_instance
from enterprise3d_devkit.spec.loading import object_schema
from enterprise3d_devkit.spec.operations import Operation, operations
from modelslab_enterprise_3d import Enterprise3D
from modelslab_enterprise_3d.__main__ import main
from modelslab_enterprise_3d.api import OPERATIONS as TABLE
from modelslab_enterprise_3d.cli import commands as _commands
from modelslab_enterprise_3d.cli import main as _cli
from modelslab_enterprise_3d.core.base_client import DEFAULT_MAX_RETRIES
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_ENV, API_KEY_FIELD, BASE_URL_ENV, CREDENTIAL_FIELDS
from tests.support.generation import FAST_POLLS, GENERATING, fetching
from tests.support.spec_cases import OPERATIONS, op_id, python_name
from tests.support.spec_variants import grown_spec
from tests.support.tool_arguments import effect_of

KEY = "sk-cli-sentinel-7f3a"
SECRET = "s3-secret-sentinel-91c2"  # what each credential field other than the key is given, from the environment
COMMANDS = {command.method: command for command in _commands.commands_from(TABLE)}


def command_for(op: Operation) -> _commands.Command:
    return COMMANDS[method_name(op)]


def argv_for(op: Operation) -> list[str]:
    """The subcommand's arguments, from the spec: path parameters, each required query or header parameter, then
    every field of a valid body (its required ones, and those a oneOf of the body asks for)."""
    command = command_for(op)
    body = request_instance(op) if op.request_schema else {}
    # (a command that changes the server's state asks first on a terminal, and needs --yes without one)
    yes = ["--yes"] if command.effect == "changes" else []
    parameters = {python_name(p["name"]): p for p in op.parameters if p.get("in") in ("query", "header")}
    args = [command.name]
    for option in command.options:
        if not option.flag.startswith("--"):
            parameter = next(p for p in op.path_parameters if p["name"] == option.dest)
            args.append(str(valid_instance(parameter.get("schema") or {"type": "string"}, op.openapi_version)))
        elif option.kind == "secret":
            continue  # (a credential comes from the environment)
        elif option.dest in parameters:
            if option.required:
                schema = parameters[option.dest].get("schema") or {"type": "string"}
                args += [option.flag, str(valid_instance(schema, op.openapi_version))]
        elif (name := next((n for n in body if python_name(n) == option.dest), None)) is not None:
            value = body[name]
            if option.kind == "bool":  # --flag / --no-flag
                args.append(option.flag if value else "--no-" + option.flag.removeprefix("--"))
            else:
                args += [option.flag, json.dumps(value) if option.kind == "json" else str(value)]
    return args + yes


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, api_base_url: str, capsys: pytest.CaptureFixture[str]) -> Any:
    monkeypatch.setenv(API_KEY_ENV, KEY)
    monkeypatch.setenv(BASE_URL_ENV, api_base_url)
    monkeypatch.setattr(Enterprise3D, "_poll_interval", FAST_POLLS)  # the mock's jobs take a fifth of a second
    secrets = {o.dest.upper(): f"{SECRET}-{o.dest}" for c in COMMANDS.values() for o in c.options if o.kind == "secret"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        out, err = capsys.readouterr()
        assert KEY not in out + err, "the key is never printed"
        assert SECRET not in out + err, "no credential is printed"
        return status, out, err

    return run


def test_every_operation_is_a_subcommand_and_no_other() -> None:
    assert set(COMMANDS) == {method_name(op) for op in OPERATIONS}


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_help_shows_the_bodys_fields_with_their_types_choices_defaults_and_descriptions(op: Operation) -> None:
    parser = _cli.build_parser(_commands.commands_from(TABLE))
    sub = next(a for a in parser._subparsers._group_actions[0].choices.items() if a[0] == command_for(op).name)[1]  # type: ignore[union-attr]
    text = re.sub(r"\s+", " ", sub.format_help())
    packed = re.sub(r"\s+", "", text)  # (argparse wraps long help at spaces and hyphens)
    schema = object_schema(op.request_schema or {})
    for name, prop in (schema.get("properties") or {}).items():
        if name == API_KEY_FIELD:
            assert not re.search(r"--key(?![\w-])", text), "the key is never an option"
            continue
        flag = "--" + name.replace("_", "-")
        if name.lower() in CREDENTIAL_FIELDS:  # a credential is never an argument: its environment variable is named
            assert flag not in text and f"{name} is read from {name.upper()}" in text, name
            continue
        assert flag in text, flag
        enum = [value for value in prop.get("enum") or [] if value is not None]  # (null: the option left out)
        if enum:
            assert "{" + ",".join(map(str, enum)) + "}" in text
        if "default" in prop and prop["default"] not in (None, ""):
            assert re.sub(r"\s+", "", f"(default: {prop['default']})") in packed, (flag, prop["default"])
        if prop.get("description"):
            assert re.sub(r"\s+", "", prop["description"])[:30] in packed


@pytest.mark.mock_only
@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_each_subcommand_answers_as_text_and_as_json_valid_against_the_spec(op: Operation, cli: Any) -> None:
    extra = ["--no-wait"] if command_for(op).waits else []
    status, out, err = cli("--json", *argv_for(op), *extra)
    assert status == 0, err
    success = min(s for s in op.responses if 200 <= s < 300)
    schema = op.responses[success].schema
    if schema is not None:
        assert is_valid(json.loads(out), schema, op.openapi_version), out
    status, text, err = cli(*argv_for(op), *extra)
    assert status == 0, err
    assert text.strip() or schema is None, "an answer with a body prints it"
    answer = json.loads(out) if schema is not None else None
    items = answer if isinstance(answer, list) else [answer]
    objects = [item for item in items if isinstance(item, dict)]
    for item in objects:  # each field of each object a line of its own, named
        for key in item:
            assert re.search(rf"^{re.escape(key)}\s", text, re.M), key
    if isinstance(answer, list) and objects:  # a list of objects: a block per object
        assert len(text.strip().split("\n\n")) == len(answer), text


@pytest.mark.mock_only
@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_a_generating_subcommand_waits_with_progress_and_saves_the_files(
    op: Operation, cli: Any, tmp_path: Path
) -> None:
    status, out, err = cli(*argv_for(op), "-o", str(tmp_path / "models"))
    assert status == 0, err
    saved = [Path(line) for line in out.split()]
    assert saved and all(path.is_file() and path.parent == tmp_path / "models" for path in saved)
    assert "processing" in err and "success" in err, "the wait shows its progress"


@pytest.mark.mock_only
def test_each_error_is_one_line_and_its_documented_exit_status(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fetches = {fetching(op).label: fetching(op) for op in GENERATING if 404 in fetching(op).responses}
    for fetch in fetches.values():  # the mock knows which ids it issued for these: another is its documented 404
        status, _, err = cli(command_for(fetch).name, "an-id-never-issued")
        assert status == 4
        assert err.count("\n") == 1 and err.startswith("modelslab-3d: NotFoundError: ")
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:9")
    backoff: list[float] = []
    monkeypatch.setattr(Enterprise3D, "_sleep", staticmethod(backoff.append))  # recorded, not slept
    read_only = next(op for op in OPERATIONS if not command_for(op).waits)
    status, _, err = cli(*argv_for(read_only))
    *retries, error = err.splitlines()  # each retry and its wait a line, then the error's one line
    assert status == 9 and "APIConnectionError" in error
    assert len(backoff) == len(retries) == DEFAULT_MAX_RETRIES, "retried before giving up"
    assert all("retrying in" in line for line in retries)
    monkeypatch.delenv(API_KEY_ENV)
    status, _, err = cli(*argv_for(read_only))
    assert status == 2 and API_KEY_ENV in err


def test_the_exit_statuses_are_the_documented_ones() -> None:
    readme = (REPO / "docs" / "command-line.md").read_text(encoding="utf-8")
    documented = {int(n) for n in re.findall(r"^\| (\d+) \|", readme, re.M)}
    others = {0, _cli.USAGE, _cli.BATCH_NOT_DONE, _cli.INTERRUPTED, _cli.TERMINATED, _cli.CLOSED_OUTPUT}
    assert documented == {status for _, status in _cli.EXIT_STATUSES} | others
    assert all(f"{status} " in _cli.__doc__ for status in {status for _, status in _cli.EXIT_STATUSES} | others)


@pytest.mark.mock_only
def test_the_entry_points_run_and_a_grown_spec_gets_a_new_subcommand(grown_package: Path) -> None:
    console_script = str(Path(sys.executable).with_name("modelslab-3d"))
    for command in ([sys.executable, "-m", "modelslab_enterprise_3d"], [console_script]):
        result = subprocess.run([*command, "--help"], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert all(c.name in result.stdout for c in _commands.commands_from(TABLE))
    new = [op for op in operations(grown_spec()) if op.label not in {o.label for o in OPERATIONS}]
    result = subprocess.run(
        [sys.executable, "-m", "modelslab_enterprise_3d", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(grown_package.parent), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    for op in new:
        assert method_name(op).replace("_", "-") in result.stdout


def test_the_progress_bar_counts_the_eta_down_between_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answer = type("Answer", (), {"status": "processing", "eta": 30, "id": "7-job"})()
    clock = [1000.0]
    monkeypatch.setattr("time.monotonic", lambda: clock[0])
    with _cli.Progress(Terminal()) as progress:
        progress.update(answer)
        (task,) = progress.bar.tasks
        countdown = progress.bar.columns[2]
        assert "job 7-job: processing" in task.description
        assert str(countdown.render(task)) == "about 30 s left"
        clock[0] += 12  # no new answer: the column counts down on its own
        assert str(countdown.render(task)) == "about 18 s left"


def subparser(name: str) -> Any:
    parser = _cli.build_parser(_commands.commands_from(TABLE))
    return parser._subparsers._group_actions[0].choices[name]  # type: ignore[union-attr,index]


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_help_says_what_costs_credits_and_what_changes_the_server(op: Operation) -> None:
    text = re.sub(r"\s+", " ", subparser(command_for(op).name).format_help())
    effect = effect_of(op)
    assert ("Costs credits" in text) == (effect == "generates"), text
    assert ("Changes your server's state" in text) == (effect == "changes"), text
    assert ("--yes" in text) == (effect == "changes")
    for action in subparser(command_for(op).name)._actions:
        if not action.option_strings:  # a positional argument (a path parameter) always says what it is
            assert action.help, action.dest


def test_version_prints_the_packages_version(capsys: pytest.CaptureFixture[str]) -> None:
    from modelslab_enterprise_3d import __version__

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.strip() == f"{_cli.PROGRAM} {__version__}"


CHANGING = [op for op in OPERATIONS if effect_of(op) == "changes"]


@pytest.mark.mock_only
@pytest.mark.parametrize("op", CHANGING[:1], ids=op_id)
def test_a_command_that_changes_the_server_asks_first_and_needs_yes_without_a_terminal(
    op: Operation, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[object] = []
    original = getattr(Enterprise3D, method_name(op))

    def counted(*args: Any, **kwargs: Any) -> Any:
        sent.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(Enterprise3D, method_name(op), counted)
    argv = [a for a in argv_for(op) if a != "--yes"]
    status, _, err = cli(*argv)  # (pytest's standard input is no terminal)
    assert status == 2 and "--yes" in err and len(err.strip().splitlines()) == 1 and not sent
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    status, _, err = cli(*argv)
    assert status == 2 and "not done" in err and not sent
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    status, _, err = cli(*argv)
    assert status == 0 and len(sent) == 1, err
