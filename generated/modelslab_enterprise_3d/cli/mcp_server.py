"""`modelslab-3d mcp`: the API as an MCP server on stdio, for AI agents (Claude Desktop and the like).

One tool per operation, from the command line's table (itself generated from the spec and the reviewed operation
table): its input schema is the operation's parameters and body fields, never the key nor another credential (those
come from the server's environment or profile); its description is the spec's summary and what it does beyond
answering; its annotations say whether it only reads, changes the server (destructive) or is safe to repeat
(idempotent). A generating operation's tool submits, waits (reporting progress) and returns the job's id, the files'
URLs and, when the server was started with an output folder, the saved files' paths. Built on the official `mcp` SDK
(the `mcp` extra); errors come back as tool errors, one line naming the error's class.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

try:
    import anyio
    import mcp_types as types
    from mcp.server import Server
    from mcp.server.stdio import stdio_server
except ImportError as missing:  # (the mcp extra)
    raise ImportError('the MCP server needs the mcp extra: pip install "modelslab-enterprise-3d[mcp]"') from missing

from ..core import errors
from ..core.answers import eta_of, job_id_of, status_of
from ..core.checks import schema_of
from .commands import TOOL_EFFECT_NOTES, Command, Option, as_data, as_model, choices_of, secret_env
from .profiles import PROGRAM

# The JSON Schema of each kind of option.
KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
}
WAITING_NOTE = (
    "Waits until the job is done, reporting progress, and returns the job's id, the status and the files' URLs "
    "(and the saved files' paths, when the server has an output folder: a folder per job, named by its id)."
)


# The keywords of a field's checked schema (the client's check before a request is sent) that an input schema
# carries as they are: so that an agent is told every limit the client would refuse a value for.
CARRIED = (
    "enum",
    "const",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "default",
    "items",
    "properties",
    "required",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "additionalProperties",
)


def json_schema(checked: dict[str, Any]) -> dict[str, Any]:
    """A field's checked (OpenAPI 3.0) schema as JSON Schema: `nullable` as a "null" type, a boolean
    exclusiveMinimum / exclusiveMaximum as the number it bounds, nested items and properties alike."""
    schema: dict[str, Any] = {}
    kind = checked.get("type")
    if kind is not None:
        schema["type"] = [kind, "null"] if checked.get("nullable") and isinstance(kind, str) else kind
    for keyword in CARRIED:
        if keyword not in checked:
            continue
        value = checked[keyword]
        if keyword == "items" and isinstance(value, dict):
            value = json_schema(value)
        elif keyword == "properties" and isinstance(value, dict):
            value = {name: json_schema(sub) for name, sub in value.items() if isinstance(sub, dict)}
        elif keyword == "enum" and checked.get("nullable"):
            value = [*value, None] if None not in value else value
        schema[keyword] = value
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if checked.get(bound) is True and limit in schema:
            schema[bound] = schema.pop(limit)
        elif isinstance(checked.get(bound), int | float) and not isinstance(checked.get(bound), bool):
            schema[bound] = checked[bound]
    return schema


def all_properties(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema's properties, those of its allOf parts included (a part's own win over a later one's)."""
    found: dict[str, Any] = {}
    for part in schema.get("allOf") or []:
        if isinstance(part, dict):
            found.update(all_properties(part))
    found.update(schema.get("properties") or {})
    return found


def input_schema(command: Command, body_schema: str = "") -> dict[str, Any]:
    """The tool's arguments: the command's options, credentials left out (the server's environment has them); each
    body field with the limits its operation's schema sets (`body_schema`: the checked schema, as JSON text)."""
    fields = all_properties(schema_of(body_schema)) if body_schema else {}
    properties: dict[str, Any] = {}
    required = []
    for option in command.options:
        if option.kind == "secret":
            continue
        checked = fields.get(option.field or option.dest)
        if isinstance(checked, dict):
            schema = json_schema(checked)
        elif option.kind == "json":
            schema = {"type": ["array", "object"]}
        else:
            schema = dict(KIND_SCHEMAS.get(option.kind, {"type": "string"}))
        if option.choices and "enum" not in schema:
            schema["enum"] = choices_of(option)
        if option.help:
            schema["description"] = option.help
        properties[option.dest] = schema
        if option.required:
            required.append(option.dest)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def tool(command: Command, retried: frozenset[str], body_schema: str = "") -> types.Tool:
    note = TOOL_EFFECT_NOTES.get(command.effect, "")
    description = command.about(note, WAITING_NOTE if command.waits else "")
    annotations = types.ToolAnnotations(
        title=command.summary,
        read_only_hint=command.effect == "reads",
        destructive_hint=command.effect == "changes",
        idempotent_hint=command.method in retried,
        open_world_hint=True,
    )
    return types.Tool(
        name=command.tool,
        description=description,
        input_schema=input_schema(command, body_schema),
        annotations=annotations,
    )


