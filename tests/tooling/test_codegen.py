"""codegen/: the overrides are ports of the pinned generator's own templates, kept beside pristine copies of them.

If a generator upgrade changes an upstream template, this fails and says which override to port again
(codegen/README.md: a three-way merge against codegen/upstream/).
"""

from __future__ import annotations

from pathlib import Path

import openapi_python_client
import pytest

from enterprise3d_devkit.layout import CODEGEN, GENERATED

OVERRIDES = sorted((CODEGEN / "overrides").glob("*.jinja"))
PRISTINE = sorted((CODEGEN / "upstream").glob("*.jinja"))
INSTALLED = Path(openapi_python_client.__file__).parent / "templates"


def test_every_override_has_its_pristine_upstream_template_beside_it() -> None:
    assert OVERRIDES
    assert [p.name for p in OVERRIDES] == [p.name for p in PRISTINE]


@pytest.mark.parametrize("pristine", PRISTINE, ids=lambda p: p.name)
def test_pristine_copy_equals_the_installed_generators_template(pristine: Path) -> None:
    installed = INSTALLED / pristine.name
    assert installed.is_file(), f"the generator has no {pristine.name} any more"
    assert pristine.read_bytes() == installed.read_bytes(), (
        f"upstream {pristine.name} changed in the installed generator: port codegen/overrides/{pristine.name} "
        "(three-way merge, codegen/README.md), then copy the new template into codegen/upstream/"
    )


@pytest.mark.parametrize("override", OVERRIDES, ids=lambda p: p.name)
def test_override_says_why_and_differs_from_upstream(override: Path) -> None:
    text = override.read_text(encoding="utf-8")
    assert text.startswith("{#"), "every override starts with a comment saying why it exists"
    assert f"../upstream/{override.name}" in text, "the header names the pristine template it was ported from"
    assert text != (CODEGEN / "upstream" / override.name).read_text(encoding="utf-8")


def test_verbatim_python_is_included_not_copied() -> None:
    """errors.py is checked by ruff and mypy where it lives; the generated module is that file (plus the marker)."""
    source = (CODEGEN / "overrides" / "errors.py").read_text(encoding="utf-8")
    assert '{% include "errors.py" %}' in (CODEGEN / "overrides" / "errors.py.jinja").read_text(encoding="utf-8")
    assert (GENERATED / "errors.py").read_text(encoding="utf-8").endswith(source)
