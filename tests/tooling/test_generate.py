"""generate.sh: refuses bad specs without touching generated/, is deterministic, and detects drift.

Every run here works on a temp copy of the repo; the real generated/ is only read.
"""

from __future__ import annotations

import copy
import importlib.metadata
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from enterprise3d_devkit.generation.marker import MARKER
from enterprise3d_devkit.generation.version_module import installed_version, module_text, version_of
from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import GENERATED, PACKAGE, REPO, RUNTIME, RUNTIME_FILES, RUNTIME_MODULES, SPEC_PATH
from enterprise3d_devkit.spec.loading import load_spec
from enterprise3d_devkit.spec.operations import operations
from tests.support.repo_copies import copy_repo, make, run, tree_hash, write_spec
from tests.support.spec_variants import GROWN_CLASS, GROWN_CLASS_MODULE, grown_module, grown_spec, unused_name


@pytest.fixture(scope="module")
def committed_hash() -> str:
    return tree_hash(GENERATED)


@pytest.fixture(scope="module")
def refusing_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One repo copy for the refusals: each must leave it as it was (they assert it), so they can share it."""
    return copy_repo(tmp_path_factory.mktemp("refusing") / "repo")


def _spec() -> dict[str, Any]:
    return copy.deepcopy(load_spec())


def _first_operation(spec: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = next(iter(next(iter(spec["paths"].values())).values()))
    return operation


def _break_first_ref(spec: dict[str, Any]) -> dict[str, Any]:
    responses = _first_operation(spec)["responses"]
    status = next(iter(responses))
    responses[status] = {"$ref": "#/components/responses/DoesNotExist"}
    return spec


def _drop_info_version(spec: dict[str, Any]) -> dict[str, Any]:
    del spec["info"]["version"]
    return spec


def _drop_operations(spec: dict[str, Any]) -> dict[str, Any]:
    spec["paths"] = {}
    return spec


def _xml_only_response(spec: dict[str, Any]) -> dict[str, Any]:
    _first_operation(spec)["responses"]["409"] = {
        "description": "Conflict",
        "content": {"application/xml": {"schema": {"type": "object"}}},
    }
    return spec


def _mixed_type_enum(spec: dict[str, Any]) -> dict[str, Any]:
    schema = next(iter(spec["components"]["schemas"].values()))
    schema.setdefault("properties", {})["mode"] = {"type": "string", "enum": ["fast", 5]}
    return spec


FIRST_METHOD = next(iter(next(iter(load_spec()["paths"].values()))))


def _undeclared_path_parameter(spec: dict[str, Any]) -> dict[str, Any]:
    path = next(iter(spec["paths"]))
    spec["paths"]["/undeclared/{job_id}"] = spec["paths"].pop(path)
    for operation in spec["paths"]["/undeclared/{job_id}"].values():
        operation.pop("parameters", None)
    return spec


def _default_outside_enum(spec: dict[str, Any]) -> dict[str, Any]:
    schema = next(iter(spec["components"]["schemas"].values()))
    schema.setdefault("properties", {})["mode"] = {"type": "string", "enum": ["fast", "slow"], "default": "medium"}
    return spec


def _server_on_another_host(spec: dict[str, Any]) -> dict[str, Any]:
    next(iter(spec["paths"].values()))["servers"] = [{"url": "https://elsewhere.example.test/api"}]
    return spec


def _swagger_2(spec: dict[str, Any]) -> dict[str, Any]:
    del spec["openapi"]
    return {"swagger": "2.0", **spec}


def _as_yaml(mutate: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[], bytes]:
    import yaml

    return lambda: yaml.safe_dump(mutate(_spec()), sort_keys=False).encode()


def _spec_bytes() -> bytes:
    return SPEC_PATH.read_bytes()


# (id, spec bytes, the failing step generate.sh must name, words the message must contain)
BAD_SPECS: list[tuple[str, Callable[[], bytes], str, list[str]]] = [
    ("empty-file", lambda: b"", "validate spec", ["is empty"]),
    ("whitespace-only", lambda: b"  \n\n", "validate spec", ["is empty"]),
    (
        "invalid-yaml",
        lambda: _spec_bytes() + b"\npaths: [unclosed\n",
        "validate spec",
        ["not valid YAML", "line"],
    ),
    ("top-level-list", lambda: b"- openapi: 3.0.0\n", "validate spec", ["mapping", "list"]),
    ("swagger-2", _as_yaml(_swagger_2), "validate spec", ["not an OpenAPI 3.x", "swagger"]),
    (
        "missing-info-version",
        _as_yaml(_drop_info_version),
        "validate spec",
        ["'version' is a required", "$['info']"],
    ),
    (
        "broken-ref",
        _as_yaml(_break_first_ref),
        "validate spec",
        ["does not resolve", "DoesNotExist", "$['paths']['"],
    ),
    ("no-operations", _as_yaml(_drop_operations), "validate spec", ["no operations", "$['paths']"]),
    (
        "undeclared-path-parameter",
        _as_yaml(_undeclared_path_parameter),
        "validate spec",
        ["'job_id'", "not resolved", f"(at $['paths']['/undeclared/{{job_id}}']['{FIRST_METHOD}'])"],
    ),
    (
        "default-outside-its-enum",
        _as_yaml(_default_outside_enum),
        "validate spec",
        ["'medium' is not one of", "['properties']['mode']['default'])"],
    ),
    ("non-utf8", lambda: _spec_bytes() + b"# caf\xe9\n", "validate spec", ["not UTF-8", "0xe9", "line"]),
    (
        "server-on-another-host",
        _as_yaml(_server_on_another_host),
        "validate spec",
        ["on another host", "elsewhere.example.test", "['servers'])"],
    ),
    ("generator-warns-content-type", _as_yaml(_xml_only_response), "generate", ["application/xml"]),
    ("generator-warns-enum", _as_yaml(_mixed_type_enum), "generate", ["Unable to process schema"]),
]


@pytest.mark.pipeline
@pytest.mark.parametrize(
    ("spec_bytes", "step", "words"), [case[1:] for case in BAD_SPECS], ids=[case[0] for case in BAD_SPECS]
)
def test_bad_spec_is_refused_and_generated_is_untouched(
    refusing_repo: Path,
    committed_hash: str,
    spec_bytes: Callable[[], bytes],
    step: str,
    words: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """...and the generator's cache is left as it was: only successful generations are kept."""
    repo = refusing_repo
    (repo / "openapi.yaml").write_bytes(spec_bytes())
    cache = tmp_path / "cache"
    monkeypatch.setenv("MODELSLAB_GENERATE_CACHE", str(cache))
    result = run_generate_sh(repo=repo)
    assert cache_entries(cache) == [], "a refused spec left an entry in the cache"
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"FAILED at step '{step}'" in output
    for word in words:
        assert word in output, f"{word!r} missing from:\n{output}"
    assert tree_hash(repo / "generated") == tree_hash(GENERATED.parent), "generated/ changed"
    assert tree_hash(repo / "generated" / PACKAGE) == committed_hash


