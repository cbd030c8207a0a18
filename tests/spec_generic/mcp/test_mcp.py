"""`modelslab-3d mcp`: the MCP server generated from the command table, through the official SDK's in-process client:
every operation a tool (its schema from the spec, without the key or another credential; its annotations from the
reviewed operation table), calls answered as the methods answer, errors as tool errors, a generation waited for with
progress and its files saved."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.loading import object_schema, resolve
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import AsyncEnterprise3D
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_FIELD, CREDENTIAL_FIELDS
from tests.support.generation import FAST_POLLS, GENERATING, fetching
from tests.support.spec_cases import OPERATIONS, SPEC, op_id, python_name
from tests.support.tool_arguments import COMMANDS, arguments_for, effect_of

mcp = pytest.importorskip("mcp")
from modelslab_enterprise_3d.cli.mcp_server import build_server  # noqa: E402  (the mcp extra)

KEY = "sk-mcp-sentinel-2b7c"


def client_on(base_url: str) -> AsyncEnterprise3D:
    client = AsyncEnterprise3D(api_key=KEY, base_url=base_url, max_retries=0)
    client._poll_interval = FAST_POLLS  # type: ignore[misc]
    return client


async def test_every_operation_is_a_tool_with_the_specs_schema_and_the_tables_annotations() -> None:
    server = build_server(list(COMMANDS.values()), client_on("http://127.0.0.1:9"))
    async with mcp.Client(server) as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == {method_name(op) for op in OPERATIONS}
    for op in OPERATIONS:
        tool = tools[method_name(op)]
        properties = tool.input_schema["properties"]
        assert API_KEY_FIELD not in properties and not {p for p in properties if p.lower() in CREDENTIAL_FIELDS}
        command = COMMANDS[method_name(op)]
        assert set(tool.input_schema["required"]) == {
            o.dest for o in command.options if o.required and o.kind != "secret"
        }
        for name, field in (object_schema(op.request_schema or {}).get("properties") or {}).items():
            if python_name(name) not in properties:
                continue
            check_limits(properties[python_name(name)], resolve(SPEC, field), name)
        effect = effect_of(op)
        assert tool.annotations.read_only_hint == (effect == "reads")
        assert tool.annotations.destructive_hint == (effect == "changes")
        assert ("Costs credits" in tool.description) == (effect == "generates")
        assert not re.search(r"--\w|terminal", tool.description or ""), "written for an agent: no command-line wording"
        # its description is the spec's (where the spec has one), for the agent choosing a tool
        said = SPEC["paths"][op.path][op.method].get("description") or SPEC["paths"][op.path][op.method].get("summary")
        assert re.sub(r"\s+", "", said or "")[:40] in re.sub(r"\s+", "", tool.description or "")
        assert tool.annotations.idempotent_hint == (method_name(op) in AsyncEnterprise3D._RETRY_SAFE)


def check_limits(declared: dict[str, object], field: dict[str, object], name: str) -> None:
    """A tool argument's schema carries its spec field's type, values and limits (what the client checks before
    sending), in JSON Schema's words: an agent learns every value the client would refuse."""
    kinds = declared.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if field.get("type") in ("integer", "number", "boolean", "string", "array", "object"):
        assert field["type"] in kinds, name
    if field.get("nullable"):
        assert "null" in kinds, name
    values = field.get("enum")
    if isinstance(values, list):
        listed = declared.get("enum")
        assert isinstance(listed, list), name
        assert [v for v in listed if v is not None] == [v for v in values if v is not None], name
    for keyword in ("minLength", "maxLength", "pattern", "default", "minItems", "maxItems", "format"):
        if keyword in field:
            assert declared.get(keyword) == field[keyword], (name, keyword)
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if field.get(bound) is True:
            assert declared.get(bound) == field[limit], (name, bound)
        elif limit in field:
            assert declared.get(limit) == field[limit], (name, limit)


READS = [op for op in OPERATIONS if effect_of(op) == "reads" and not op.path_parameters]


@pytest.mark.mock_only
@pytest.mark.parametrize("op", READS[:2], ids=op_id)
async def test_a_tool_call_answers_as_its_method_and_never_shows_the_key(op: Operation, api_base_url: str) -> None:
    async with mcp.Client(build_server(list(COMMANDS.values()), client_on(api_base_url))) as session:
        result = await session.call_tool(method_name(op), arguments_for(op))
    assert not result.is_error, result.content
    text = result.content[0].text
    assert KEY not in text
    assert isinstance(json.loads(text), dict | list)


@pytest.mark.mock_only
async def test_errors_are_tool_errors_naming_the_error(api_base_url: str) -> None:
    fetches = [fetching(op) for op in GENERATING if 404 in fetching(op).responses]
    if not fetches:
        pytest.skip("the spec has no fetch of a job with a documented 404")
    async with mcp.Client(build_server(list(COMMANDS.values()), client_on(api_base_url))) as session:
        missing = await session.call_tool(method_name(fetches[0]), {"id": "an-id-never-issued"})
        unknown = await session.call_tool(method_name(fetches[0]), {"id": "x", "key": KEY})
    assert missing.is_error and missing.content[0].text.startswith("NotFoundError: ")
    assert unknown.is_error and "no argument key" in unknown.content[0].text and KEY not in unknown.content[0].text


@pytest.mark.mock_only
@pytest.mark.parametrize("op", GENERATING[:1], ids=op_id)
async def test_a_generating_tool_waits_reports_progress_and_saves_the_files(
    op: Operation, api_base_url: str, tmp_path: Path
) -> None:
    seen: list[tuple[float, str | None]] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        seen.append((value, message))

    server = build_server(list(COMMANDS.values()), client_on(api_base_url), out_dir=tmp_path)
    async with mcp.Client(server) as session:
        result = await session.call_tool(method_name(op), arguments_for(op), progress_callback=progress)
    assert not result.is_error, result.content
    answer = json.loads(result.content[0].text)
    assert answer["job_id"] and answer["result"]
    saved = [Path(path) for path in answer["saved"]]
    assert saved and all(p.is_file() and p.parent == tmp_path / str(answer["job_id"]) for p in saved)
    assert seen, "progress was reported while waiting"


async def test_a_tool_called_without_a_required_argument_is_a_tool_error_naming_it() -> None:
    server = build_server(list(COMMANDS.values()), client_on("http://127.0.0.1:9"))
    needing = [c for c in COMMANDS.values() if any(o.required and o.kind != "secret" for o in c.options)]
    if not needing:
        pytest.skip("no tool has a required argument")
    async with mcp.Client(server) as session:
        for command in needing:
            result = await session.call_tool(command.tool, {})
            missing = next(o.dest for o in command.options if o.required and o.kind != "secret")
            assert result.is_error and missing in result.content[0].text, result.content[0].text
            assert "Traceback" not in result.content[0].text
