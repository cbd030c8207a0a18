"""Releases: `make dist`'s artefacts are checked (twine check --strict, the wheel's contents) and the wheel installs
and works in a clean environment holding only its declared dependencies; the release workflow publishes only a
tag that is the package's version, with that version's CHANGELOG entry as its notes, through the commands tested
here."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.release.dist import DistError, build, check_tag, notes, wheel_problems
from enterprise3d_devkit.release.version import read_version
from enterprise3d_devkit.repo.layout import PACKAGE, REPO
from enterprise3d_devkit.spec.instances import response_instance
from tests.support.dependencies import declared_runtime_dependencies
from tests.support.high_level import success_models
from tests.support.spec_cases import OPERATIONS

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline

WORKFLOW = REPO / ".github" / "workflows" / "release.yml"


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build(tmp_path_factory.mktemp("dist") / "dist")


def test_make_dist_builds_an_sdist_and_a_wheel_that_pass_twine_and_ship_the_licence(artefacts: list[Path]) -> None:
    (wheel,) = [a for a in artefacts if a.suffix == ".whl"]
    (sdist,) = [a for a in artefacts if a.name.endswith(".tar.gz")]
    assert wheel_problems(wheel) == []
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("METADATA"))
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    with zipfile.ZipFile(wheel) as archive:  # the spec it was generated from, for offline reading
        assert f"{PACKAGE}/openapi.json" in archive.namelist()
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("/LICENSE") for name in archive.getnames())


def test_the_wheels_contents_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad-1.0-py3-none-any.whl"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr(f"{PACKAGE}/__init__.py", "")
        archive.writestr("tests/test_x.py", "")
    problems = wheel_problems(bad)
    assert f"{PACKAGE}/py.typed is missing" in problems and "tests/test_x.py is shipped" in problems
    assert any("licence" in problem for problem in problems)


def requirement_closure(names: set[str]) -> set[str]:
    """The distributions `names` need, transitively, as installed here: with the extras a requirement asks for
    (`pyjwt[crypto]`), without the markers that do not apply."""
    found: set[tuple[str, str]] = set()  # (distribution, an extra of it asked for, or "")
    todo = [(name, "") for name in names]
    while todo:
        name, extra = todo.pop()
        if (name.lower(), extra) in found:
            continue
        found.add((name.lower(), extra))
        for text in importlib.metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                todo += [(requirement.name, wanted) for wanted in ("", *requirement.extras)]
    return {name for name, _ in found}


def clean_venv(artefacts: list[Path], venv: Path, dependencies: set[str]) -> Path:
    """A venv without pip or dev tools: the wheel unpacked into it, and only `dependencies`' distributions (with what
    they need) copied in from this environment; its python."""
    (wheel,) = [a for a in artefacts if a.suffix == ".whl"]
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # a pure-Python wheel: installing it is unpacking it
    for name in requirement_closure(dependencies):
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            source = Path(str(distribution.locate_file(file)))
            if source.is_file() and ".." not in file.parts:
                (site / file).parent.mkdir(parents=True, exist_ok=True)
                (site / file).write_bytes(source.read_bytes())
    return venv / "bin" / "python"


def test_the_wheel_installs_and_works_with_only_its_declared_dependencies(
    artefacts: list[Path], tmp_path: Path
) -> None:
    """A clean venv (no pip, no dev tools): the wheel unpacked into it, and only the declared dependencies'
    distributions (with what they need) copied in from this environment."""
    python = clean_venv(artefacts, tmp_path / "venv", declared_runtime_dependencies())
    (op,) = [op for op in OPERATIONS if not op.path_parameters and success_models(op)][:1]
    body = json.dumps(response_instance(op, 200))
    script = """
import json, sys, httpx
import modelslab_enterprise_3d as package
from modelslab_enterprise_3d import Enterprise3D
answer = lambda request: httpx.Response(200, json=json.loads(sys.argv[1]))
with Enterprise3D(api_key="k", base_url="http://api.test", httpx_args={"transport": httpx.MockTransport(answer)}) as c:
    result = getattr(c, sys.argv[2])()
