"""The command line, `modelslab-3d` (or `python -m modelslab_enterprise_3d`): one subcommand per operation.

The subcommands, their options and help come from the spec (the package's generated client writes the table,
`client.cli_commands()`); this module turns the table into argparse parsers, calls the high-level client, prints the
answer (readable text, or JSON with --json) and turns each typed error into one line and its exit status:

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

The key is read from MODELSLAB_API_KEY only (an argument would show in the process list) and never printed; the
base URL from MODELSLAB_BASE_URL, else the spec's server. A generating subcommand waits for its result with a progress
bar (rich's, when the `cli` extra is installed; else a line per answer) and saves the files with -o DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from . import errors
from ._vendor import API_KEY_ENV, BASE_URL_ENV

PROGRAM = "modelslab-3d"


class Option(NamedTuple):
    """One argument of a subcommand: a path parameter (positional) or a body field (--option)."""

    flag: str  # "id" or "--output-format"
    dest: str  # the method's argument
    kind: str  # "str" | "int" | "float" | "bool" | "choice"
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None  # shown in --help; an option not given keeps the spec's default
    help: str = ""


class Command(NamedTuple):
    name: str  # "text-to-3d"
    method: str  # "text_to_3d"
    summary: str
    options: tuple[Option, ...]
    waits: str | None = None  # "text_to_3d_and_wait" for a generating operation


def commands_from(table: str) -> tuple[Command, ...]:
    """The subcommands of the table the client module carries (JSON: a list of commands with their options)."""
    return tuple(
        Command(
            entry["name"],
            entry["method"],
            entry["summary"],
            tuple(
                Option(
                    option["flag"],
                    option["dest"],
                    option["kind"],
                    bool(option.get("required")),
                    tuple(option.get("choices") or ()),
                    option.get("default"),
                    option.get("help") or "",
                )
                for option in entry["options"]
            ),
            entry.get("waits"),
        )
        for entry in json.loads(table)
    )


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
    (errors.APIError, 1),
)
USAGE = 2

CONVERTERS: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "str": str, "choice": str}


def exit_status(error: BaseException) -> int:
    return next(status for cls, status in EXIT_STATUSES if isinstance(error, cls))


def build_parser(commands: Sequence[Command]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description=f"The API from a shell. The key comes from {API_KEY_ENV}; the base URL from {BASE_URL_ENV}.",
        epilog="Exit statuses: 0 success, 2 usage, 3 key refused, 4 not found, 5 out of credits, 6 rate limited, "
        "7 other 4xx, 8 server error, 9 no answer, 10 the operation failed, 11 generation not done in time, "
        "12 invalid answer, 13 download failed, 1 other API errors.",
        allow_abbrev=False,
    )
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        sub = subparsers.add_parser(command.name, help=command.summary, description=command.summary, allow_abbrev=False)
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the answer as JSON")
        for option in command.options:
            add_option(sub, option)
        if command.waits:
            sub.add_argument("-o", "--out-dir", type=Path, help="wait for the result and save its files here")
            sub.add_argument("--no-wait", action="store_true", help="print the queued answer and return at once")
            sub.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the result (600)")
        sub.set_defaults(command_spec=command)
    return parser


def add_option(parser: argparse.ArgumentParser, option: Option) -> None:
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
        choices=option.choices or None,
        required=option.required,
        help=text + (" [required]" if option.required else ""),
    )


def as_data(value: Any) -> Any:
    """A result as JSON data: a model's to_dict(), a list of them, paths as text."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [as_data(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def render(value: Any, as_json: bool) -> str:
    data = as_data(value)
    if as_json:
        return json.dumps(data, indent=2, sort_keys=True, default=str)
    if isinstance(data, dict):
        width = max((len(str(key)) for key in data), default=0)
        return "\n".join(
            f"{key:<{width}}  {item if isinstance(item, str) else json.dumps(item)}" for key, item in data.items()
        )
    if isinstance(data, list):
        return "\n".join(str(item) for item in data)
    return "" if data is None else str(data)


class Progress:
    """The wait's progress on stderr: rich's bar (the `cli` extra) on a terminal, else one line per answer."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None
        self.task: Any = None
        if stream.isatty():
            try:  # the `cli` extra: without it, plain lines
                from rich.console import Console
                from rich.progress import Progress as RichProgress
            except ImportError:
                pass
            else:
                self.bar = RichProgress(console=Console(file=stream), transient=True)

    def __enter__(self) -> Progress:
        if self.bar is not None:
            self.bar.__enter__()
            self.task = self.bar.add_task("queued", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def update(self, answer: object) -> None:
        status = getattr(getattr(answer, "status", None), "value", getattr(answer, "status", "?"))
        eta = getattr(answer, "eta", None)
        eta = eta if isinstance(eta, int | float) and not isinstance(eta, bool) else None
        if self.bar is not None:
            description = f"{status}" + (f", about {eta:.0f} s left" if eta is not None else "")
            self.bar.update(self.task, description=description)
            return
        print(f"{PROGRAM}: {status}" + (f" (eta {eta:g} s)" if eta is not None else ""), file=self.stream, flush=True)


def call(client: Any, command: Command, args: argparse.Namespace) -> Any:
    options = {o.dest for o in command.options}
    positional = [getattr(args, o.dest) for o in command.options if not o.flag.startswith("--")]
    keywords = {
        o.dest: getattr(args, o.dest)
        for o in command.options
        if o.flag.startswith("--") and getattr(args, o.dest, None) is not None
    }
    assert set(keywords) <= options
    if not command.waits or args.no_wait:
        return getattr(client, command.method)(*positional, **keywords)
    with Progress(sys.stderr) as progress:
        result = getattr(client, command.waits)(
            *positional, **keywords, timeout=args.timeout, on_update=progress.update
        )
    if args.out_dir is None:
        return result
    return client.download(result, args.out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    from .client import Enterprise3D, cli_commands  # type: ignore[import-not-found,unused-ignore]  # (generated)

    parser = build_parser(cli_commands())
    args = parser.parse_args(argv)
    key = os.environ.get(API_KEY_ENV, "")
    if not key:
        print(f"{PROGRAM}: set {API_KEY_ENV} to your API key (it is never taken as an argument)", file=sys.stderr)
        return USAGE
    try:
        with Enterprise3D(api_key=key) as client:
            result = call(client, args.command_spec, args)
    except (errors.APIError, FileExistsError) as error:
        status = exit_status(error) if isinstance(error, errors.APIError) else 1
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"{PROGRAM}: {type(error).__name__}: {first_line.replace(key, '***')}", file=sys.stderr)
        return status
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return 130
    output = render(result, args.json)
    if output:
        print(output.replace(key, "***"))
    return 0
