"""What the command table says of an operation, as the command line and MCP tests read it: its command, what it
does beyond answering, and a tool call's arguments, from the spec."""

from __future__ import annotations

from typing import Any

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.instances import request_instance, valid_instance
from enterprise3d_devkit.spec.operation_table import load_table
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d.api import OPERATIONS
from modelslab_enterprise_3d.cli import commands as _commands
from tests.support.generation import GENERATING
from tests.support.spec_cases import python_name

COMMANDS = {command.method: command for command in _commands.commands_from(OPERATIONS)}
GENERATING_TOOLS = list(GENERATING)


def effect_of(op: Operation) -> str:
    """What the reviewed operation table says the operation does (not reviewed yet: it may change state)."""
    policy = load_table().get(op.label)
    if op in GENERATING:
        return "generates"
    return "reads" if policy is not None and not policy.changes_state else "changes"


def arguments_for(op: Operation) -> dict[str, Any]:
    """A tool call's arguments, from the spec: path parameters, required query/header ones, a valid body's fields."""
    command = COMMANDS[method_name(op)]
    body = request_instance(op) if op.request_schema else {}
    parameters = {python_name(p["name"]): p for p in op.parameters if p.get("in") in ("path", "query", "header")}
    arguments: dict[str, Any] = {}
    for option in command.options:
        if option.kind == "secret":
            continue
        if option.dest in parameters:
            if option.required:
                schema = parameters[option.dest].get("schema") or {"type": "string"}
                arguments[option.dest] = valid_instance(schema, op.openapi_version)
        elif (name := next((n for n in body if python_name(n) == option.dest), None)) is not None:
            arguments[option.dest] = body[name]
    return arguments