def arguments_of(client: Any, command: Command, given: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """(positional, keyword) arguments of the command's method, from a tool call's arguments and, for a credential,
    the server's environment."""
    import os

    known = {option.dest for option in command.options if option.kind != "secret"}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValueError(f"{command.tool} takes no argument {', '.join(unknown)}")
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for option in command.options:
        if option.kind == "secret":
            value = os.environ.get(secret_env(option))
            if not value:
                raise ValueError(f"{command.tool} needs {secret_env(option)} in the MCP server's environment")
            keywords[option.dest] = value
            continue
        if option.dest not in given:
            if option.required or not option.flag.startswith("--"):
                raise ValueError(f"{command.tool} needs the argument {option.dest!r}")
            continue
        value = as_model(option, given[option.dest]) if option.model else given[option.dest]
        if option.flag.startswith("--"):
            keywords[option.dest] = value
        else:
            positional.append(value)
    return positional, keywords


def build_server(
    commands: Sequence[Command], client: Any, out_dir: Path | None = None, version: str = ""
) -> Server[Any]:
    """An MCP server whose tools call `client` (an AsyncEnterprise3D, whose key and base URL are set)."""
    tools = {command.tool: command for command in commands}
    retried = frozenset(getattr(client, "_RETRY_SAFE", ()))
    body_schemas = {op.name: op.body_schema for op in getattr(client, "_OPERATIONS", ())}
    listed = [tool(command, retried, body_schemas.get(command.method, "")) for command in tools.values()]

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        command = tools.get(params.name)
        if command is None:
            return failure(ValueError(f"no tool {params.name!r}"))
        try:
            positional, keywords = arguments_of(client, command, dict(params.arguments or {}))
            if not command.waits:
                return success(as_data(await getattr(client, command.method)(*positional, **keywords)))
            polls = 0

            async def on_update(answer: Any) -> None:
                nonlocal polls
                polls += 1
                status, eta = status_of(answer), eta_of(answer)
                # (a no-op when the client asked for no progress)
                await ctx.session.report_progress(polls, None, f"{status}" + (f", about {eta} s left" if eta else ""))

            result = await getattr(client, command.waits)(*positional, **keywords, on_update=on_update)
            answer: dict[str, Any] = {"job_id": job_id_of(result), "result": as_data(result)}
            if out_dir is not None:  # (each job's files in a folder of its own, named by the job's id)
                folder = out_dir / str(answer["job_id"] or f"job-{polls}")
                answer["saved"] = [str(path) for path in await client.download(result, folder)]
            return success(answer)
        except (errors.APIError, ValueError, TypeError, OSError) as error:  # (a tool error: no traceback either side)
            return failure(error)

    return Server(
        PROGRAM,
        version=version,
        instructions="The ModelsLab Enterprise 3D API: generate 3D models and manage your dedicated server.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def success(data: Any) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=json.dumps(data, indent=2))])


def failure(error: BaseException) -> types.CallToolResult:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"{type(error).__name__}: {text}")], is_error=True
    )


def serve(commands: Sequence[Command], client: Any, out_dir: Path | None, version: str) -> int:
    """Serve on stdio until the client closes it."""
    server = build_server(commands, client, out_dir, version)

    async def main() -> None:
        async with client, stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)
    return 0


__all__ = ["Option", "build_server", "input_schema", "serve", "tool"]
