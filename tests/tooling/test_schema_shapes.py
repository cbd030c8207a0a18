"""The high-level client on documents of our own making (tests/fixtures/documents/), shaped as the vendor writes:
request bodies composed with allOf (the inherited key is filled in, the inherited required fields are arguments),
200 answers whose oneOf mixes success, processing and error bodies (the error raises, and is not in the return
type), and enum arguments that take their plain values (for mypy too)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import PACKAGE, REPO
from enterprise3d_devkit.spec.instances import valid_instance
from enterprise3d_devkit.spec.loading import load_spec, object_schema
from enterprise3d_devkit.spec.operations import operations
from tests.support.repo_copies import run

DOCUMENTS = REPO / "tests" / "fixtures" / "documents"
SHAPES = DOCUMENTS / "schema-shapes.openapi.yaml"


@pytest.fixture(scope="module")
def shapes_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shapes") / PACKAGE
    result = run_generate_sh("--spec", str(SHAPES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_allof_bodies_and_oneof_answers_work_through_the_methods(shapes_package: Path) -> None:
    probed = run(
        [sys.executable, "-m", "tests.tooling.shape_probe", str(SHAPES)],
        cwd=REPO,
        env={"PYTHONPATH": f"{shapes_package.parent}:{REPO}"},
    )
    assert probed.returncode == 0, probed.stdout + probed.stderr
    assert probed.stdout.count("answers") == len(operations(load_spec(SHAPES)))


@pytest.mark.pipeline
def test_an_enum_argument_takes_its_plain_values_and_mypy_rejects_others(
    shapes_package: Path, mypy_cache: Path
) -> None:
    spec = load_spec(SHAPES)
    op, name, prop = next(
        (op, name, prop)
        for op in operations(spec)
        for name, prop in (object_schema(op.request_schema or {}).get("properties") or {}).items()
        if "enum" in prop
    )
    body = object_schema(op.request_schema or {})
    required = {
        field: valid_instance(body["properties"][field], op.openapi_version)
        for field in body["required"]
        if field != "key"
    }
    call = f"client.{method_name(op)}(" + ", ".join(f"{k}={v!r}" for k, v in required.items())
    snippet = shapes_package.parent / "uses_enum.py"
    snippet.write_text(
        "from modelslab_enterprise_3d import Enterprise3D\n"
        "client = Enterprise3D(api_key='k')\n"
        f"{call}, {name}={prop['enum'][0]!r})\n"
        f"{call}, {name}={prop['enum'][0] + '-not-listed'!r})\n",
        encoding="utf-8",
    )
    typed = run(
        ["mypy", "--strict", f"--cache-dir={mypy_cache}", snippet.name],
        cwd=shapes_package.parent,
        env={"MYPYPATH": str(shapes_package.parent)},
    )
    errors = [line for line in typed.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith(f"{snippet.name}:4:"), typed.stdout
