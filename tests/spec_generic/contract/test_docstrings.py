"""What the package says to its users: docstrings name no file of this repository (users do not have them), and
the retried statuses they list are the ones retried."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from enterprise3d_devkit.repo.layout import GENERATED, REPO
from modelslab_enterprise_3d import Enterprise3D
from modelslab_enterprise_3d.core.retries import RETRY_STATUSES

# This repository's make verbs (a docstring saying "make output ..." quotes the vendor's prose, not a verb).
VERBS = re.findall(r"^([a-z-]+):.*## ", (REPO / "Makefile").read_text(encoding="utf-8"), re.M)
# Where a docstring would be pointing into the repository rather than at something a user has.
REPOSITORY_PATHS = re.compile(
    r"codegen/|enterprise3d_devkit|generate\.sh|operations\.yaml|tests/|\.jinja|make (?:" + "|".join(VERBS) + r")\b"
)


def docstrings(module: Path) -> list[tuple[int, str]]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))]
    return [(getattr(node, "lineno", 1), doc) for node in nodes if (doc := ast.get_docstring(node))]


def test_shipped_docstrings_name_no_repository_file() -> None:
    found = [
        f"{module.relative_to(GENERATED)}:{line}: {REPOSITORY_PATHS.search(doc).group(0)}"  # type: ignore[union-attr]
        for module in sorted(GENERATED.rglob("*.py"))
        for line, doc in docstrings(module)
        if REPOSITORY_PATHS.search(doc)
    ]
    assert found == []


def test_each_method_says_whether_it_is_retried_and_on_which_statuses() -> None:
    listed = ", ".join(str(s) for s in sorted(RETRY_STATUSES)[:-1]) + f" and {max(RETRY_STATUSES)}"
    for name in Enterprise3D._RETRY_SAFE:
        assert f"HTTP {listed}." in (getattr(Enterprise3D, name).__doc__ or ""), name
    every = [doc for module in sorted(GENERATED.rglob("*.py")) for _, doc in docstrings(module)]
    assert not [doc for doc in every if re.search(r"retr\w*[^.]*\b5xx", doc)], "only some 5xx are retried"
