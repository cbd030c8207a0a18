"""The change report: each kind of change appears, with the right breaking flag; griffe confirms the Python side."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import griffe
import pytest

from enterprise3d_devkit.repo.layout import PACKAGE
from enterprise3d_devkit.spec.diff import Change, diff_specs, generate_package, python_api_breakages, report
from enterprise3d_devkit.spec.loading import load_spec
from enterprise3d_devkit.spec.operations import operations
from tests.support.repo_copies import copy_repo, make, run, write_spec
from tests.support.spec_variants import GROWN_CLASS, GROWN_MODEL, GROWN_PATH, grown_module, grown_spec, unused_name

BASE = load_spec()


def first_operation(spec: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = next(iter(next(iter(spec["paths"].values())).values()))
    return operation


def schema_named(spec: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec["components"]["schemas"][name]
    return schema


def response_model_name() -> str:
    """The component schema the first operation's first 2xx parses into (from the spec, not by hand)."""
    op = operations(BASE)[0]
    model = op.responses[op.default_status()].model
    assert model is not None
    return model


def new_field() -> str:
    """A field the response model does not have yet (whatever the vendor's version holds)."""
    return unused_name(schema_named(copy.deepcopy(BASE), response_model_name())["properties"], "queue_length")


def request_model_name() -> str:
    ref = first_operation(BASE)["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return str(ref).rsplit("/", 1)[-1]


def edit(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    spec = copy.deepcopy(BASE)
    change(spec)
    return spec


def plain_field() -> tuple[str, str]:
    """A field of that response model with a simple type and no enum, and that type (the spec decides which)."""
    properties = schema_named(BASE, response_model_name())["properties"]
    simple = ("string", "integer", "number", "boolean")
    return next((n, p["type"]) for n, p in properties.items() if p.get("type") in simple and "enum" not in p)


def other_type(kind: str) -> str:
    return "integer" if kind != "integer" else "string"


def other_status() -> str:
    """A status the first operation documents besides its default one."""
    op = operations(BASE)[0]
    return str(max(status for status in op.responses if status != op.default_status()))


def enum_property(spec: dict[str, Any]) -> dict[str, Any]:
    for prop in schema_named(spec, response_model_name())["properties"].values():
        if "enum" in prop:
            return prop  # type: ignore[no-any-return]
    raise AssertionError("the response model has no enum field")


CASES: list[tuple[str, Callable[[], tuple[dict[str, Any], dict[str, Any]]], str, bool]] = [
    ("operation-added", lambda: (BASE, grown_spec()), f"POST {GROWN_PATH}: added -> ", False),
    ("operation-removed", lambda: (grown_spec(), BASE), f"POST {GROWN_PATH}: removed", True),
    (
        "status-added",
        lambda: (BASE, edit(lambda s: first_operation(s)["responses"].update({"429": {"description": "busy"}}))),
        "documents a new status 429",
        False,
    ),
    (
        "status-removed",
        lambda: (BASE, edit(lambda s: first_operation(s)["responses"].pop(other_status()))),
        f"no longer documents status {other_status()}",
        True,
    ),
    (
        "request-schema-changed",
        lambda: (
            BASE,
            edit(
                lambda s: first_operation(s)["requestBody"]["content"]["application/json"].update(
                    {"schema": {"type": "object", "properties": {"token": {"type": "string"}}}}
                )
            ),
        ),
        "request body schema changed",
        True,
    ),
    ("model-added", lambda: (BASE, grown_spec()), f"models.{GROWN_CLASS}: added", False),
    ("model-removed", lambda: (grown_spec(), BASE), f"models.{GROWN_CLASS}: removed", True),
    (
        "optional-field-added",
        lambda: (
            BASE,
            edit(
                lambda s: schema_named(s, response_model_name())["properties"].update(
                    {new_field(): {"type": "integer"}}
                )
            ),
        ),
        f"optional field {new_field()!r} added",
        False,
    ),
    (
        "required-field-added",
        lambda: (
            BASE,
            edit(
                lambda s: (
                    schema_named(s, request_model_name())["properties"].update({"workspace": {"type": "string"}}),
                    schema_named(s, request_model_name())["required"].append("workspace"),
                )
            ),
        ),
        "required field 'workspace' added",
        True,
    ),
    (
        "field-removed",
        lambda: (BASE, edit(lambda s: schema_named(s, response_model_name())["properties"].pop(plain_field()[0]))),
        f"field {plain_field()[0]!r} removed",
        True,
    ),
    (
        "field-retyped",
        lambda: (
            BASE,
            edit(
                lambda s: schema_named(s, response_model_name())["properties"][plain_field()[0]].update(
                    {"type": other_type(plain_field()[1])}
                )
            ),
        ),
        f"field {plain_field()[0]!r} retyped: {plain_field()[1]} -> {other_type(plain_field()[1])}",
        True,
    ),
    ("field-made-required", lambda: (grown_spec(), _eta_required()), "field 'eta' is now required", True),
    (
        "enum-value-added",
        lambda: (
            BASE,
            edit(lambda s: enum_property(s)["enum"].append(unused_name(enum_property(s)["enum"], "partial"))),
        ),
        f"enum value {unused_name(enum_property(copy.deepcopy(BASE))['enum'], 'partial')!r} added",
        False,
    ),
    ("enum-value-removed", lambda: (BASE, edit(lambda s: enum_property(s)["enum"].pop())), "enum value", True),
]


def _eta_required() -> dict[str, Any]:
    spec = grown_spec()
    schema_named(spec, GROWN_MODEL)["required"].append("eta")
    return spec


@pytest.mark.parametrize(("pair", "words", "breaking"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_kind_of_change_is_reported_with_its_flag(
    pair: Callable[[], tuple[dict[str, Any], dict[str, Any]]], words: str, breaking: bool
) -> None:
    old, new = pair()
    changes = diff_specs(old, new)
    matching = [c for c in changes if words in f"{c.subject}: {c.detail}"]
    assert matching, f"{words!r} not among {[c.line() for c in changes]}"
    assert all(c.breaking is breaking for c in matching), [c.line() for c in matching]


def test_no_change_reports_nothing() -> None:
    assert diff_specs(BASE, copy.deepcopy(BASE)) == []


@pytest.mark.pipeline
def test_griffe_sees_what_the_python_api_lost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    grown = generate_package(grown_spec(), tmp_path / "grown")
    base = generate_package(BASE, tmp_path / "base")
    removed = python_api_breakages(grown, base)
    assert any(f"{PACKAGE}.models.{GROWN_CLASS}" in line for line in removed)
    assert any("api.management" in line for line in removed)
    assert python_api_breakages(base, grown) == []  # adding an operation breaks nothing

    # griffe loads each pair of trees once per process, and two trees with the same files never
    same_files = tmp_path / "copy" / PACKAGE
    shutil.copytree(grown, same_files)
    loaded: list[object] = []

    def load(*args: object, **kwargs: object) -> None:
        loaded.append(args)
        raise LookupError("griffe was asked to load a package")

    monkeypatch.setattr(griffe, "load", load)
    assert python_api_breakages(same_files, base) == removed  # the same files as a pair compared before
    assert python_api_breakages(grown, same_files) == []
    assert loaded == []
    (same_files / "models" / "__init__.py").write_text("", encoding="utf-8")  # other files: loaded
    with pytest.raises(LookupError):
        python_api_breakages(same_files, base)
    assert loaded


def test_the_report_reads_well(tmp_path: Path) -> None:
    text, changes, breakages = report(grown_spec(), BASE, "old.yaml", "new.yaml")
    assert text.startswith(f"Changes for users of {PACKAGE}: old.yaml -> new.yaml")
    assert f"[BREAKING] POST {GROWN_PATH}: removed ({PACKAGE}.api.{grown_module()}.sync" in text
    assert "Python API (griffe" in text
    assert f"{len(changes)} spec change(s), {sum(c.breaking for c in changes)} breaking" in text
    assert isinstance(changes[0], Change) and breakages


@pytest.mark.pipeline
def test_make_spec_diff_compares_the_working_tree_with_the_last_commit(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
    ):
        assert run(command, cwd=repo).returncode == 0
    write_spec(repo / "openapi.yaml", grown_spec())
    changed = make(repo, "spec-diff")
    assert changed.returncode == 0, changed.stderr
    assert "openapi.yaml at HEAD" in changed.stdout
    assert f"[ok      ] POST {GROWN_PATH}: added" in changed.stdout


def test_an_optional_field_added_to_a_referenced_request_model_is_not_a_request_change() -> None:
    """A request body that $refs a model is compared by that name; the model's own diff says what changed."""
    note = unused_name(schema_named(BASE, request_model_name())["properties"], "note")
    new = edit(lambda s: schema_named(s, request_model_name())["properties"].update({note: {"type": "string"}}))
    changes = diff_specs(BASE, new)
    assert [c.line() for c in changes if c.breaking] == []
    assert [c.detail for c in changes] == [f"optional field {note!r} added"]
