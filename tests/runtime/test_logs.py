"""The logging switch (MODELSLAB_LOG) and the command line's retry lines, on the runtime alone."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from codegen.runtime.cli import main as _cli
from codegen.runtime.core import logs as _logs
from codegen.runtime.core import vendor_facts as _vendor_facts
from tests.runtime.test_base_client import KEY, SAFE, Api, Script, parser


@pytest.fixture
def package_logger() -> Iterator[logging.Logger]:
    """The package's logger, left as it was found (handlers and level)."""
    logger = logging.getLogger(_logs.PACKAGE)
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def call_with_a_retry(key_in: tuple[str, str, str] | tuple[()] = ()) -> None:
    script = Script((503, {"status": "error", "message": "busy"}))
    transport = httpx.MockTransport(script)
    with Api(api_key=KEY, httpx_args={"transport": transport}) as client:
        client._sleep = lambda seconds: None
        body = {_vendor_facts.API_KEY_FIELD: KEY}
        client._request(SAFE._replace(key_in=key_in), parser, {"method": "post", "url": "/read", "json": body})


@pytest.mark.parametrize("level", ["info", "debug"])
def test_modelslab_log_shows_each_answer_and_retry_and_never_the_key(
    level: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], package_logger: logging.Logger
) -> None:
    monkeypatch.setenv(_logs.LOG_ENV, level)
    call_with_a_retry(("header", "Authorization", "Bearer "))
    err = capsys.readouterr().err
    assert "HTTP 503" in err and "retrying in" in err and "HTTP 200" in err
    assert ("sending POST https://api.test/v1/read" in err) == (level == "debug")
    assert KEY not in err
    assert sum(isinstance(h, _logs._SwitchHandler) for h in package_logger.handlers) == 1
    call_with_a_retry()  # a second client adds no second handler
    assert sum(isinstance(h, _logs._SwitchHandler) for h in package_logger.handlers) == 1


def test_without_the_switch_nothing_is_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], package_logger: logging.Logger
) -> None:
    monkeypatch.delenv(_logs.LOG_ENV, raising=False)
    call_with_a_retry()
    assert capsys.readouterr().err == ""
    assert not any(isinstance(h, _logs._SwitchHandler) for h in package_logger.handlers)


def test_the_command_line_shows_each_retry_and_its_wait(
    capsys: pytest.CaptureFixture[str], package_logger: logging.Logger
) -> None:
    package_logger.addHandler(_cli.RetryLines())
    package_logger.setLevel(logging.INFO)
    call_with_a_retry()
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"{_cli.PROGRAM}: ") and "HTTP 503, retrying in" in err[0], err


@pytest.mark.parametrize("no_color", ["", "1"])
def test_the_progress_display_follows_no_color(no_color: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    monkeypatch.setenv("NO_COLOR", no_color)
    terminal = io.StringIO()
    monkeypatch.setattr(terminal, "isatty", lambda: True)
    progress = _cli.Progress(terminal)
    assert progress.bar is not None and progress.bar.console.no_color == bool(no_color)
