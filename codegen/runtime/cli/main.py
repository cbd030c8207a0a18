"""The command line, `modelslab-3d` (or `python -m modelslab_enterprise_3d`): one subcommand per operation.

The subcommands, their options and help come from the spec: the operations' table generated beside this package,
handed over with the client classes by the package's entry point. This module turns the table into argparse parsers,
calls the high-level client, prints the answer (readable text, or JSON with --json) and turns each error into one line
and its exit status:

    0   success
    1   any other API error
    2   usage: a wrong option, or MODELSLAB_API_KEY not set
    3   AuthenticationError, PermissionDeniedError (401, 403): the key
    4   NotFoundError (404)
    5   PaymentRequiredError (402): out of credits
    6   RateLimitError (429)
    7   another 4xx (BadRequestError, ...)
    8   InternalServerError (5xx)
    9   APIConnectionError, APITimeoutError: no answer
    10  OperationFailedError, GenerationFailedError: the API says it did not work
    11  GenerationTimeoutError: not done in time (the message names the id to wait on)
    12  InvalidResponse, UnexpectedStatus: an answer that does not match the spec
    13  DownloadError
    14  a local file or folder could not be used (OSError: the output folder, the jobs file; LedgerError: the job
        ledger, or a batch folder another run is using)
    15  a batch ended with lines not done (failed, uncertain, refused, changed, or not done in time)
    130 interrupted (Ctrl-C); 143 terminated (SIGTERM): what was recorded stays, and the message says how to continue
    141 the output's reader went away (`... | head`): nothing more is printed

The key is read from MODELSLAB_API_KEY only (an argument would show in the process list) and never printed: no
output is built from it. The base URL from MODELSLAB_BASE_URL, else the spec's server. A generating subcommand
records its job in the job ledger (--ledger, else MODELSLAB_3D_LEDGER, else the user's data folder), prints the
job's id on stderr as soon as the server answers, waits for its result with a progress bar (rich's, when the `cli`
extra is installed; else a line per answer) and saves the files with -o DIR. `wait ID` continues a wait, `jobs`
lists the ledger, `batch JOBS.jsonl -o DIR` runs many generations and resumes when run again.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, TextIO

from ..core import errors
from ..core.answers import eta_of, job_id_of, outputs_of, status_of
from ..core.logs import logger as package_logger
from ..core.vendor_facts import API_KEY_ENV, BASE_URL_ENV
from ..runs.job_states import INVALID, SENDING, STATES
from . import profiles as _profiles
from .commands import (
    EFFECT_NOTES,
    SCALAR_KINDS,
    Command,
    Option,
    as_data,
    as_model,
    choices_of,
    commands_from,
    secret_env,
)
from .next_steps import NEXT_STEPS
from .profiles import PROFILE_ENV

PROGRAM = "modelslab-3d"
LEDGER_ENV = "MODELSLAB_3D_LEDGER"  # the CLI's job ledger, when --ledger does not name one
LOCAL_ERROR = 14
BATCH_NOT_DONE = 15
INTERRUPTED = 130
TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: every cleanup runs (no part of a file is left), then exit 143."""


def default_ledger() -> Path:
    """The user's job ledger, in the platform's folder for an application's data (platformdirs' user_data_path)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / PROGRAM / "ledger.sqlite"


def http_timeout(args: argparse.Namespace, profile: _profiles.Profile | None) -> dict[str, Any]:
    """The clients' `timeout` setting: --http-timeout, else the profile's, else the client's default (none given)."""
    import httpx

    seconds = getattr(args, "http_timeout", None) or (profile.http_timeout if profile is not None else None)
    return {} if seconds is None else {"timeout": httpx.Timeout(seconds, connect=min(seconds, 5.0))}


def ledger_path(args: argparse.Namespace) -> Path:
    given = getattr(args, "ledger", None) or os.environ.get(LEDGER_ENV)
    return Path(given) if given else default_ledger()


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def duration(text: str) -> float:
    """ "90s", "30m", "12h", "7d" (or plain seconds) as seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "s")
    try:
        value = float(number) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration (90s, 30m, 12h, 7d): {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def http_url(text: str) -> str:
    """A base URL: http:// or https:// and a host."""
    if not text.startswith(("http://", "https://")) or not text.split("://", 1)[1].strip("/"):
        raise argparse.ArgumentTypeError(f"a base URL starts with http:// or https:// and names a host, not {text!r}")
    return text.rstrip("/")


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, not {text!r}")
    return int(text)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


# The exit status of each error, the most specific first.
EXIT_STATUSES: tuple[tuple[type[BaseException], int], ...] = (
    (errors.AuthenticationError, 3),
    (errors.PermissionDeniedError, 3),
    (errors.NotFoundError, 4),
    (errors.PaymentRequiredError, 5),
    (errors.RateLimitError, 6),
    (errors.InternalServerError, 8),
    (errors.APIStatusError, 7),
    (errors.APIConnectionError, 9),
    (errors.GenerationFailedError, 10),
    (errors.OperationFailedError, 10),
    (errors.GenerationTimeoutError, 11),
    (errors.InvalidResponse, 12),
    (errors.UnexpectedStatus, 12),
    (errors.DownloadError, 13),
    (errors.LedgerError, LOCAL_ERROR),
    (errors.APIError, 1),
    (OSError, LOCAL_ERROR),
    (ValueError, 2),
)
USAGE = 2
CLOSED_OUTPUT = 141  # the output's reader went away (a closed pipe), as for a program SIGPIPE ends


