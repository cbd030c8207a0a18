"""The import layering of the dev tools and the runtime, read from their syntax trees (imports inside functions
included): the tools' packages import only their own layer and the layers below; the spec and generation layers
never import the generated package (they run before it exists); neither the tools nor the runtime has an import
cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from enterprise3d_devkit.repo.layout import PACKAGE, REPO, RUNTIME

TOOLS = REPO / "enterprise3d_devkit"
# Bottom to top: each package may import those before it, never those after.
LAYERS = ("repo", "spec", "generation", "release", "spec_update", "mock", "harness", "bench")
# The layers that run before the generated package exists (generate.sh runs them to make it).
BEFORE_GENERATION = ("repo", "spec", "generation")


def imported(source: str, module: str, names: bool = True) -> Iterator[str]:
    """The absolute names a module's source imports (relative imports resolved against `module`): each statement's
    module, and with `names` each name imported from it as well (it may be a module)."""
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            if names:
                yield from (f"{base}.{alias.name}" for alias in node.names)


def tool_sources() -> dict[str, str]:
    return {
        ".".join(path.relative_to(REPO).with_suffix("").parts): path.read_text(encoding="utf-8")
        for path in sorted(TOOLS.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "enterprise3d_devkit" and parts[1] in LAYERS else None


def layering_violations(sources: dict[str, str]) -> list[str]:
    """Each import that goes up a layer, or into the generated package from a layer that runs before it exists."""
    found = []
    for module, source in sources.items():
        own = layer_of(module)
        for name in set(imported(source, module, names=False)):
            target = layer_of(name)
            if own is None:
                continue
            if target is not None and LAYERS.index(target) > LAYERS.index(own):
                found.append(f"{module} imports {name}: {own} is below {target}")
            if own in BEFORE_GENERATION and name.split(".")[0] == PACKAGE:
                found.append(f"{module} imports the generated package ({name}), which {own} runs before")
    return sorted(found)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a module graph (each as the path that closes it)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def module_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the modules among `sources` it imports ("from a import b" counts as a.b when a.b is a module)."""
    return {
        module: {name for name in imported(source, module) if name in sources and name != module}
        for module, source in sources.items()
    }


def test_the_tools_import_only_their_layer_and_those_below() -> None:
    assert layering_violations(tool_sources()) == []


def test_every_tool_module_is_in_a_layer() -> None:
    outside = [m for m in tool_sources() if layer_of(m) is None and m != "enterprise3d_devkit.__init__"]
    assert outside == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("enterprise3d_devkit.spec.loading", "from enterprise3d_devkit.mock.file_host import serving\n"),
        ("enterprise3d_devkit.generation.plans", "def f():\n    from modelslab_enterprise_3d import errors\n"),
        ("enterprise3d_devkit.repo.layout", "import enterprise3d_devkit.spec.loading\n"),
    ],
)
def test_an_upward_import_is_found(module: str, source: str) -> None:
    assert len(layering_violations({**tool_sources(), module: source})) == 1


def test_the_tools_have_no_import_cycle() -> None:
    assert cycles(module_graph(tool_sources())) == []


def runtime_sources() -> dict[str, str]:
    """The runtime's modules, and the generated client module that hands the command line its table, as the package
    names them."""
    sources = {
        f"{PACKAGE}.{p.stem}": p.read_text(encoding="utf-8") for p in RUNTIME.glob("*.py") if p.stem != "__init__"
    }
    client = REPO / "generated" / PACKAGE / "client.py"
    sources[f"{PACKAGE}.client"] = client.read_text(encoding="utf-8")
    return sources


def test_the_runtime_has_no_import_cycle() -> None:
    graph = module_graph(runtime_sources())
    assert graph[f"{PACKAGE}._base_client"], "the graph is read (the base client imports runtime modules)"
    assert cycles(graph) == []


def test_a_cycle_is_found() -> None:
    sources = runtime_sources()
    sources[f"{PACKAGE}._cli"] += "\nfrom .client import Enterprise3D\n"
    assert cycles(module_graph(sources))
