"""The command line's profiles: several dedicated servers, each a base URL and where its key comes from (an
environment variable, or the OS keyring through `keyring`), chosen with --profile or MODELSLAB_PROFILE; and its
shell completions."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from enterprise3d_devkit.harness.calls import method_name
from modelslab_enterprise_3d.__main__ import main
from modelslab_enterprise_3d.api import OPERATIONS as TABLE
from modelslab_enterprise_3d.cli import commands as _commands
from modelslab_enterprise_3d.cli import main as _cli
from modelslab_enterprise_3d.cli import profiles as _profiles
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_ENV, BASE_URL_ENV
from tests.support.spec_cases import OPERATIONS

KEY = "sk-profile-sentinel-5d1e"
COMMANDS = {command.method: command for command in _commands.commands_from(TABLE)}
# a command that only reads and takes no argument: the profile's server answers it
READ = next(
    (
        COMMANDS[method_name(op)]
        for op in OPERATIONS
        if COMMANDS[method_name(op)].effect == "reads"
        and not any(o.required for o in COMMANDS[method_name(op)].options)
    ),
    None,
)


class MemoryKeyring(KeyringBackend):
    """An OS keyring for the tests: a dict."""

    priority = 1

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.passwords[(service, username)]


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv(_profiles.CONFIG_ENV, str(tmp_path / "profiles.json"))
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    monkeypatch.delenv(_profiles.PROFILE_ENV, raising=False)
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:9")  # nothing answers there: only a profile reaches the mock
    yield backend
    keyring.set_keyring(previous)


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        status = main(list(argv))
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    assert KEY not in out + err, "a key is never printed"
    return status, out, err


@pytest.mark.mock_only
@pytest.mark.skipif(READ is None, reason="the spec has no read-only command without arguments")
def test_a_profile_with_its_key_in_the_environment_reaches_its_server(
    ring: MemoryKeyring, api_base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert READ is not None
    status, out, _ = run(capsys, "config", "add", "east", "--base-url", api_base_url, "--key-env", "EAST_KEY")
    assert status == 0 and "east" in out
    status, _, err = run(capsys, "--profile", "east", READ.name)
    assert status == 2 and "EAST_KEY" in err, "the profile's variable is not set yet"
    monkeypatch.setenv("EAST_KEY", KEY)
    status, out, err = run(capsys, "--profile", "east", "--json", READ.name)
    assert status == 0, err
    json.loads(out)
    monkeypatch.setenv(_profiles.PROFILE_ENV, "east")
    assert run(capsys, READ.name)[0] == 0
    assert not ring.passwords, "a key in the environment is not copied anywhere"


@pytest.mark.mock_only
@pytest.mark.skipif(READ is None, reason="the spec has no read-only command without arguments")
def test_a_profile_with_its_key_in_the_keyring_is_added_listed_used_and_removed(
    ring: MemoryKeyring, api_base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert READ is not None
    status, _, _ = run(capsys, "config", "add", "west", "--base-url", api_base_url, stdin=KEY + "\n")
    assert status == 0 and ring.passwords == {(_profiles.KEYRING_SERVICE, "west"): KEY}
    status, out, _ = run(capsys, "config", "list")
    assert status == 0 and "west" in out and api_base_url in out and "keyring" in out
    assert json.loads(Path(_profiles.config_path()).read_text())["profiles"]["west"] == {
        "base_url": api_base_url,
        "key_env": None,
        "queue_limit": _profiles.DEFAULT_QUEUE_LIMIT,
        "http_timeout": None,
    }, "the file holds no key"
    status, _, err = run(capsys, "--profile", "west", READ.name)
    assert status == 0, err
    assert run(capsys, "config", "remove", "west")[0] == 0 and not ring.passwords
    status, _, err = run(capsys, "--profile", "west", READ.name)
    assert status == 2 and len(err.strip().splitlines()) == 1 and "no profile 'west'" in err


def test_a_key_is_never_an_argument_and_a_blank_one_is_refused(
    ring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):  # (argparse's message names the unknown option, never its value)
        main(["config", "add", "x", "--base-url", "https://h.test", "--key", KEY])
    err = capsys.readouterr().err
    assert "--key" in err and KEY not in err
    status, _, err = run(capsys, "config", "add", "x", "--base-url", "https://h.test", stdin="\n")
    assert status == 2 and "blank" in err and not ring.passwords


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completions_print_the_shells_code(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "completions", shell)
    assert status == 0 and _cli.PROGRAM in out and "_ARGCOMPLETE" in out