def json_value(text: str) -> Any:
    """An option whose field is a list: its value written as JSON (["a", "b"])."""
    try:
        return json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'not JSON: {text[:60]!r} (a list is written as ["a", "b"])') from None


CONVERTERS: dict[str, Callable[[str], Any]] = {**SCALAR_KINDS, "json": json_value}


def exit_status(error: BaseException) -> int:
    return next(status for cls, status in EXIT_STATUSES if isinstance(error, cls))


class Parser(argparse.ArgumentParser):
    """argparse's parser, but an error about unrecognized arguments names the options only: their values may be a
    key someone tried to pass as an argument."""

    def error(self, message: str) -> NoReturn:
        head, _, given = message.partition("unrecognized arguments: ")
        if given:
            message = head + "unrecognized arguments: " + " ".join(w for w in given.split() if w.startswith("-"))
        super().error(message)


class ExtraCommand(NamedTuple):
    """A subcommand another part of the package adds to the command line (the testing package's `mock`): it needs
    no key and no server."""

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]  # its exit status; ValueError and OSError are reported as usual


def build_parser(
    commands: Sequence[Command], version: str = "", extra: Sequence[ExtraCommand] = ()
) -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROGRAM,
        description=f"The API from a shell. The key comes from {API_KEY_ENV}; the base URL from {BASE_URL_ENV}.",
        epilog="Exit statuses: 0 success, 2 usage, 3 key refused, 4 not found, 5 out of credits, 6 rate limited, "
        "7 other 4xx, 8 server error, 9 no answer, 10 the operation failed, 11 generation not done in time, "
        "12 invalid answer, 13 download failed, 14 a local file, folder or the job ledger unusable, 15 a batch "
        "with lines not done, 130 interrupted, 141 output closed early (a pipe), 143 terminated, 1 other API errors.",
        allow_abbrev=False,
    )
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.add_argument("--version", action="version", version=f"{PROGRAM} {version or 'unknown'}")
    parser.add_argument(
        "--profile",
        action="append",
        help=f"the server to use: a profile's base URL and key (default: {PROFILE_ENV}, else {API_KEY_ENV} and "
        f"{BASE_URL_ENV}); `{PROGRAM} config` manages them. `batch` takes it again for each server to spread over",
    )
    parser.add_argument(
        "--ledger", type=Path, help=f"the job ledger (default: {LEDGER_ENV}, else {PROGRAM}'s data folder)"
    )
    parser.add_argument(
        "--http-timeout",
        type=positive_seconds,
        help="seconds one request may take before it fails (default: the profile's, else 60; 5 to connect)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        note = EFFECT_NOTES.get(command.effect, "")
        summary = f"{command.summary} ({note.split(':')[0].lower()})" if note else command.summary
        description = command.about(note)
        sub = subparsers.add_parser(command.name, help=summary, description=description, allow_abbrev=False)
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the answer as JSON")
        for option in command.options:
            add_option(sub, option)
        if command.waits:
            add_saving(sub)
            sub.add_argument("--no-wait", action="store_true", help="print the queued answer and return at once")
        if command.effect == "changes":
            sub.add_argument("-y", "--yes", action="store_true", help="do it without asking first")
        sub.set_defaults(command_spec=command)
    add_job_commands(subparsers)
    add_config_commands(subparsers)
    for added in extra:
        sub = subparsers.add_parser(added.name, help=added.help, description=added.description, allow_abbrev=False)
        added.add_arguments(sub)
        sub.set_defaults(extra_command=added)
    return parser


def add_config_commands(subparsers: Any) -> None:
    config = subparsers.add_parser(
        "config",
        help="profiles: one per dedicated server (a base URL, and the key's environment variable or the OS keyring)",
        allow_abbrev=False,
    )
    actions = config.add_subparsers(dest="config_action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="add or replace a profile; without --key-env the key is read from standard input into the OS keyring",
        allow_abbrev=False,
    )
    add.add_argument("name", help="the profile's name (--profile NAME)")
    add.add_argument("--base-url", required=True, type=http_url, help="the server's base URL")
    add.add_argument("--key-env", help="the environment variable that holds the key (else: the OS keyring)")
    add.add_argument(
        "--queue-limit",
        type=positive_int,
        default=_profiles.DEFAULT_QUEUE_LIMIT,
        help=f"jobs a batch queues on this server at once: its plan's limit (default {_profiles.DEFAULT_QUEUE_LIMIT})",
    )
    add.add_argument(
        "--http-timeout", type=positive_seconds, help="seconds one request to this server may take (default 60)"
    )
    actions.add_parser("list", help="the profiles: name, base URL, where the key comes from (never the key)")
    remove = actions.add_parser("remove", help="remove a profile (and its key from the OS keyring)")
    remove.add_argument("name", help="the profile's name")
    config.set_defaults(job_command="config")
    completions = subparsers.add_parser(
        "completions", help="print the shell code that completes commands and options (argcomplete; the cli extra)"
    )
    completions.add_argument("shell", choices=["bash", "zsh", "fish"], help="your shell")
    completions.set_defaults(job_command="completions")
    mcp = subparsers.add_parser(
        "mcp",
        help="serve the API to AI agents as an MCP server on stdio: a tool per operation (the mcp extra)",
        description="An MCP server on stdio (Claude Desktop and the like): one tool per operation, the key from the "
        "environment or --profile (never a tool argument); generating tools wait, reporting progress.",
        allow_abbrev=False,
    )
    mcp.add_argument("-o", "--out-dir", type=Path, help="save each generated model's files here (else: URLs only)")
    mcp.set_defaults(job_command="mcp")


def config_command(args: argparse.Namespace) -> str:
    """`config add|list|remove`: what it did, or the list."""
    if args.config_action == "list" and args.json:
        return json.dumps(
            [{**vars(p), "key_from": p.where()} for p in _profiles.load().values()], indent=2, default=str
        )
    if args.config_action == "list":
        rows = [
            f"{p.name}\t{p.base_url}\tkey: {p.where()}\tqueue limit: {p.queue_limit}" for p in _profiles.load().values()
        ]
        return "\n".join(rows) or f"no profiles yet (`{PROGRAM} config add NAME --base-url URL`)"
    if args.config_action == "remove":
        return f"removed profile {args.name!r} ({_profiles.remove(args.name)})"
    profile = _profiles.Profile(args.name, args.base_url, args.key_env or None, args.queue_limit, args.http_timeout)
    key = None if profile.key_env else read_key(args.name)
    path = _profiles.add(profile, key)
    return f"profile {args.name!r}: {profile.base_url}, key from {profile.where()} ({path})"


def read_key(name: str) -> str:
    """A profile's key, typed at a hidden prompt on a terminal, else one line of standard input (never an argument)."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"{PROGRAM}: the key for profile {name!r} (not shown): ")
    return sys.stdin.readline().strip()


def mcp_command(
    args: argparse.Namespace,
    table: Sequence[Mapping[str, Any]],
    async_client_class: Any,
    key: str,
    base_url: str | None,
    settings: Mapping[str, Any] | None = None,
) -> int:
    try:
        from .mcp_server import serve
    except ImportError:
        raise ValueError('the MCP server needs the mcp extra: pip install "modelslab-enterprise-3d[mcp]"') from None
    if args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
    client = async_client_class(api_key=key, base_url=base_url, ledger=ledger_path(args), **(settings or {}))
    return serve(commands_from(table), client, args.out_dir, str(getattr(async_client_class, "_version", "")))


def completion_code(shell: str) -> str:
    try:
        from argcomplete.shell_integration import shellcode
    except ImportError:
        raise ValueError(f"completions need argcomplete: {_profiles.EXTRA_HINT}") from None
    return str(shellcode([PROGRAM], shell=shell))


def add_saving(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--out-dir", type=Path, help="wait for the result and save its files here")
    parser.add_argument("--overwrite", action="store_true", help="replace files already in the output folder")
    parser.add_argument("--timeout", type=positive_seconds, default=600.0, help="seconds to wait for the result (600)")


def add_job_commands(subparsers: Any) -> None:
    wait = subparsers.add_parser(
        "wait", help="wait for a job queued earlier (or save a finished one's files)", allow_abbrev=False
    )
    wait.add_argument("id", help="the job's id, as a generating command printed it")
    wait.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the answer as JSON")
    add_saving(wait)
    wait.set_defaults(job_command="wait")
    jobs = subparsers.add_parser("jobs", help="list the job ledger: every generation sent, newest last")
    jobs.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the list as JSON")
    jobs.add_argument(
        "--state",
        action="append",
        choices=sorted(set(STATES) - {SENDING}),  # (a job still `sending` when read is shown uncertain)
        help="only jobs in this state (repeatable)",
    )
    jobs.add_argument("--name", help="only the jobs of batch lines whose name holds this text")
    jobs.add_argument(
        "--since", type=duration, help="only jobs sent within this time: 90s, 30m, 12h, 7d (default: all)"
    )
    jobs.set_defaults(job_command="jobs")
    gallery = subparsers.add_parser(
        "gallery",
        help="a page of a batch's models, in 3D, with each line's prompt, state, job id and files; served on loopback",
        description="Writes OUT_DIR/index.html from the batch's ledger (a card per line: its model in an interactive "
        "3D view, loaded when the card scrolls into view; what was asked; its state, job id, server, files and "
        "sha256; what continues an unfinished line), then serves the folder on 127.0.0.1 and opens the browser "
        "(browsers refuse models from file:// pages). Nothing is fetched from the network.",
        allow_abbrev=False,
    )
    gallery.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="the batch's output folder (`batch -o`)")
    gallery.add_argument("--no-serve", action="store_true", help="only write the page")
    gallery.add_argument("--port", type=port_number, default=0, help="the port to serve on (default: a free one)")
    gallery.set_defaults(job_command="gallery")
    batch = subparsers.add_parser(
        "batch",
        help="generate many models from a JSON Lines file (costs credits per line); run again to resume",
        description="Each line of JOBS is a JSON object: a generating command's options (text-to-3d's when it has "
        "prompt, image-to-3d's when it has image, or the one `operation` names) and an optional `name`, its folder "
        "under OUT_DIR (default: its line number). Every line is checked before anything is sent. The batch's ledger "
        "lives in OUT_DIR; running the same command again resumes: saved lines send nothing, queued ones are waited "
        "for at the server they were sent to, never submitted twice. One run at a time per OUT_DIR.",
        allow_abbrev=False,
    )
    batch.add_argument("jobs_file", type=Path, metavar="JOBS", help="the JSON Lines file of generation requests")
    batch.add_argument("-o", "--out-dir", type=Path, required=True, help="the folder the lines' folders go in")
    batch.add_argument(
        "--concurrency",
        type=positive_int,
        help="jobs queued at once on each server (default: each profile's queue limit, else "
        f"{_profiles.DEFAULT_QUEUE_LIMIT}: the smallest plan's)",
    )
    batch.add_argument(
        "--timeout", type=positive_seconds, default=600.0, help="seconds each job may take once sent (600)"
    )
    batch.add_argument(
        "--slot-timeout", type=positive_seconds, default=None, help="seconds a line may wait for a free slot (none)"
    )
    batch.add_argument("--retry-failed", action="store_true", help="submit failed lines again (costs credits)")
    batch.add_argument(
        "--resubmit-uncertain",
        action="store_true",
        help="submit again the lines sent with no answer recorded (they may have been queued and billed: this may "
        "pay twice)",
    )
    batch.add_argument(
        "--regenerate-changed",
        action="store_true",
        help="generate again the lines edited since they were sent (costs credits)",
    )
    batch.add_argument(
        "--skip-invalid", action="store_true", help="run the valid lines when some lines are invalid (else none runs)"
    )
    batch.add_argument("--overwrite", action="store_true", help="replace files already in a line's folder")
    batch.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the summary as JSON")
    batch.set_defaults(job_command="batch")


def add_option(parser: argparse.ArgumentParser, option: Option) -> None:
    if option.kind == "secret":  # an argument would show in the process list and the shell's history
        source = f"{secret_env(option)}, else asked for on standard input"
        parser.epilog = (parser.epilog or "") + f" {option.dest} is read from {source} (never an argument)."
        return
    text = option.help + (f" (default: {option.default})" if option.default not in (None, "") else "")
    if option.flag.startswith("--") is False:
        parser.add_argument(option.dest, type=CONVERTERS.get(option.kind, str), help=text)
        return
    if option.kind == "bool":
        parser.add_argument(option.flag, dest=option.dest, action=argparse.BooleanOptionalAction, help=text)
        return
    parser.add_argument(
        option.flag,
        dest=option.dest,
        type=CONVERTERS.get(option.kind, str),
        choices=choices_of(option) or None,
        required=option.required,
        help=text + (" [required]" if option.required else ""),
    )


def render(value: Any, as_json: bool) -> str:
    """An answer as JSON, or as text: an object a line per field, a list of objects (a top-level array answer) a
    block per object with a blank line between them, a list of values a line per value."""
    data = as_data(value)
    if as_json:
        return json.dumps(data, indent=2, sort_keys=True, default=str)
    if isinstance(data, dict):
        return render_fields(data)
    if isinstance(data, list):
        if any(isinstance(item, dict) for item in data):
            return "\n\n".join(render_fields(item) if isinstance(item, dict) else render_value(item) for item in data)
        return "\n".join(render_value(item) for item in data)
    return "" if data is None else str(data)


def render_fields(data: dict[str, Any]) -> str:
    """An object as text: a line per field, its name then its value ("{}" for one without fields)."""
    if not data:
        return "{}"
    width = max(len(str(key)) for key in data)
    return "\n".join(f"{key:<{width}}  {render_value(item)}" for key, item in data.items())


def render_value(value: Any) -> str:
    """A value as text: a string as it is, anything else as JSON (on one line)."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


class Progress:
    """The wait's progress on stderr: rich's bar (the `cli` extra) on a terminal, else one line per answer."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None
        self.task: Any = None
        if stream.isatty():
            try:  # the `cli` extra: without it, plain lines
                from rich.console import Console
                from rich.progress import BarColumn, DownloadColumn, ProgressColumn, SpinnerColumn, TextColumn
                from rich.progress import Progress as RichProgress
                from rich.text import Text
            except ImportError:
                pass
            else:

                class Countdown(ProgressColumn):
                    """The seconds the last answer's eta leaves, counted down between polls (rich redraws it)."""

                    def render(self, task: Any) -> Text:
                        due = task.fields.get("due")
                        return Text("" if due is None else f"about {max(due - time.monotonic(), 0):.0f} s left")

                columns = (
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    Countdown(),
                    BarColumn(),
                    DownloadColumn(),
                )
                # (NO_COLOR, https://no-color.org: no colours when it is set to anything but "")
                console = Console(file=stream, no_color=bool(os.environ.get("NO_COLOR")))
                self.bar = RichProgress(*columns, console=console, transient=True)

    def __enter__(self) -> Progress:
        if self.bar is not None:
            self.bar.__enter__()
            self.task = self.bar.add_task("queued", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def update(self, answer: object) -> None:
        status = status_of(answer) or "?"
        eta = eta_of(answer)
        job = job_id_of(answer)
        label = f"job {job}: {status}" if job is not None else f"{status}"
        if self.bar is not None:
            due = time.monotonic() + eta if eta is not None else None
            self.bar.update(self.task, description=label, due=due, total=None, completed=0)
            return
        print(f"{PROGRAM}: {label}" + (f" (eta {eta:g} s)" if eta is not None else ""), file=self.stream, flush=True)

    def download(self, url: str, received: int, total: int | None) -> None:
        name = url.rsplit("/", 1)[-1][:60]
        if self.bar is not None:
            self.bar.update(self.task, description=f"downloading {name}", due=None, total=total, completed=received)
            return
        if total is not None and received < total:
            return
        print(f"{PROGRAM}: downloaded {name} ({received} bytes)", file=self.stream, flush=True)


def confirmed(command: Command, server: str) -> bool:
    """Whether a command that changes the state of `server` (its profile and base URL, as shown) may go ahead
    without --yes: asked on a terminal (y/N); never without one (a script states --yes)."""
    if not sys.stdin.isatty():
        say(f"{command.name} changes the state of {server}: without a terminal to ask on, give --yes")
        return False
    answer = input(f"{PROGRAM}: {command.name} changes the state of {server} ({command.summary}). Go ahead? [y/N] ")
    if answer.strip().lower() in ("y", "yes"):
        return True
    say(f"{command.name}: not done")
    return False


def say(text: str) -> None:
    print(f"{PROGRAM}: {text}", file=sys.stderr, flush=True)


def check_out_dir(args: argparse.Namespace) -> None:
    """The output folder, checked before anything is paid for: created, writable, free of files (or --overwrite)."""
    if getattr(args, "out_dir", None) is not None:
        from ..runs.batch import check_folder

        check_folder(args.out_dir, args.overwrite)


def save(client: Any, result: Any, args: argparse.Namespace, progress: Progress) -> Any:
    if args.out_dir is None:
        return result
    if not outputs_of(result):
        say(f"job {job_id_of(result) or '?'} finished without output files: nothing to save")
        return []
    return client.download(result, args.out_dir, overwrite=args.overwrite, on_progress=progress.download)


class JobWatch:
    """The id of the job a command waits on, once the server has given it: what an interruption names."""

    def __init__(self, profile: str | None = None) -> None:
        self.id: str | None = None
        self.sent = False
        self.profile = profile

    def wait_command(self, job_id: str, args: argparse.Namespace | None = None) -> str:
        """The command that continues a job's wait (with the profile it was sent with)."""
        profile = f" --profile {self.profile}" if self.profile else ""
        out = f" -o {args.out_dir}" if args is not None and getattr(args, "out_dir", None) is not None else ""
        return f"{PROGRAM}{profile} wait {job_id}{out}"

    def queued(self, job_id: str) -> None:
        self.id = job_id
        say(f"queued job {job_id} (if this stops, `{self.wait_command(job_id)}` continues it)")

    def continuing(self, args: argparse.Namespace, error: BaseException | None = None) -> str:
        if self.id is None:
            if isinstance(error, errors.APIConnectionError) and not error.sent:
                return "; no connection was made: nothing was sent"
            unanswered = error is None or isinstance(error, (errors.APIConnectionError, errors.InternalServerError))
            if self.sent and unanswered:  # (error None: interrupted after sending)
                return f"; the job may have been queued (and billed): `{PROGRAM} jobs` lists it as uncertain"
            return ""
        return f"; job {self.id} goes on on the server: `{self.wait_command(self.id, args)}` continues it"


def read_secret(option: Option) -> str:
    """A credential field's value: its environment variable, else a line of standard input (not echoed on a
    terminal); ValueError when neither gives one."""
    value = os.environ.get(secret_env(option), "")
    if not value.strip():
        if sys.stdin.isatty():
            import getpass

            value = getpass.getpass(f"{option.dest}: ")
        else:
            value = sys.stdin.readline().rstrip("\n")
    if not value.strip():
        raise ValueError(f"{option.dest} is needed: set {secret_env(option)} or give it on standard input")
    return value


def call(client: Any, command: Command, args: argparse.Namespace, watch: JobWatch) -> Any:
    options = {o.dest for o in command.options}
    positional = [getattr(args, o.dest) for o in command.options if not o.flag.startswith("--")]
    keywords = {
        o.dest: getattr(args, o.dest)
        for o in command.options
        if o.flag.startswith("--") and o.kind != "secret" and getattr(args, o.dest, None) is not None
    }
    keywords |= {o.dest: read_secret(o) for o in command.options if o.kind == "secret"}
    for option in command.options:
        if option.model and option.dest in keywords:
            keywords[option.dest] = as_model(option, keywords[option.dest])
    assert set(keywords) <= options
    if not command.waits:
        return getattr(client, command.method)(*positional, **keywords)
    watch.sent = True
    if args.no_wait:
        answer = getattr(client, command.method)(*positional, **keywords)
        if (job := job_id_of(answer)) is not None:
            watch.queued(job)
        return answer
    with output_folder(args), Progress(sys.stderr) as progress:
        result = getattr(client, command.waits)(
            *positional, **keywords, timeout=args.timeout, on_update=progress.update, on_queued=watch.queued
        )
        return save(client, result, args, progress)


def wait_command(client: Any, args: argparse.Namespace, watch: JobWatch) -> Any:
    watch.id = args.id
    with output_folder(args), Progress(sys.stderr) as progress:
        waits = sorted({pair[1] for pair in client._GENERATION_WAITS.values()})
        if not waits:
            raise ValueError("this API has no generating operation: there is no job to wait for")
        result = getattr(client, waits[0])(args.id, timeout=args.timeout, on_update=progress.update)
        return save(client, result, args, progress)


@contextmanager
def output_folder(args: argparse.Namespace) -> Iterator[None]:
    """The output folder checked (check_out_dir) for the block; removed again if the block made it and fails before
    a file is in it (an unknown job id leaves no empty folder behind)."""
    folder = getattr(args, "out_dir", None)
    made = folder is not None and not folder.exists()
    check_out_dir(args)
    try:
        yield
    except BaseException:
        if made and folder is not None and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        raise


def server_of_job(args: argparse.Namespace, given: Any) -> tuple[Any, str | None]:
    """The profile and base URL `wait ID` uses: those the ledger recorded the job with (its key stays with its
    server); the profile given when it agrees. ProfileError when it names another server."""
    from ..runs.ledger import Ledger

    path = ledger_path(args)
    if not path.exists():
        return given, None
    with Ledger(path) as ledger:
        entry = ledger.find(str(args.id))
    if entry is None or entry.server is None:
        return given, None
    if given is not None:
        if given.base_url.rstrip("/") != entry.server.rstrip("/"):
            sent_with = f" with profile {entry.profile!r}" if entry.profile else ""
            raise _profiles.ProfileError(
                f"job {args.id} was sent to {entry.server}{sent_with}, not to profile {given.name!r}'s server: its key "
                "stays with its server"
            )
        return given, None
    if entry.profile is not None:
        return _profiles.chosen(entry.profile), None
    return None, entry.server


def jobs_command(args: argparse.Namespace) -> str:
    from ..runs.ledger import Ledger

    path = ledger_path(args)
    if not path.exists():
        return "[]" if args.json else f"no jobs yet (the ledger {path} does not exist)"
    filtered = bool(args.state or args.name or args.since)
    with Ledger(path) as ledger:
        if args.json and not filtered:
            return ledger.entries_json()  # (the whole ledger: written as stored, without building each entry)
        now = time.time()
        entries = [
            entry
            for entry in ledger.entries()
            if (not args.state or entry.shown_state in args.state)
            and (not args.name or args.name in (entry.name or ""))
            and (not args.since or now - entry.created <= args.since)
        ]
    if args.json:
        return json.dumps([entry.as_dict() for entry in entries], indent=2)
    rows = [("JOB", "STATUS", "AGE", "NAME", "SERVER", "OPERATION", "INPUTS", "FILES")]
    for entry in entries:
        summary = ", ".join(f"{k}={str(v)[:30]}" for k, v in list(entry.inputs.items())[:2])
        server = f"profile {entry.profile}" if entry.profile else (entry.server or "-")
        rows.append(
            (
                entry.job_id or "-",
                entry.shown_state,
                age(now - entry.created),
                entry.name or "-",
                server,
                entry.operation,
                summary,
                ", ".join(saved.path for saved in entry.files) or "-",
            )
        )
    return table(rows) if entries else "no jobs match" if filtered else table(rows)


def display_width(text: str) -> int:
    """The columns a text takes on a terminal: a wide (CJK) character two, a combining mark none."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text
    )


def gallery_command(args: argparse.Namespace) -> int:
    """`gallery OUT_DIR`: write the page; then serve it until Ctrl-C (unless --no-serve)."""
    from .gallery import serving, write_gallery

    written = write_gallery(args.out_dir)
    if args.no_serve:
        print(written)
        return 0
    import webbrowser

    with serving(written.parent, args.port) as url:
        print(f"{url} (Ctrl-C stops serving it)", flush=True)
        webbrowser.open(url)
        with suppress(KeyboardInterrupt):  # (Ctrl-C: the way to stop serving)
            signal.pause()
    return 0


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned columns (by display width); the last column, which may be long, is left as it is."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = (
        "  ".join(
            [
                *(cell + " " * (width - display_width(cell)) for cell, width in zip(row[:-1], widths, strict=True)),
                row[-1],
            ]
        )
        for row in rows
    )
    return "\n".join(lines)


def age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h" if seconds < 172800 else f"{seconds / 86400:.0f} d"


def batch_command(
    key: str,
    args: argparse.Namespace,
    async_client_class: Any,
    base_url: str | None = None,
    profile: _profiles.Profile | None = None,
    others: Sequence[tuple[_profiles.Profile, str]] = (),
) -> tuple[int, str]:
    """Run a batch on the async client (cancelling it stops every line at once and leaves no part of a file): on
    the server of `profile` (or the environment's), and on each of `others` (a profile and its key) too."""
    import asyncio
    from contextlib import AsyncExitStack

    from ..runs.batch import read_jobs

    requests = read_jobs(args.jobs_file)
    servers = [(profile, key, base_url), *((other, other_key, other.base_url) for other, other_key in others)]
    limits = [
        args.concurrency or (server.queue_limit if server is not None else _profiles.DEFAULT_QUEUE_LIMIT)
        for server, _, _ in servers
    ]

    async def run() -> Any:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None:
            loop.add_signal_handler(signal.SIGTERM, lambda: terminated.append(task.cancel()))
        async with AsyncExitStack() as stack:
            clients = []
            for server, server_key, url in servers:  # (each key stays with its own server's client)
                settings = http_timeout(args, server)
                client = await stack.enter_async_context(
                    async_client_class(api_key=server_key, base_url=url, **settings)
                )
                client._profile = server.name if server is not None else None
                clients.append(client)
            return await clients[0].generate_many(
                requests,
                args.out_dir,
                concurrency=limits,
                clients=clients[1:],
                timeout=args.timeout,
                slot_timeout=args.slot_timeout,
                on_progress=batch_progress,
                retry_failed=args.retry_failed,
                resubmit_uncertain=args.resubmit_uncertain,
                regenerate_changed=args.regenerate_changed,
                skip_invalid=args.skip_invalid,
                overwrite=args.overwrite,
            )

    terminated: list[object] = []
    try:
        results = asyncio.run(run())
    except asyncio.CancelledError:
        if terminated:
            raise Terminated() from None
        raise KeyboardInterrupt() from None
    done = all(result.state == "saved" for result in results)
    if args.json:
        return (0 if done else BATCH_NOT_DONE), json.dumps([result.as_dict() for result in results], indent=2)
    names = {url: server.name for server, _, url in servers if server is not None and url is not None}
    several = len(servers) > 1
    rows = [("NAME", "STATE", "JOB", *(("SERVER",) if several else ()), "FILES / MESSAGE")]
    for result in results:
        detail = ", ".join(str(path) for path in result.files) or (result.message or "")[:100]
        where = (names.get(result.server or "", result.server or "-"),) if several else ()
        rows.append((result.name, result.state, result.job_id or "-", *where, detail))
    summary = table(rows)
    if several:
        per_server: dict[str, dict[str, int]] = {}
        for result in results:
            if result.server is not None:
                states = per_server.setdefault(names.get(result.server, result.server), {})
                states[result.state] = states.get(result.state, 0) + 1
        summary += "\n" + "\n".join(f"{server}: {counted(states)}" for server, states in sorted(per_server.items()))
    if not done:
        left = sum(result.state != "saved" for result in results)
        summary += f"\n{left} of {len(results)} lines not done: " + "; ".join(next_steps(results))
    summary += f"\nsee the models: {PROGRAM} gallery {args.out_dir}"
    return (0 if done else BATCH_NOT_DONE), summary


def next_steps(results: Sequence[Any]) -> list[str]:
    """What to run next for a batch's unfinished lines: one clause per kind, naming the flag and what it costs."""
    steps = []
    for state, (flag, effect) in NEXT_STEPS.items():
        count = sum(result.state == state for result in results)
        if count:
            how = "" if state == INVALID else f"the same command with {flag} " if flag else "the same command again "
            steps.append(f"{count} {state}: {how}{effect}")
    return steps


def counted(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{counts[state]} {state}" for state in sorted(counts))


def batch_progress(progress: Any) -> None:
    job = f" (job {progress.job_id}" + (f" at {progress.server}" if len(progress.per_server) > 1 else "") + ")"
    job = job if progress.job_id else ""
    say(f"{progress.line}: {progress.state}{job} -- {counted(progress.counts)} of {progress.total}")


class RetryLines(logging.Handler):
    """The client's retries, one line each on stderr ("no answer in 60 s; retry 1 of 2")."""

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "retry", None) is not None:
            say(record.getMessage())


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(
    argv: Sequence[str] | None,
    table: Sequence[Mapping[str, Any]],
    client_class: Any,
    async_client_class: Any,
    extra: Sequence[ExtraCommand] = (),
) -> int:
    """The command line over these clients (the generated Enterprise3D and AsyncEnterprise3D), the operations'
    table and the `extra` subcommands; the exit status."""
    try:
        status = _run(argv, table, client_class, async_client_class, extra)
        sys.stdout.flush()  # (a closed pipe shows here at the latest)
    except BrokenPipeError:
        # The reader went away (`modelslab-3d jobs | head`): what it wanted it has; say nothing more, as `cat` does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return CLOSED_OUTPUT
    return status


def _run(
    argv: Sequence[str] | None,
    table: Sequence[Mapping[str, Any]],
    client_class: Any,
    async_client_class: Any,
    extra: Sequence[ExtraCommand],
) -> int:
    parser = build_parser(commands_from(table), str(getattr(client_class, "_version", "")), extra)
    try:
        import argcomplete  # (the cli extra: completes when the shell asks, else does nothing)
    except ImportError:
        pass
    else:
        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    names = args.profile or [None]
    if len(names) > 1 and getattr(args, "job_command", None) != "batch":
        parser.error("--profile is given once, but for `batch`, which spreads its lines over several servers")
    if getattr(args, "no_wait", False) and getattr(args, "out_dir", None) is not None:
        parser.error("--no-wait and -o do not go together: -o saves the files once the job is done")
    extra_command = getattr(args, "extra_command", None)
    if extra_command is not None or getattr(args, "job_command", None) in ("config", "completions", "jobs", "gallery"):
        try:
            if extra_command is not None:
                return int(extra_command.run(args))
            if args.job_command == "jobs":
                print(jobs_command(args))
            elif args.job_command == "gallery":
                return gallery_command(args)
            else:
                print(config_command(args) if args.job_command == "config" else completion_code(args.shell))
        except (ValueError, OSError, errors.LedgerError) as error:
            say(f"{type(error).__name__}: {error}")
            return exit_status(error)
        return 0
    try:
        profile = _profiles.chosen(names[0])
        others = [(other, other.key()) for other in map(_profiles.chosen, names[1:]) if other is not None]
        if getattr(args, "job_command", None) == "wait":
            profile, server = server_of_job(args, profile)
        else:
            server = None
        key = profile.key() if profile is not None else os.environ.get(API_KEY_ENV, "")
    except (_profiles.ProfileError, errors.LedgerError) as error:
        say(str(error))
        return USAGE if isinstance(error, _profiles.ProfileError) else LOCAL_ERROR
    base_url = profile.base_url if profile is not None else server
    profile_name = profile.name if profile is not None else None
    given_url = base_url or os.environ.get(BASE_URL_ENV)
    if given_url:
        try:
            http_url(given_url)
        except argparse.ArgumentTypeError as error:
            say(f"{BASE_URL_ENV if base_url is None else 'the profile'}: {error}")
            return USAGE
    if not key.strip():
        say(f"set {API_KEY_ENV} to your API key (it is never taken as an argument; a blank one is refused)")
        return USAGE
    command = getattr(args, "command_spec", None)
    shown = f"profile {profile_name!r} ({given_url})" if profile_name else given_url or "the default server"
    if command is not None and command.effect == "changes" and not args.yes and not confirmed(command, shown):
        return USAGE
    handler = RetryLines()
    logger = package_logger
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    watch = JobWatch(profile_name)
    status = 0
    try:
        with sigterm_as_interrupt():
            if getattr(args, "job_command", None) == "mcp":
                return mcp_command(args, table, async_client_class, key, base_url, http_timeout(args, profile))
            if getattr(args, "job_command", None) == "batch":
                status, output = batch_command(key, args, async_client_class, base_url, profile, others)
                print(output)
                return status
            settings = http_timeout(args, profile)
            with client_class(api_key=key, base_url=base_url, ledger=ledger_path(args), **settings) as client:
                client._profile = profile_name
                if getattr(args, "job_command", None) == "wait":
                    result = wait_command(client, args, watch)
                else:
                    result = call(client, args.command_spec, args, watch)
    except (errors.APIError, OSError, ValueError) as error:
        status = exit_status(error)
        text = str(error).strip()
        first_line = text.splitlines()[0] if text else type(error).__name__
        first_line = first_line.replace("pass overwrite=True to replace it", "--overwrite replaces it")
        hint = (
            watch.continuing(args, error)
            if isinstance(error, (errors.APIConnectionError, errors.GenerationTimeoutError, errors.InternalServerError))
            else ""
        )
        say(f"{type(error).__name__}: {first_line}{hint}")
        return status
    except KeyboardInterrupt as interruption:
        terminated = isinstance(interruption, Terminated)
        say(("terminated" if terminated else "interrupted") + watch.continuing(args))
        return TERMINATED if terminated else INTERRUPTED
    finally:
        logger.removeHandler(handler)
    output = render(result, args.json)
    if output:
        print(output)
    return status