def test_a_document_refused_before_it_is_validated_never_loads_the_validator(tmp_path: Path) -> None:
    """Not OpenAPI 3 (or not YAML): refused without importing openapi-spec-validator or the generator (for the
    repairs proposed, which never apply to such a document): each takes a quarter of a second to import."""
    spec = write_spec(tmp_path / "swagger.yaml", _swagger_2(_spec()))
    probe = (
        "import sys; from enterprise3d_devkit.spec.validation import main; code = main(['', sys.argv[1]]); "
        "print(code, sorted(name for name in sys.modules if name.startswith(('openapi_spec', 'openapi_python'))))"
    )
    result = run([sys.executable, "-c", probe, str(spec)], REPO)
    assert result.stdout.split(maxsplit=1) == ["1", "[]\n"], result.stdout + result.stderr
    assert "not an OpenAPI 3.x" in result.stderr


def test_missing_generator_on_path_is_a_named_failure(repo: Path, committed_hash: str) -> None:
    import subprocess

    result = subprocess.run(
        ["bash", str(repo / "generate.sh")],
        cwd=repo,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "FAILED at step 'check toolchain'" in result.stderr
    assert tree_hash(repo / "generated" / PACKAGE) == committed_hash


class FirstGeneration(NamedTuple):
    written: str  # its tree hash as written (before any test changes what the cache holds)
    cache: Path  # the cache it was generated into, empty before


@pytest.fixture(scope="module")
def first_generation(tmp_path_factory: pytest.TempPathFactory) -> FirstGeneration:
    """One run of the generator itself (into an empty cache of its own), deep inside a folder whose ruff config is
    hostile (a line length of 40, single quotes): the generator formats by any ruff config above its output."""
    root = tmp_path_factory.mktemp("first")
    (root / "pyproject.toml").write_text(
        '[tool.ruff]\nline-length = 40\n[tool.ruff.format]\nquote-style = "single"\n', encoding="utf-8"
    )
    out = root / "deeper" / "still" / PACKAGE
    out.parent.mkdir(parents=True)
    cache = root / "cache"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MODELSLAB_GENERATE_CACHE", str(cache))
        result = run_generate_sh("--out", str(out))
    assert result.returncode == 0, result.stderr
    return FirstGeneration(tree_hash(out), cache)


def test_generated_is_what_the_spec_generates(first_generation: FirstGeneration, committed_hash: str) -> None:
    """The generator's own output, under a hostile ruff config, is generated/ byte for byte (the cache was empty,
    so nothing came from it)."""
    assert first_generation.written == committed_hash


def cache_entries(cache: Path) -> list[Path]:
    return sorted(cache.iterdir()) if cache.exists() else []


@pytest.mark.pipeline
def test_the_cache_gives_the_generators_output_for_the_same_inputs_only(
    first_generation: FirstGeneration, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry per successful set of inputs; the same inputs take it (shown by tampering with it), other inputs
    (a changed template) or --no-cache do not; the runtime and _version.py are added to a cached tree too."""
    cache = first_generation.cache
    monkeypatch.setenv("MODELSLAB_GENERATE_CACHE", str(cache))
    (entry,) = cache_entries(cache)
    assert not (entry / RUNTIME_MODULES[0]).exists() and not (entry / "_version.py").exists()
    (entry / "py.typed").write_text("tampered\n", encoding="utf-8")
    again = tmp_path / "two" / PACKAGE
    assert run_generate_sh("--out", str(again)).returncode == 0
    assert (again / "py.typed").read_text(encoding="utf-8") == "tampered\n", "the entry was used"
    assert all((again / m).read_bytes() == (RUNTIME / m).read_bytes() for m in RUNTIME_FILES)
    uncached = tmp_path / "three" / PACKAGE
    assert run_generate_sh("--out", str(uncached), "--no-cache").returncode == 0
    assert (uncached / "py.typed").read_text(encoding="utf-8") != "tampered\n", "--no-cache ran the generator"
    repo = copy_repo(tmp_path / "repo")
    template = repo / "codegen" / "overrides" / "models_init.py.jinja"
    template.write_text(template.read_text(encoding="utf-8") + "{# changed #}\n", encoding="utf-8")
    assert run_generate_sh("--out", str(tmp_path / "four" / PACKAGE), repo=repo).returncode == 0
    assert len(cache_entries(cache)) == 2, "other inputs, another entry"


def test_the_version_module_is_pyprojects_version(tmp_path: Path) -> None:
    assert f'__version__ = "{version_of(REPO / "pyproject.toml")}"' in (GENERATED / "_version.py").read_text()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no \\[project\\] version"):
        version_of(tmp_path / "pyproject.toml")
    with pytest.raises(ValueError, match="not a version"):
        module_text('1"; import os')


def test_the_tools_versions_are_what_importlib_metadata_says(tmp_path: Path) -> None:
    """generate.sh checks the tools against the lock file by these versions: for every distribution installed here
    they are what importlib.metadata reads from the metadata itself."""
    installed = {dist.metadata["Name"]: dist.version for dist in importlib.metadata.distributions()}
    assert len(installed) > 20
    for name, version in installed.items():
        assert installed_version(name) == version, name
        assert installed_version(name.upper().replace("-", ".")) == version  # names compare normalized
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    with pytest.raises(LookupError, match="no-such-tool is not installed"):
        installed_version("no-such-tool", [str(tmp_path / "not-a-folder"), str(tmp_path), *sys.path])


def test_generating_twice_changes_nothing_and_leaves_no_debris(repo: Path, committed_hash: str) -> None:
    stale = repo / "generated" / PACKAGE / "api" / "removed_tag" / "old_operation.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("# from an earlier spec\n", encoding="utf-8")
    for _ in range(2):
        result = run_generate_sh(repo=repo)
        assert result.returncode == 0, result.stderr
        assert tree_hash(repo / "generated" / PACKAGE) == committed_hash
    leftovers = [p.name for p in (repo / "generated").iterdir() if p.name != PACKAGE]
    assert leftovers == []
    debris = [p for p in (repo / "generated").rglob("*") if p.name in {".ruff_cache", "__pycache__"}]
    assert debris == []


def test_check_generated_names_stale_files(repo: Path) -> None:
    spec = _spec()
    schema_name, schema = next(iter(spec["components"]["schemas"].items()))
    schema.setdefault("properties", {})["added_by_vendor"] = {"type": "string"}
    write_spec(repo / "openapi.yaml", spec)
    before = tree_hash(repo / "generated")

    result = make(repo, "check-generated")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "stale" in output and "make generate" in output
    # The model module of that schema, found in the committed package by its class statement.
    (model_file,) = [
        path for path in (GENERATED / "models").glob("*.py") if f"class {schema_name}:" in path.read_text()
    ]
    assert f"models/{model_file.name}" in output, output
    assert tree_hash(repo / "generated") == before

    assert make(repo, "generate").returncode == 0
    result = make(repo, "check-generated")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.pipeline
def test_grown_spec_generates_imports_and_typechecks(grown_package: Path, mypy_cache: Path) -> None:
    out = grown_package
    assert (out / "api" / (grown_module().replace(".", "/") + ".py")).is_file()
    assert (out / "py.typed").is_file()

    importer = f"import modelslab_enterprise_3d.api.{grown_module()} as m, typing; "
    importer += "print(m.__file__); print(typing.get_type_hints(m.sync))\n"
    # The new operation is a new method of the high-level clients, with no hand-written code.
    importer += "from modelslab_enterprise_3d import Enterprise3D, AsyncEnterprise3D, client\n"
    method = grown_module().rsplit(".", 1)[1]
    importer += f"print(*(inspect.signature(getattr(c, {method!r})) for c in (Enterprise3D, AsyncEnterprise3D)))"
    imported = run(["python", "-c", "import inspect\n" + importer], cwd=out.parent)
    assert imported.returncode == 0, imported.stderr
    assert str(out) in imported.stdout
    assert imported.stdout.count(f"-> '{GROWN_CLASS}'") == 2, imported.stdout

    # `format: password` masks a field whatever its name; the date-time field is validated on parse.
    probe = (
        f"from modelslab_enterprise_3d.models import {GROWN_CLASS} as R\n"
        "from modelslab_enterprise_3d import errors\n"
        "r = R.from_dict({'status': 'success', 'created_at': '2024-01-01T00:00:00Z',\n"
        "                 'webhook_credential': 'S3NT1NEL'})\n"
        "print(repr(r)); print(r.to_dict()['webhook_credential'])\n"
        "try: R.from_dict({'status': 'success', 'created_at': 'yesterday'})\n"
        "except errors.InvalidField as e: print('invalid', e.field)\n"
    )
    probed = run(["python", "-c", probe], cwd=out.parent)
    assert probed.returncode == 0, probed.stderr
    shown, sent, invalid = probed.stdout.splitlines()
    assert "S3NT1NEL" not in shown and "webhook_credential='***'" in shown
    assert sent == "S3NT1NEL"
    assert invalid == "invalid created_at"

    typed = run(["mypy", "--strict", f"--cache-dir={mypy_cache}", PACKAGE], cwd=out.parent)
    assert typed.returncode == 0, typed.stdout
    assert "datetime" in (out / "models" / f"{GROWN_CLASS_MODULE}.py").read_text(encoding="utf-8")


def test_every_generated_module_says_it_is_generated() -> None:
    """Every module the generator writes starts with the marker; the runtime's are its files, byte for byte."""
    runtime = {p.as_posix() for p in RUNTIME_MODULES}
    modules = sorted(p for p in GENERATED.rglob("*.py") if p.relative_to(GENERATED).as_posix() not in runtime)
    assert modules
    unmarked = [
        p.relative_to(GENERATED).as_posix() for p in modules if not p.read_text(encoding="utf-8").startswith(MARKER)
    ]
    assert unmarked == []
    attributes = (REPO / ".gitattributes").read_text(encoding="utf-8")
    assert "generated/** linguist-generated=true" in attributes.splitlines()


def grown_everywhere() -> tuple[dict[str, Any], str, str]:
    """openapi.yaml after the vendor grows it: a new operation (spec_variants.grown_spec), a required field and an
    enum value in the first operation's success model, a newly documented status. Also the new operation's label
    and module, for the reviewed operation table and the README (the human decision spec growth asks for)."""
    spec = grown_spec()
    op = operations(load_spec())[0]
    model = op.responses[op.default_status()].model
    schema = spec["components"]["schemas"][model]
    field = unused_name(schema.setdefault("properties", {}), "queue_length")
    schema["properties"][field] = {"type": "integer"}
    schema.setdefault("required", []).append(field)
    enum_field = next(p for p in schema["properties"].values() if "enum" in p)
    enum_field["enum"].append(unused_name(enum_field["enum"], "queued"))
    spec["paths"][op.path][op.method]["responses"]["429"] = spec["paths"][op.path][op.method]["responses"][
        str(max(s for s in op.responses if s >= 400))
    ]
    (new,) = [o for o in operations(spec) if o.path not in load_spec()["paths"]]
    return spec, new.label, new.module.removeprefix(f"{PACKAGE}.api.")


@pytest.mark.pipeline
def test_after_the_spec_grows_a_stale_tree_fails_and_make_generate_makes_it_pass(repo: Path) -> None:
    spec, label, module = grown_everywhere()
    write_spec(repo / "openapi.yaml", spec)
    stale = make(repo, "check-generated")
    assert stale.returncode != 0 and "stale" in stale.stderr

    # The decision spec growth asks of a person: what the new operation does, and its line in the user docs.
    with (repo / "codegen" / "operations.yaml").open("a", encoding="utf-8") as table:
        table.write(f"{label}:\n  effect: read\n  retry: safe\n  why: added by the vendor\n")
    lines = (repo / "README.md").read_text(encoding="utf-8").splitlines(keepends=True)
    last_row = max(i for i, line in enumerate(lines) if line.startswith("| `") and "` | `" in line)
    lines.insert(last_row + 1, f"| `{label}` | `{module}` | `{module.rsplit('.', 1)[1]}()` | new | yes | added |\n")
    (repo / "README.md").write_text("".join(lines), encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(repo / "generated"), str(repo)])}
    assert make(repo, "generate").returncode == 0
    # What growth can break: the README (bodies overlaid on spec-built instances), the operation table (and the
    # client's retry policy, generated from it), and the contract -- a module per operation, requests, every
    # documented status and enum value parsing, the high-level methods.
    contract = [
        "test_every_operation_has_a_generated_module",
        "test_request_matches_the_spec",
        "test_a_valid_body_parses_into_the_declared_model",
        "test_every_documented_enum_value_parses",
    ]
    suites = ["tests/this_api/test_readme.py", "tests/this_api/test_operation_table.py"]
    suites += [f"tests/spec_generic/contract/test_contract.py::{name}" for name in contract]
    suites += ["tests/spec_generic/high_level/test_methods.py"]
    pytest = ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0"]
    result = run([*pytest, *suites], repo, env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
    method = grown_module().rsplit(".", 1)[1]
    assert f'"{method}",' in (repo / "generated" / PACKAGE / "client.py").read_text(encoding="utf-8")
