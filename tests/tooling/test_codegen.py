"""codegen/: the overrides are ports of the pinned generator's own templates, kept beside pristine copies of them;
the runtime is shipped byte for byte.

If a generator upgrade changes an upstream template, this fails and says which override to port again
(codegen/README.md: a three-way merge against codegen/upstream/).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import openapi_python_client
import pytest

from enterprise3d_devkit.repo.layout import CODEGEN, GENERATED, RUNTIME, RUNTIME_FILES

OVERRIDES = sorted((CODEGEN / "overrides").rglob("*.jinja"))
PRISTINE = sorted((CODEGEN / "upstream").rglob("*.jinja"))
INSTALLED = Path(openapi_python_client.__file__).parent / "templates"


def relative(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_every_override_has_its_pristine_upstream_template_beside_it() -> None:
    assert OVERRIDES
    assert relative(OVERRIDES, CODEGEN / "overrides") == relative(PRISTINE, CODEGEN / "upstream")


@pytest.mark.parametrize("pristine", PRISTINE, ids=lambda p: p.name)
def test_pristine_copy_equals_the_installed_generators_template(pristine: Path) -> None:
    name = pristine.relative_to(CODEGEN / "upstream")
    installed = INSTALLED / name
    assert installed.is_file(), f"the generator has no {name} any more"
    assert pristine.read_bytes() == installed.read_bytes(), (
        f"upstream {name} changed in the installed generator: port codegen/overrides/{name} "
        "(three-way merge, codegen/README.md), then copy the new template into codegen/upstream/"
    )


@pytest.mark.parametrize("override", OVERRIDES, ids=lambda p: p.name)
def test_override_says_why_and_differs_from_upstream(override: Path) -> None:
    text = override.read_text(encoding="utf-8")
    name = override.relative_to(CODEGEN / "overrides").as_posix()
    assert text.startswith("{#"), "every override starts with a comment saying why it exists"
    assert re.search(r"pristine copy:\s*(\.\./)+upstream/" + re.escape(name), text), "it names its pristine template"
    assert text != (CODEGEN / "upstream" / name).read_text(encoding="utf-8")


def diff_lines(override: Path) -> int:
    """How many lines an override adds or removes against its pristine upstream template."""
    name = override.relative_to(CODEGEN / "overrides")
    upstream = (CODEGEN / "upstream" / name).read_text(encoding="utf-8").splitlines()
    ours = override.read_text(encoding="utf-8").splitlines()
    diff = difflib.unified_diff(upstream, ours, n=0, lineterm="")
    return sum(1 for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---")))


def test_the_overrides_stay_small_as_the_maintainers_page_lists_them() -> None:
    """The maintainers' table of the overrides' diff sizes is what they are (a port to a new generator release is a
    three-way merge per override: small diffs merge cleanly); an addition, which has no upstream copy, counts whole."""
    page = CODEGEN.parent / "docs" / "maintainers" / "overrides-and-dependencies.md"
    table = page.read_text(encoding="utf-8")
    sizes = {override.relative_to(CODEGEN / "overrides").as_posix(): diff_lines(override) for override in OVERRIDES}
    for addition in sorted((CODEGEN / "additions").rglob("*.jinja")):
        sizes[addition.relative_to(CODEGEN).as_posix()] = len(addition.read_text(encoding="utf-8").splitlines())
    for name, size in sizes.items():
        row = re.search(rf"^\| `{re.escape(name)}`[^|]* \| [^|]* \| (\d+) \|", table, re.MULTILINE)
        assert row, f"{page.name} lists no size for {name}"
        assert int(row.group(1)) == size, f"{name}: {page.name}'s size is out of date ({size} now)"
    total = re.search(r"^\| \*\*total\*\* \| [^|]* \| \*\*(\d+)\*\* \|", table, re.MULTILINE)
    assert total and int(total.group(1)) == sum(sizes.values()), f"{page.name}: the total is {sum(sizes.values())}"


@pytest.mark.parametrize("module", RUNTIME_FILES, ids=lambda p: p.as_posix())
def test_the_runtime_is_shipped_byte_for_byte(module: Path) -> None:
    assert (GENERATED / module).read_bytes() == (RUNTIME / module).read_bytes(), "run `make generate`"
