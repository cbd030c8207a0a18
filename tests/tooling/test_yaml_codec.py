"""The dev tools' YAML codec: what yaml.safe_load gives, faster; PyYAML's own errors for what is not YAML; written
back, the same data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.layout import REPO

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline

FIXTURES = REPO / "tests" / "fixtures"
DOCUMENTS = sorted(
    [
        REPO / "openapi.yaml",
        REPO / "openapi.overlay.yaml",
        REPO / "codegen" / "operations.yaml",
        *FIXTURES.rglob("*.json"),
        *FIXTURES.rglob("*.yaml"),
    ]
)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_document_here_reads_as_safe_load_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    assert yaml_codec.load(text) == document
    assert yaml.safe_load(yaml_codec.dump_for_machines(document)) == document  # written back, the same data


def test_what_is_not_yaml_raises_pyyamls_own_error_with_its_place() -> None:
    text = "openapi: 3.0.0\npaths: [unclosed\n"
    with pytest.raises(yaml.YAMLError) as python:
        yaml.safe_load(text)
    with pytest.raises(yaml_codec.YAMLError) as ours:
        yaml_codec.load(text)
    assert str(ours.value) == str(python.value) and "line 3" in str(ours.value)


def test_the_fast_parser_is_used_where_pyyaml_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = yaml.load

    def recording(text: str, Loader: object) -> object:  # (yaml.load's own keyword)
        calls.append(Loader)
        return real(text, Loader=Loader)  # type: ignore[arg-type]

    monkeypatch.setattr(yaml, "load", recording)
    assert yaml_codec.load("a: 1\n") == {"a": 1}
    assert calls[0] is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
