"""An MCP tool call's cost over the same call in Python: both reach the local mock over loopback; the tool call goes
through the official SDK's in-process client session, JSON-RPC included (`make bench`)."""

from __future__ import annotations

import statistics
import time

import anyio

from modelslab_enterprise_3d import AsyncEnterprise3D
from modelslab_enterprise_3d.api import OPERATIONS
from modelslab_enterprise_3d.cli.commands import Command, commands_from
from modelslab_enterprise_3d.testing import running_mock

Row = tuple[str, str, str, float, float | None]
KEY = "bench-key"
CALLS = 200
ROUNDS = 7


def read_only_command() -> Command:
    """A command that only reads and needs no argument: the same call both ways."""
    commands = commands_from(OPERATIONS)
    return next(c for c in commands if c.effect == "reads" and not any(o.required for o in c.options))


async def per_call(url: str) -> tuple[float, float]:
    """Median seconds per call over interleaved rounds: (the MCP tool, the Python method)."""
    import mcp

    from modelslab_enterprise_3d.cli.mcp_server import build_server

    command = read_only_command()
    async with AsyncEnterprise3D(api_key=KEY, base_url=url) as client:
        server = build_server(commands_from(OPERATIONS), client)
        async with mcp.Client(server) as session:
            await session.call_tool(command.method, {})
            await getattr(client, command.method)()
            tool_times, python_times = [], []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                for _ in range(CALLS):
                    result = await session.call_tool(command.method, {})
                    assert not result.is_error, result.content
                tool_times.append((time.perf_counter() - started) / CALLS)
                started = time.perf_counter()
                for _ in range(CALLS):
                    await getattr(client, command.method)()
                python_times.append((time.perf_counter() - started) / CALLS)
    return statistics.median(tool_times), statistics.median(python_times)


def rows() -> list[Row]:
    with running_mock() as url:
        tool, python = anyio.run(per_call, url)
    name = f"MCP tool call vs the same Python call, loopback ({read_only_command().method}, median of {ROUNDS})"
    return [(name, f"{tool * 1e3:.2f} ms", f"{python * 1e3:.2f} ms", tool / python, 1.5)]


if __name__ == "__main__":
    for row in rows():
        print(row)
