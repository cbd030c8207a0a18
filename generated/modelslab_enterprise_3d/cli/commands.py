"""The operations' table (generated beside this package, in its `api` package), read as commands: their options,
what each does beyond answering, and how a command's arguments become the method's. The command line and the MCP
server both read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple


class Option(NamedTuple):
    """One argument of a subcommand: a path parameter (positional) or a body field (--option)."""

    flag: str  # "id" or "--output-format"
    dest: str  # the method's argument
    kind: str  # "str" | "int" | "float" | "bool" | "json" (a list, an object) | "secret" (a credential)
    required: bool = False
    choices: tuple[str, ...] = ()  # an enum's values, written as text: each is converted as the option's kind
    default: str | None = None  # shown in --help; an option not given keeps the spec's default
    help: str = ""
    model: str = ""  # a json option's object model (the object's, or its list's items'), built from the JSON given
    field: str = ""  # the body field's name in the spec, where it is not `dest`


class Command(NamedTuple):
    name: str  # the command: "text-to-3d"
    method: str  # the clients' method: "text_to_3d"
    summary: str
    options: tuple[Option, ...]
    waits: str | None = None  # "text_to_3d_and_wait" for a generating operation
    effect: str = "changes"  # "generates" (costs credits), "changes" (the server's state: asks first), "reads"
    description: str = ""  # the spec's description of the operation, where it says more than its summary
    tool: str = ""  # the MCP server's tool

    def about(self, *notes: str) -> str:
        """What the command does, in the spec's words (its description, else its summary), then `notes`."""
        text = (self.description or self.summary).strip()
        return " ".join(part for part in (text if text.endswith((".", "!", "?")) else text + ".", *notes) if part)


def commands_from(table: Sequence[Mapping[str, Any]]) -> tuple[Command, ...]:
    """The commands of the operations' table (an operation a mapping, with its options)."""
    return tuple(
        Command(
            entry["command"],
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
                    option.get("model") or "",
                    option.get("field") or "",
                )
                for option in entry["options"]
            ),
            entry.get("waits"),
            entry.get("effect") or "changes",
            entry.get("description") or "",
            entry.get("tool") or entry["method"],
        )
        for entry in table
    )


# What a command's help says of what it does beyond answering (the operation table's reviewed effect).
EFFECT_NOTES = {
    "generates": "Costs credits: it queues a paid generation.",
    "changes": "Changes your server's state: on a terminal it asks first (--yes skips the question; without a "
    "terminal --yes is required).",
    "reads": "",
}
# The same, for an agent calling the MCP tool (no terminal, no flags: the client app asks its user, if it does).
TOOL_EFFECT_NOTES = {
    "generates": "Costs credits: each call queues a paid generation; do not call it again for the same request "
    "after an error that says the job may have been queued.",
    "changes": "Changes the state of the user's server (destructive): confirm with the user before calling it.",
    "reads": "Only reads; safe to call again.",
}


# How an option's text becomes a value of its kind (a plain one; the command line adds JSON). An enum option's values
# are written as text in the table too, and converted so.
SCALAR_KINDS: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "str": str}


def choices_of(option: Option) -> list[Any]:
    """An enum option's values, of its kind (an integer enum's are integers, as the API takes them)."""
    convert = SCALAR_KINDS.get(option.kind, str)
    return [convert(choice) for choice in option.choices]


def secret_env(option: Option) -> str:
    """The environment variable a credential field is read from (AWS_SECRET_ACCESS_KEY for aws_secret_access_key)."""
    return option.dest.upper()


def as_data(value: Any) -> Any:
    """A result as JSON data: a model's to_dict(), a list of them, paths as text."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [as_data(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def as_model(option: Option, value: Any) -> Any:
    """The JSON given for a json option as the method takes it: its object model (a list of them, for a list)."""
    from .. import models  # type: ignore[attr-defined,unused-ignore]  # (generated beside this package)

    model = getattr(models, option.model)

    def build(item: Any) -> Any:
        if not isinstance(item, dict):
            raise ValueError(f"{option.flag}: expected a JSON object (a {option.model}), got {type(item).__name__}")
        try:
            return model.from_dict(item)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{option.flag}: not a {option.model}: {type(error).__name__}: {error}") from None

    return [build(item) for item in value] if isinstance(value, list) else build(value)
