"""What changed for a user of the package between two versions of the spec.

    python -m enterprise3d_devkit.spec.diff                      openapi.yaml at HEAD (git) vs the working tree
    python -m enterprise3d_devkit.spec.diff --old A.yaml --new B.yaml

Two views, one report:
  * the spec: operations added / removed / changed (method, path, request schema, documented statuses),
    each with its generated function; models added / removed; per model, fields added / removed / retyped
    / required-ness changed, enum values added / removed -- each marked BREAKING or not for a caller;
  * the Python API: both specs are generated into temp dirs and compared with griffe's breaking-change
    check (griffe.find_breaking_changes), so what the generated code really lost is reported by a tool,
    not by our reading of the spec.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.digests import tree_hash
from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import FIELD_PREFIX, PACKAGE, REPO, SPEC_PATH
from enterprise3d_devkit.spec.loading import resolve, walk

if TYPE_CHECKING:
    from enterprise3d_devkit.spec.operations import Operation


@dataclass(frozen=True)
class Change:
    area: str  # "operation" | "model"
    subject: str  # what changed, as a user sees it
    detail: str
    breaking: bool

    def line(self) -> str:
        flag = "BREAKING" if self.breaking else "ok"
        return f"  [{flag:8}] {self.subject}: {self.detail}"


def function_path(op: Operation) -> str:
    return f"{op.module}.sync"


def model_path(name: str) -> str:
    from openapi_python_client.schema.untrusted_string import UntrustedString
    from openapi_python_client.strings import ClassName

    return f"{PACKAGE}.models.{ClassName(UntrustedString(name), prefix=FIELD_PREFIX)}"


def _shape(schema: Any) -> Any:
    """The parts of a property schema that decide its Python type (descriptions and examples do not)."""
    if not isinstance(schema, dict):
        return schema
    keep = ("$ref", "type", "format", "items", "nullable", "oneOf", "anyOf", "allOf", "properties", "required")
    return {
        key: _shape(value) if key != "properties" else {k: _shape(v) for k, v in value.items()}
        for key, value in schema.items()
        if key in keep
    }


def _type_label(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    label = str(schema.get("type", "any"))
    if "format" in schema:
        label += f" ({schema['format']})"
    if label == "array":
        label = f"array of {_type_label(schema.get('items') or {})}"
    return label + (" | null" if schema.get("nullable") else "")


def diff_operations(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    # Imported here, as griffe is below: the generator's naming rules take a fifth of a second to import, and the
    # command lines that import this module (make update-spec, make test-spec) often stop before any diff.
    from enterprise3d_devkit.spec.operations import operations

    before = {(op.method, op.path): op for op in operations(old)}
    after = {(op.method, op.path): op for op in operations(new)}
    for key in sorted(after.keys() - before.keys()):
        op = after[key]
        yield Change("operation", op.label, f"added -> {function_path(op)}", False)
    for key in sorted(before.keys() - after.keys()):
        op = before[key]
        yield Change("operation", op.label, f"removed ({function_path(op)} is gone)", True)
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        where = function_path(now)
        if was.module != now.module:
            yield Change("operation", now.label, f"moved: {function_path(was)} -> {where}", True)
        old_body = _request_ref_or_shape(old, key)
        new_body = _request_ref_or_shape(new, key)
        if old_body != new_body:
            yield Change("operation", now.label, f"request body schema changed ({where})", True)
        for status in sorted(now.responses.keys() - was.responses.keys()):
            yield Change("operation", now.label, f"documents a new status {status} ({where})", False)
        for status in sorted(was.responses.keys() - now.responses.keys()):
            yield Change("operation", now.label, f"no longer documents status {status} ({where})", True)
        for status in sorted(was.responses.keys() & now.responses.keys()):
            if was.responses[status].model != now.responses[status].model:
                models = f"{now.responses[status].model}, was {was.responses[status].model}"
                detail = f"status {status} now parses into {models}"
                yield Change("operation", now.label, f"{detail} ({where})", True)


def _request_ref_or_shape(spec: dict[str, Any], key: tuple[str, str]) -> Any:
    """A $ref'd request body compares by name (its fields are diffed as a model); an inline one by shape."""
    method, path = key
    operation = resolve(spec, spec["paths"][path])[method]
    content = (operation.get("requestBody") or {}).get("content") or {}
    raw_operation = spec["paths"][path][method]
    body = raw_operation.get("requestBody") or {}
    while "$ref" in body:  # follow the requestBody's own $ref only: its schema's $ref is what names the model
        body = walk(spec, body["$ref"])
    raw_content = body.get("content") or {}
    for media_type, media in raw_content.items():
        schema = (media or {}).get("schema") or {}
        if "$ref" in schema:
            return (media_type, schema["$ref"])
    return {media_type: _shape((media or {}).get("schema")) for media_type, media in content.items()}