print(package.__version__, type(result).__name__)
forbidden = [m for m in sys.modules if m.split(".")[0] in ("yaml", "pytest", "enterprise3d_devkit", "jsonschema")]
assert not forbidden, forbidden
"""
    method = op.module.rsplit(".", 1)[1]
    result = subprocess.run(
        [str(python), "-I", "-c", script, body, method], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [read_version(), success_models(op)[0].__name__]


def test_only_a_tag_that_is_the_package_version_is_released() -> None:
    version = read_version()
    check_tag(f"v{version}")
    check_tag(version)
    for wrong in (f"v{version}.1", "v0.0.0", "latest"):
        with pytest.raises(DistError, match="not the package's version"):
            check_tag(wrong)
    result = subprocess.run(
        [sys.executable, "-m", "enterprise3d_devkit.release.dist", "check-tag", "v0.0.0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "not released" in result.stderr


def test_the_release_notes_are_the_versions_changelog_entry() -> None:
    version = read_version()
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = notes(version)
    assert entry.strip() and entry.strip() in changelog
    assert f"## {version} " not in entry and "\n## " not in entry, "one entry, without its heading"
    with pytest.raises(DistError):
        notes("0.0.0-never")


def steps(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job.get("steps", []))


def test_the_release_workflow_checks_the_tag_builds_once_and_publishes_with_trusted_publishing() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow.get("permissions") == {}
    jobs = workflow["jobs"]
    build_job = next(j for j in jobs.values() if "make dist" in steps(j))
    assert "enterprise3d_devkit.release.dist check-tag" in steps(build_job)
    assert steps(build_job).index("check-tag") < steps(build_job).index("make dist"), "the tag is checked first"
    assert "enterprise3d_devkit.release.dist notes" in steps(build_job)
    publishing = [name for name, j in jobs.items() if "pypa/gh-action-pypi-publish@" in steps(j)]
    assert len(publishing) == 1
    publish = jobs[publishing[0]]
    assert re.search(r"pypa/gh-action-pypi-publish@[0-9a-f]{40}", steps(publish)), "pinned by commit"
    assert "make dist" not in steps(publish) and publish["needs"], "publishes what the build job built"
    for name, job in jobs.items():
        assert ("id-token" in (job.get("permissions") or {})) == (name == publishing[0]), name
    release = next(j for j in jobs.values() if "gh release create" in steps(j))
    assert "--notes-file release-notes.md" in steps(release) and publishing[0] in str(release["needs"])
    assert all(
        re.search(r"@[0-9a-f]{40}", str(step["uses"])) for j in jobs.values() for step in j["steps"] if "uses" in step
    ), "every action pinned by commit"


def test_the_package_page_is_readme_for_users_without_the_contributors_parts(artefacts: list[Path]) -> None:
    """The wheel's long description (its PyPI page): README's headings for users, none of the contributors' (set-up,
    contributing), no make command, no test path, no HTML comment; it renders (twine check --strict, above)."""
    from enterprise3d_devkit.release.package_description import CONTRIBUTORS_ONLY

    (wheel,) = [a for a in artefacts if a.suffix == ".whl"]
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("METADATA"))
    page = metadata.split("\n\n", 1)[1]
    assert "Description-Content-Type: text/markdown" in metadata
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    hidden = {h for part in CONTRIBUTORS_ONLY.findall(readme) for h in re.findall(r"^#+ .*$", part, re.M)}
    shown = set(re.findall(r"^#+ .*$", CONTRIBUTORS_ONLY.sub("", readme), re.M))
    assert hidden and shown
    assert shown <= set(re.findall(r"^#+ .*$", page, re.M)) and not hidden & set(re.findall(r"^#+ .*$", page, re.M))
    assert "make demo" not in page and "make test" not in page and "tests/" not in page and "<!--" not in page


@pytest.mark.slow
def test_with_the_mcp_extra_an_mcp_client_lists_every_operation_and_generates_a_model_over_stdio(
    artefacts: list[Path], tmp_path: Path, api_base_url: str
) -> None:
    """A user's set-up: a clean venv with the wheel and its `mcp` extra; an MCP client (the official SDK's) starts
    `python -m modelslab_enterprise_3d mcp -o DIR` over stdio, lists the tools, and generates a model against the
    mock, its files saved."""
    from tests.support.tool_arguments import GENERATING_TOOLS, arguments_for

    if not GENERATING_TOOLS:
        pytest.skip("the spec has no generating operation")
    extra = {Requirement(t).name for t in importlib.metadata.requires("modelslab-enterprise-3d") or [] if "mcp" in t}
    python = clean_venv(artefacts, tmp_path / "venv", declared_runtime_dependencies() | extra)
    op = GENERATING_TOOLS[0]
    script = """
