"""The template overrides are ports of the pinned generator's own templates: if a generator upgrade
changes an upstream template, this fails and says which override to port again."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import openapi_python_client
import pytest

from tests.helpers import REPO

OVERRIDES = sorted((REPO / "scripts" / "generator" / "templates").glob("*.jinja"))
UPSTREAM = Path(openapi_python_client.__file__).parent / "templates"


def test_there_are_overrides() -> None:
    assert OVERRIDES


@pytest.mark.parametrize("override", OVERRIDES, ids=lambda p: p.name)
def test_override_is_based_on_the_pinned_upstream_template(override: Path) -> None:
    text = override.read_text(encoding="utf-8")
    assert text.startswith("{#"), "every override starts with a comment saying why it exists"
    recorded = re.search(r"sha256 ([0-9a-f]{16})", text)
    assert recorded, "the header records the upstream template's sha256"
    upstream = UPSTREAM / override.name
    assert upstream.is_file(), f"the generator has no {override.name} any more"
    actual = hashlib.sha256(upstream.read_bytes()).hexdigest()[:16]
    assert actual == recorded[1], f"upstream {override.name} changed: port the override again, then update the hash"
    assert text != upstream.read_text(encoding="utf-8")
