"""The import layering of the dev tools and of the package, read from their syntax trees (imports inside functions
included): the tools' packages import only their own layer and the layers below; the spec and generation layers
never import the generated package (they run before it exists); the runtime's products (core, production runs, the
command line, testing) import only the products below them; neither the tools nor the package has an import
cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from enterprise3d_devkit.repo.layout import GENERATED, PACKAGE, REPO, RUNTIME, RUNTIME_MODULES

TOOLS = REPO / "enterprise3d_devkit"
# Bottom to top: each package may import those before it, never those after.
LAYERS = ("repo", "spec", "generation", "release", "spec_update", "file_host", "harness", "bench")
# The layers that run before the generated package exists (generate.sh runs them to make it).
BEFORE_GENERATION = ("repo", "spec", "generation")


def imported(source: str, module: str, names: bool = True, is_package: bool = False) -> Iterator[str]:
    """The absolute names a module's source imports (relative imports resolved against `module`, itself the package
    when `is_package`: its __init__.py): each statement's module, and with `names` each name imported from it as well
    (it may be a module)."""
    package = module if is_package else module.rsplit(".", 1)[0]
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


def packages_of(sources: dict[str, str]) -> set[str]:
    """The modules of `sources` that are packages (their __init__.py): those with modules of their own."""
    return {module for module in sources if any(other.startswith(module + ".") for other in sources)}


def module_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the modules among `sources` it imports ("from a import b" counts as a.b when a.b is a module)."""
    packages = packages_of(sources)
    return {
        module: {
            name
            for name in imported(source, module, is_package=module in packages)
            if name in sources and name != module and not module.startswith(name + ".")  # (its own packages)
        }
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
        ("enterprise3d_devkit.spec.loading", "from enterprise3d_devkit.file_host.serving import serving\n"),
        ("enterprise3d_devkit.generation.plans", "def f():\n    from modelslab_enterprise_3d import errors\n"),
        ("enterprise3d_devkit.repo.layout", "import enterprise3d_devkit.spec.loading\n"),
    ],
)
def test_an_upward_import_is_found(module: str, source: str) -> None:
    assert len(layering_violations({**tool_sources(), module: source})) == 1


def test_the_tools_have_no_import_cycle() -> None:
    assert cycles(module_graph(tool_sources())) == []


def package_sources() -> dict[str, str]:
    """The generated package's modules as the package names them: the runtime's from codegen/runtime/ (where they are
    edited), the generator's from generated/."""
    sources = {}
    for path in sorted(GENERATED.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(GENERATED)
        parts = relative.with_suffix("").parts
        module = ".".join((PACKAGE, *parts[:-1])) if parts[-1] == "__init__" else ".".join((PACKAGE, *parts))
        shipped = RUNTIME / relative
        sources[module] = (shipped if relative in RUNTIME_MODULES else path).read_text(encoding="utf-8")
    return sources


# The runtime's products and what each may import of the package besides itself: the core nothing (generated code
# depends on it alone), production runs the core, the command line (with the MCP server) both and the generated
# operations' table and models, testing the core, the table and, for the pytest plugin, the generated clients.
PRODUCTS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "runs": frozenset({"core"}),
    "cli": frozenset({"core", "runs", "api", "models"}),
    "testing": frozenset({"core", "api", "client"}),
}
# The generated code: the operations' modules and the models import the core (and each other, and the low-level
# Client of client.py); client.py composes the clients from the core and production runs.
GENERATED_PARTS: dict[str, frozenset[str]] = {
    "api": frozenset({"core", "api", "models", "client", "types"}),
    "models": frozenset({"core", "models", "types"}),
    "client": frozenset({"core", "runs", "api", "models", "types", "_version"}),
}
# The one module that puts the products together: the command line's entry, which adds the testing package's `mock`.
COMPOSITION = "__main__"


def part_of(module: str) -> str:
    """The top-level part of the package a module belongs to ("core", "client", "__init__" for the package's own)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def runtime_violations(sources: dict[str, str]) -> list[str]:
    """Each import of a product or generated module that its rules do not allow (see PRODUCTS)."""
    rules = {**PRODUCTS, **GENERATED_PARTS}
    packages = packages_of(sources)
    found = []
    for module, source in sources.items():
        own = part_of(module)
        for name in set(imported(source, module, names=False, is_package=module in packages)):
            if name.split(".")[0] != PACKAGE or name == PACKAGE:
                continue
            target = part_of(name)
            if target == own:
                continue
            if target == "testing" and own != COMPOSITION:
                found.append(f"{module} imports {name}: only the testing package and {COMPOSITION} import testing")
            elif own in rules and target not in rules[own]:
                found.append(f"{module} imports {name}: {own} may import only {sorted(rules[own])}")
    return sorted(found)


def test_each_runtime_product_imports_only_what_lies_below_it() -> None:
    sources = package_sources()
    assert {part_of(m) for m in sources} >= {*PRODUCTS, *GENERATED_PARTS}, "every product and generated part is read"
    assert runtime_violations(sources) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("core.base_client", "from ..runs.ledger import Ledger\n"),
        ("runs.batch", "def f():\n    from ..cli.main import run\n"),
        ("cli.main", "from ..testing import running_mock\n"),
        ("models.fetch_response", "from ..runs import jobs\n"),
    ],
)
def test_an_import_against_the_products_order_is_found(module: str, source: str) -> None:
    sources = package_sources()
    name = f"{PACKAGE}.{module}"
    assert name in sources
    assert len(runtime_violations({**sources, name: sources[name] + source})) == 1


def test_the_runtime_imports_its_own_modules_by_import_statements_only() -> None:
    """No importlib.import_module of the package's own modules (an import no arrow shows and no type checker
    follows); the package's __init__ is the generator's lazy export table, and imports by module name."""
    hidden = [
        f"{module}: {ast.unparse(node)}"
        for module, source in package_sources().items()
        if part_of(module) in PRODUCTS or part_of(module) == COMPOSITION
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and "import_module" in ast.unparse(node.func)
    ]
    assert hidden == []


def test_the_dev_tools_import_no_private_module_of_the_runtime() -> None:
    private = [
        f"{module} imports {name}"
        for module, source in tool_sources().items()
        for name in imported(source, module)
        if name.startswith(("codegen.runtime.", f"{PACKAGE}.")) and any(p.startswith("_") for p in name.split(".")[2:])
    ]
    assert private == []


def runtime_sources() -> dict[str, str]:
    """The runtime's modules and the generated clients' module (the generator's operation modules and models import
    each other and client.py's low-level Client by its design: they are left out)."""
    return {m: s for m, s in package_sources().items() if part_of(m) not in GENERATED_PARTS or part_of(m) == "client"}


def test_the_runtime_has_no_import_cycle() -> None:
    graph = module_graph(runtime_sources())
    assert graph[f"{PACKAGE}.core.base_client"], "the graph is read (the base client imports the core's modules)"
    assert cycles(graph) == []


def test_a_cycle_is_found() -> None:
    sources = runtime_sources()
    sources[f"{PACKAGE}.core.answers"] += "\nfrom . import base_client\n"
    assert cycles(module_graph(sources))
