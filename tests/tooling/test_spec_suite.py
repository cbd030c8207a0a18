"""`make test-spec` / `make test-corpus`: a document is refused with its defect and JSONPath, never a traceback.

make reports any failing recipe as exit status 2, so the distinct statuses are asserted on the command the targets
run (python -m enterprise3d_devkit.harness.spec_suite), and the targets themselves for their output.

The green path (generate, run tests/spec_generic in a temp copy) takes long for each document, so it runs in
`make test-corpus` (CI), not here; these tests cover every way a document is turned away, and the corpus summary.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from enterprise3d_devkit.harness.spec_suite import REFUSED, UNREADABLE
from enterprise3d_devkit.repo.layout import REPO
from enterprise3d_devkit.spec.loading import load_spec
from tests.support.repo_copies import make, run

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline


def spec_with_undeclared_path_parameter() -> dict[str, object]:
    spec = copy.deepcopy(load_spec())
    path = next(iter(spec["paths"]))
    spec["paths"]["/jobs/{job_id}"] = spec["paths"].pop(path)
    for operation in spec["paths"]["/jobs/{job_id}"].values():
        operation.pop("parameters", None)
    return spec


def spec_suite(*args: str) -> subprocess.CompletedProcess[str]:
    return run(["python", "-m", "enterprise3d_devkit.harness.spec_suite", *args], cwd=REPO)


def test_an_invalid_document_is_refused_naming_the_defect_and_its_json_path(tmp_path: Path) -> None:
    document = tmp_path / "vendor-doc.json"
    document.write_text(json.dumps(spec_with_undeclared_path_parameter()), encoding="utf-8")
    result = spec_suite(str(document), "--no-repairs")
    output = result.stdout + result.stderr
    assert result.returncode == REFUSED, output
    assert "vendor-doc.json: refused:" in output
    assert "'job_id'" in output and "$['paths']['/jobs/{job_id}']" in output
    assert "Traceback" not in output


def test_a_refusal_imports_neither_hypothesis_nor_griffe_nor_the_generator(tmp_path: Path) -> None:
    """Most of a vendor corpus is refused: each refusal is quick because what only a usable document needs (the
    instances' hypothesis, the diff's griffe, the generator's naming rules) is imported once one arrives (trying a
    proposed repair is such a document: --no-repairs leaves it out here)."""
    document = tmp_path / "vendor-doc.json"
    document.write_text(json.dumps(spec_with_undeclared_path_parameter()), encoding="utf-8")
    heavy = ("hypothesis", "griffe", "openapi_python_client")
    probe = (
        "import sys; from enterprise3d_devkit.harness import spec_suite; "
        "code = spec_suite.main([sys.argv[1], '--no-repairs']); "
        f"print(code, sorted({{name.split('.')[0] for name in sys.modules if name.startswith({heavy!r})}}))"
    )
    result = run([sys.executable, "-c", probe, str(document)], cwd=REPO)
    assert result.stdout.splitlines()[-1] == f"{REFUSED} []", result.stdout + result.stderr


def test_a_document_the_generator_cannot_generate_is_refused(tmp_path: Path) -> None:
    spec = copy.deepcopy(load_spec())
    operation = next(iter(next(iter(spec["paths"].values())).values()))
    operation["responses"]["409"] = {"description": "x", "content": {"application/xml": {"schema": {"type": "object"}}}}
    document = tmp_path / "xml.yaml"
    document.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = spec_suite(str(document))
    output = result.stdout + result.stderr
    assert result.returncode == REFUSED, output
    assert "xml.yaml: refused: the generator cannot generate it" in output and "application/xml" in output
    assert "Traceback" not in output


def test_the_make_target_fails_with_the_same_line(tmp_path: Path) -> None:
    document = tmp_path / "vendor-doc.json"
    document.write_text(json.dumps(spec_with_undeclared_path_parameter()), encoding="utf-8")
    result = make(REPO, "test-spec", f"SPEC={document}", "NO_REPAIRS=1")
    assert result.returncode != 0
    assert "vendor-doc.json: refused:" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_a_missing_document_is_unreadable_and_no_spec_is_a_usage_error(tmp_path: Path) -> None:
    result = spec_suite(str(tmp_path / "nothing.yaml"))
    assert result.returncode == UNREADABLE
    assert "nothing.yaml" in result.stdout and "cannot be read" in result.stdout
    result = make(REPO, "test-spec")
    assert result.returncode == 2 and "usage: make test-spec SPEC=" in result.stderr


def test_a_corpus_of_refused_documents_is_done_one_line_each(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.json").write_text(json.dumps(spec_with_undeclared_path_parameter()), encoding="utf-8")
    (corpus / "b.yaml").write_text("openapi: 3.0.0\ninfo: {title: t}\npaths: {}\n", encoding="utf-8")
    (corpus / "notes.md").write_text("not a document\n", encoding="utf-8")
    result = spec_suite("--corpus", str(corpus), "--no-repairs")
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines[0].startswith("a.json: refused: ") and "$['paths']['/jobs/{job_id}']" in lines[0]
    assert lines[1].startswith("b.yaml: refused: ") and "'version' is a required property" in lines[1]
    assert lines[-1].startswith(f"{corpus}: 0 green / 0 repaired / 2 refused / 0 failed of 2 runs, in ")