import json, sys, anyio, mcp
async def main():
    server = mcp.StdioServerParameters(
        command=sys.executable,
        args=["-m", "modelslab_enterprise_3d", "mcp", "-o", sys.argv[1]],
        env={"MODELSLAB_API_KEY": "k", "MODELSLAB_BASE_URL": sys.argv[2], "MODELSLAB_3D_LEDGER": sys.argv[1] + ".db"},
    )
    async with mcp.Client(server) as client:
        tools = sorted(tool.name for tool in (await client.list_tools()).tools)
        result = await client.call_tool(sys.argv[3], json.loads(sys.argv[4]))
    print(json.dumps({"tools": tools, "error": result.is_error, "answer": json.loads(result.content[0].text)}))
anyio.run(main)
"""
    out = tmp_path / "models"
    arguments = json.dumps(arguments_for(op))
    result = subprocess.run(
        [str(python), "-I", "-c", script, str(out), api_base_url, method_name(op), arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    told = json.loads(result.stdout)
    assert told["tools"] == sorted(method_name(o) for o in OPERATIONS)
    assert not told["error"], told["answer"]
    saved = [Path(path) for path in told["answer"]["saved"]]
    assert saved and all(path.is_file() and path.parent.parent == out for path in saved)


def extra_requirements(extra: str) -> set[str]:
    """The distributions an extra of the package asks for, as its metadata declares them."""
    requirements = [Requirement(text) for text in importlib.metadata.requires("modelslab-enterprise-3d") or []]
    return {r.name for r in requirements if r.marker is not None and r.marker.evaluate({"extra": extra})}


USER_TEST = re.compile(r"<!-- user-test -->\n```py\n(?P<code>.*?)```", re.S)


def test_with_the_testing_extra_a_users_test_file_runs_on_the_plugins_mock(
    artefacts: list[Path], tmp_path: Path
) -> None:
    """A user's set-up: a clean venv with the wheel and its `testing` extra; the testing page's test file of a user's
    own code runs under pytest on the package's plugin (its mock started and stopped by the fixtures), nothing of
    this repository on the path."""
    (code,) = [m["code"] for m in USER_TEST.finditer((REPO / "docs" / "testing.md").read_text(encoding="utf-8"))]
    python = clean_venv(artefacts, tmp_path / "venv", declared_runtime_dependencies() | extra_requirements("testing"))
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_models.py").write_text(code, encoding="utf-8")
    command = [str(python), "-I", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_models.py"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(rf"\b{code.count(chr(10) + 'def test_') + code.count('async def test_')} passed\b", result.stdout)
    # The plugin's mock stopped with the session: no process of that venv is left.
    assert str(python) not in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


def test_without_the_testing_extra_the_mock_command_says_which_extra_in_one_line(
    artefacts: list[Path], tmp_path: Path
) -> None:
    python = clean_venv(artefacts, tmp_path / "venv", declared_runtime_dependencies())
    command = [str(python), "-I", "-m", PACKAGE, "mock", "--port", "0"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "[testing]" in result.stderr, result.stderr


def test_the_testing_extra_installs_beside_the_newest_hypothesis_and_warns_of_nothing(
    artefacts: list[Path], tmp_path: Path
) -> None:
    """pip resolves the wheel's `testing` extra together with hypothesis, unpinned (from the package index): the
    extra holds no hypothesis back, the testing page's test file passes on the plugin's mock there, and pytest
    prints no deprecation warning of pytest-asyncio's."""
    (wheel,) = [a for a in artefacts if a.suffix == ".whl"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = subprocess.run([*install, f"{wheel}[testing]", "hypothesis"], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-2000:]
    newest = subprocess.run(
        [str(python), "-m", "pip", "index", "versions", "hypothesis"], capture_output=True, text=True
    )
    version = subprocess.run(
        [str(python), "-c", "import hypothesis; print(hypothesis.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    assert f"({version})" in newest.stdout.splitlines()[0], (
        f"hypothesis {version} is not the newest: {newest.stdout[:200]}"
    )
    (code,) = [m["code"] for m in USER_TEST.finditer((REPO / "docs" / "testing.md").read_text(encoding="utf-8"))]
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_models.py").write_text(code, encoding="utf-8")
    command = [str(python), "-I", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_models.py"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "DeprecationWarning" not in result.stdout + result.stderr, result.stdout[-2000:]
