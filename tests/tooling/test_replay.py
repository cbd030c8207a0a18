"""The replay of the vendor's spec changes (`make test-corpus` runs it on the whole corpus): which versions it takes,
in what order, and each way a step ends, on a made-up document's three versions."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from enterprise3d_devkit.harness.replay import documents, replay
from enterprise3d_devkit.repo.layout import REPO
from enterprise3d_devkit.spec.loading import load_spec

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline

FIXTURES = REPO / "tests" / "fixtures"
SHAPES = FIXTURES / "documents" / "schema-shapes.openapi.yaml"


def test_every_corpus_document_and_every_earlier_version_is_replayed_oldest_first() -> None:
    found = documents(FIXTURES / "corpus-history", FIXTURES / "corpus")
    corpus = {p.name.removesuffix(".openapi.json") for p in (FIXTURES / "corpus").glob("*.openapi.json")}
    assert {d.name for d in found} == corpus
    history = set((FIXTURES / "corpus-history").glob("*.openapi.json"))
    taken = [version for d in found for version in d.versions]
    assert len(taken) == len(set(taken)) and set(taken) == history | {
        FIXTURES / "corpus" / f"{n}.openapi.json" for n in corpus
    }
    for document in found:
        assert document.versions[-1].parent.name == "corpus", "the newest version comes last"
        dates = [re.findall(r"\.(\d{4}-\d{2}-\d{2})\.", v.name) for v in document.versions[:-1]]
        assert dates == sorted(dates), document.name


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside `node`, `node` included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def with_bad_enum_default(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with a default that is not one of its enum's values: refused, with a proposed repair (drop it)."""
    broken = copy.deepcopy(spec)
    for schema in walk(broken["components"]["schemas"]):
        if "enum" in schema and "default" in schema:
            schema["default"] = "not-one-of-them"
            return broken
    raise AssertionError("schema-shapes has an enum with a default")


def test_each_step_is_updated_repaired_or_drops_a_stale_overlay(tmp_path: Path) -> None:
    """Three versions: as published; with a defect (refused, then taken with its proposed repair); the defect fixed
    by the vendor, the default dropped (the repair's overlay targets nothing: dropped, and the version taken)."""
    published = load_spec(SHAPES)
    history, corpus = tmp_path / "history", tmp_path / "corpus"
    history.mkdir()
    corpus.mkdir()
    (history / "shapes.2025-01-01.aaaaaaa.openapi.json").write_text(json.dumps(published))
    (history / "shapes.2025-02-01.bbbbbbb.openapi.json").write_text(json.dumps(with_bad_enum_default(published)))
    fixed = with_bad_enum_default(published)  # the vendor fixes it by dropping the default: the repair is stale
    next(schema for schema in walk(fixed["components"]["schemas"]) if schema.get("default") == "not-one-of-them").pop(
        "default"
    )
    (corpus / "shapes.openapi.json").write_text(json.dumps(fixed))
    (history / "README.md").write_text(
        "- `shapes` <- `made-up/shapes/openapi.json` (2): `2025-01-01 aaaaaaa` `2025-02-01 bbbbbbb`\n"
    )
    (corpus / "README.md").write_text("- `shapes.openapi.json` <- `made-up/shapes/openapi.json`\n")
    (document,) = documents(history, corpus)
    result = replay(document)
    assert result.passed and result.repaired == 1, result.lines
    first, second, third = result.lines
    assert "2025-01-01" in first and "updated: version" in first
    assert "repaired (1 proposed action(s)): version" in second
    assert "newest: updated (a stale overlay dropped)" in third
