"""pyproject.toml declares exactly the third-party modules the generated code imports -- no more, no less."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from enterprise3d_devkit.repo.layout import GENERATED, PACKAGE, REPO
from tests.support.dependencies import declared_runtime_dependencies, optional_dependencies


def third_party_imports(package_dir: Path) -> set[str]:
    """Top-level names of the non-stdlib modules a package imports (its own relative imports excluded)."""
    found: set[str] = set()
    for source in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != package_dir.name}


def distributions_for(modules: set[str]) -> set[str]:
    """Map import names to the canonical names of the distributions that provide them."""
    providers = packages_distributions()
    result: set[str] = set()
    for module in modules:
        if module not in providers:
            raise AssertionError(f"no installed distribution provides the module {module!r}")
        result.update(canonicalize_name(dist) for dist in providers[module])
    return result


def dependency_mismatch(package_dir: Path, declared: set[str], optional: set[str] | None = None) -> str | None:
    """Why the package's imports and its declared dependencies disagree (an extra's import is no requirement)."""
    imported = distributions_for(third_party_imports(package_dir)) - (optional or set())
    if imported == declared:
        return None
    missing, unused = sorted(imported - declared), sorted(declared - imported)
    return f"imported but not declared: {missing}; declared but not imported: {unused}"


def test_committed_package_imports_exactly_the_declared_dependencies() -> None:
    assert dependency_mismatch(GENERATED, declared_runtime_dependencies(), optional_dependencies()) is None


def test_grown_spec_needs_no_new_dependencies(grown_package: Path) -> None:
    assert dependency_mismatch(grown_package, declared_runtime_dependencies(), optional_dependencies()) is None


def unguarded_imports(package_dir: Path, distributions: set[str]) -> list[str]:
    """Imports of these distributions' modules that are not inside `try: ... except ImportError`."""
    providers = packages_distributions()
    found = []
    for source in package_dir.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        guarded: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                for h in node.handlers
            ):
                guarded.update(id(inner) for statement in node.body for inner in ast.walk(statement))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                dists = {canonicalize_name(d) for d in providers.get(name.split(".")[0], [])}
                if dists & distributions and id(node) not in guarded:
                    found.append(f"{source.name}:{getattr(node, 'lineno', 0)}: {name}")
    return found


def test_an_extras_dependency_is_imported_only_where_its_absence_is_handled() -> None:
    """The library's dependencies stay httpx and attrs: an extra's module (rich, for the command line) is imported
    inside `try: ... except ImportError`, so that the package works without the extra."""
    assert unguarded_imports(GENERATED, optional_dependencies()) == []


@pytest.mark.parametrize("change", ["drop-one", "add-one"])
def test_the_check_catches_a_wrong_declaration(change: str) -> None:
    declared = declared_runtime_dependencies()
    wrong = set(sorted(declared)[1:]) if change == "drop-one" else declared | {"python-dateutil"}
    assert dependency_mismatch(GENERATED, wrong) is not None


def test_the_check_catches_a_new_import(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("import yaml\nfrom . import client\nimport json\n", encoding="utf-8")
    assert third_party_imports(package) == {"yaml"}
    assert dependency_mismatch(package, set()) is not None


def test_wheel_ships_the_typed_generated_package(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob(f"{PACKAGE}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    expected = {
        f"{PACKAGE}/{p.relative_to(GENERATED).as_posix()}"
        for p in GENERATED.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert f"{PACKAGE}/py.typed" in expected
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.startswith(("enterprise3d_devkit/", "codegen/", "tests/", "generated/"))]
    requires = set(re.findall(r"^Requires-Dist: ([A-Za-z0-9_.-]+)[^;\n]*$", metadata, flags=re.M))
    assert {r.lower() for r in requires} == declared_runtime_dependencies()
    assert "Provides-Extra: retries" in metadata
    assert "Name: modelslab-enterprise-3d" in metadata
