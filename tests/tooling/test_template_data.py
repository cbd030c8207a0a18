"""enterprise3d_devkit.generation.template_data: the spec's server and the table's retry column, handed to the
templates."""

from __future__ import annotations

import copy
from pathlib import Path

from enterprise3d_devkit.generation.template_data import default_base_url, render, values
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


def test_the_retry_safe_rows_are_written_and_a_missing_table_marks_none(tmp_path: Path) -> None:
    text = render(SPEC, OPERATION_TABLE)
    retry_safe = next(line for line in text.splitlines() if line.startswith("{% set retry_safe = "))
    for label, policy in load_table().items():
        assert (f'"{label}"' in retry_safe) == policy.retry_safe, label
    assert "{% set retry_safe = [] %}" in render(SPEC, tmp_path / "absent.yaml")


def test_one_computation_of_the_first_server_for_the_tools_and_the_templates() -> None:
    spec = copy.deepcopy(SPEC)
    spec["servers"] = [{"url": "https://{region}.example/api/", "variables": {"region": {"default": "eu"}}}]
    assert server_base_url(spec) == default_base_url(spec) == "https://eu.example/api"


def test_the_result_column_is_written_for_the_operations_the_spec_has(tmp_path: Path) -> None:
    """A generating operation and the one fetching its result are written only when the spec has both (a table
    row for an operation the spec lacks would make a template write a method calling nothing)."""
    rows = {label: policy.result for label, policy in load_table().items() if policy.result}
    assert rows, "the table names the operations that fetch a generation's result"
    assert values(SPEC, OPERATION_TABLE)["results"] == rows
    fewer = copy.deepcopy(SPEC)
    fetch_path = next(iter(rows.values())).split(" ", 1)[1]
    del fewer["paths"][fetch_path]
    assert values(fewer, OPERATION_TABLE)["results"] == {}