def diff_models(old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    before = (old.get("components") or {}).get("schemas") or {}
    after = (new.get("components") or {}).get("schemas") or {}
    for name in sorted(after.keys() - before.keys()):
        yield Change("model", model_path(name), "added", False)
    for name in sorted(before.keys() - after.keys()):
        yield Change("model", model_path(name), "removed", True)
    for name in sorted(before.keys() & after.keys()):
        yield from _diff_model(model_path(name), before[name], after[name])


def _diff_enum(subject: str, was: list[Any], now: list[Any]) -> Iterator[Change]:
    for value in [v for v in now if v not in was]:
        yield Change("model", subject, f"enum value {value!r} added", False)
    for value in [v for v in was if v not in now]:
        yield Change("model", subject, f"enum value {value!r} removed", True)


def _diff_model(subject: str, was: dict[str, Any], now: dict[str, Any]) -> Iterator[Change]:
    yield from _diff_enum(subject, was.get("enum") or [], now.get("enum") or [])
    old_props, new_props = was.get("properties") or {}, now.get("properties") or {}
    old_required, new_required = set(was.get("required") or []), set(now.get("required") or [])
    for field in sorted(new_props.keys() - old_props.keys()):
        if field in new_required:
            yield Change("model", subject, f"required field {field!r} added", True)
        else:
            yield Change("model", subject, f"optional field {field!r} added", False)
    for field in sorted(old_props.keys() - new_props.keys()):
        yield Change("model", subject, f"field {field!r} removed", True)
    for field in sorted(old_props.keys() & new_props.keys()):
        old_prop, new_prop = old_props[field], new_props[field]
        old_shape, new_shape = _shape({**old_prop, "enum": None}), _shape({**new_prop, "enum": None})
        if old_shape != new_shape:
            detail = f"field {field!r} retyped: {_type_label(old_prop)} -> {_type_label(new_prop)}"
            yield Change("model", subject, detail, True)
        if field in new_required and field not in old_required:
            yield Change("model", subject, f"field {field!r} is now required", True)
        if field in old_required and field not in new_required:
            yield Change("model", subject, f"field {field!r} is now optional (its Python type gains Unset)", True)
        yield from _diff_enum(f"{subject}.{field}", old_prop.get("enum") or [], new_prop.get("enum") or [])


def diff_specs(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return [*diff_operations(old, new), *diff_models(old, new)]


# Breakages already found in this process, by the two packages' names and file digests: loading a generated
# package with griffe is costly, and one update compares the same trees more than once (so do the tool's tests).
_breakages_seen: dict[tuple[str, str, str, str], list[str]] = {}


def python_api_breakages(old_package: Path, new_package: Path) -> list[str]:
    """griffe's breaking changes between two generated packages (loaded statically, nothing imported). Two
    packages with the same files have none."""
    key = (old_package.name, tree_hash(old_package), new_package.name, tree_hash(new_package))
    if key[:2] == key[2:]:
        return []
    if key not in _breakages_seen:
        import griffe

        def load(package: Path) -> Any:
            return griffe.load(package.name, search_paths=[package.parent], allow_inspection=False)

        found = {
            f"  [BREAKING] {breakage.obj.path}: {breakage.kind.value}"
            for breakage in griffe.find_breaking_changes(load(old_package), load(new_package))
        }
        _breakages_seen[key] = sorted(found)
    return list(_breakages_seen[key])


def generate_package(spec: dict[str, Any] | bytes, into: Path) -> Path:
    """Generate a spec into `into`/modelslab_enterprise_3d with the repo's own generate.sh."""
    into.mkdir(parents=True, exist_ok=True)
    spec_file = into / "spec.yaml"
    spec_file.write_bytes(spec if isinstance(spec, bytes) else yaml.safe_dump(spec).encode())
    out = into / PACKAGE
    result = run_generate_sh("--spec", str(spec_file), "--out", str(out))
    if result.returncode != 0:
        raise RuntimeError(f"could not generate a package from the spec to compare:\n{result.stderr}")
    return out


def render(changes: list[Change], breakages: list[str], old_label: str, new_label: str) -> str:
    lines = [f"Changes for users of {PACKAGE}: {old_label} -> {new_label}"]
    if not changes and not breakages:
        lines.append("  no change to operations, models or the Python API")
        return "\n".join(lines)
    for area, title in (("operation", "Operations"), ("model", "Models")):
        rows = [c.line() for c in changes if c.area == area]
        if rows:
            lines += ["", title, *rows]
    lines += ["", "Python API (griffe breaking-change check, generated package before -> after)"]
    lines += breakages or ["  no breaking change found"]
    breaking = sum(c.breaking for c in changes)
    lines += ["", f"{len(changes)} spec change(s), {breaking} breaking; {len(breakages)} Python API breakage(s)."]
    return "\n".join(lines)


def report(
    old: dict[str, Any],
    new: dict[str, Any],
    old_label: str,
    new_label: str,
    old_package: Path | None = None,
    new_package: Path | None = None,
) -> tuple[str, list[Change], list[str]]:
    """The report for two specs; packages are generated for the griffe check unless given."""
    changes = diff_specs(old, new)
    with tempfile.TemporaryDirectory() as tmp:
        if old_package is None:
            old_package = generate_package(old, Path(tmp) / "old") if old.get("paths") else None
        if new_package is None:
            new_package = generate_package(new, Path(tmp) / "new")
        if old_package is None:
            breakages: list[str] = []
        else:
            breakages = python_api_breakages(old_package, new_package)
        return render(changes, breakages, old_label, new_label), changes, breakages


def spec_at_head(path: Path) -> dict[str, Any]:
    relative = path.resolve().relative_to(REPO)
    shown = subprocess.run(["git", "show", f"HEAD:{relative.as_posix()}"], cwd=REPO, capture_output=True, check=False)
    if shown.returncode != 0:
        return {}
    document = yaml_codec.load(shown.stdout)
    return document if isinstance(document, dict) else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, help="the earlier spec (default: openapi.yaml at git HEAD)")
    parser.add_argument("--new", type=Path, default=SPEC_PATH, help="the later spec (default: openapi.yaml)")
    args = parser.parse_args(argv)
    old = spec_at_head(SPEC_PATH) if args.old is None else yaml_codec.load(args.old.read_bytes())
    new = yaml_codec.load(args.new.read_bytes())
    old_label = "openapi.yaml at HEAD" if args.old is None else str(args.old)
    text, _, _ = report(old, new, old_label, str(args.new))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
