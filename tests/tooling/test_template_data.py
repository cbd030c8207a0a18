"""enterprise3d_devkit.generation.template_data: the spec's server and the table's columns, handed to the templates
(the table's through the operation plans)."""

from __future__ import annotations

import copy
from pathlib import Path

from enterprise3d_devkit.generation.template_data import client_plan, default_base_url, render, table_facts
from enterprise3d_devkit.repo.layout import OPERATION_TABLE
from enterprise3d_devkit.spec.operation_table import load_table
from enterprise3d_devkit.spec.operations import server_base_url
from modelslab_enterprise_3d import Enterprise3D
from tests.support.spec_cases import SPEC


def test_the_generated_default_base_url_is_the_specs_server() -> None:
    assert default_base_url(SPEC) == Enterprise3D._default_base_url
    if server_base_url(SPEC).startswith("https://"):
        assert server_base_url(SPEC) == Enterprise3D._default_base_url


def test_server_variables_take_their_defaults_and_relative_urls_give_none() -> None:
    spec = copy.deepcopy(SPEC)
    spec["servers"] = [{"url": "https://{region}.example/api/", "variables": {"region": {"default": "eu"}}}]
    assert default_base_url(spec) == "https://eu.example/api"
    spec["servers"] = [{"url": "/api/v1"}]
    assert default_base_url(spec) == ""
    del spec["servers"]
    assert default_base_url(spec) == ""


def test_the_retry_column_reaches_the_plans_and_a_missing_table_marks_none(tmp_path: Path) -> None:
    table = load_table()
    for plan in client_plan(SPEC, OPERATION_TABLE).operations:
        policy = table.get(plan.label)
        expected = "never" if policy is None else policy.retry
        assert plan.retry == expected, plan.label
    assert {plan.retry for plan in client_plan(SPEC, tmp_path / "absent.yaml").operations} == {"never"}
    assert "{% set plans = " in render(SPEC, OPERATION_TABLE)


def test_one_computation_of_the_first_server_for_the_tools_and_the_templates() -> None:
    spec = copy.deepcopy(SPEC)
    spec["servers"] = [{"url": "https://{region}.example/api/", "variables": {"region": {"default": "eu"}}}]
    assert server_base_url(spec) == default_base_url(spec) == "https://eu.example/api"


def test_the_result_column_is_written_for_the_operations_the_spec_has() -> None:
    """A generating operation and the one fetching its result are planned only when the spec has both (a table
    row for an operation the spec lacks would make a template write a method calling nothing)."""
    rows = {label: policy.result for label, policy in load_table().items() if policy.result}
    assert rows, "the table names the operations that fetch a generation's result"
    assert table_facts(SPEC, load_table()).results == rows
    assert {
        p.label: p.fetch for p in client_plan(SPEC, OPERATION_TABLE).operations if p.generates
    }.keys() == rows.keys()
    fewer = copy.deepcopy(SPEC)
    fetch_path = next(iter(rows.values())).split(" ", 1)[1]
    del fewer["paths"][fetch_path]
    assert table_facts(fewer, load_table()).results == {}
    assert not any(p.generates for p in client_plan(fewer, OPERATION_TABLE).operations)
