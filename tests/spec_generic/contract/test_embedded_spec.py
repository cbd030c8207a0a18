"""The package carries the spec it was generated from (the vendor's document with its overlay), read offline."""

from __future__ import annotations

import importlib.resources
import json

import modelslab_enterprise_3d
from tests.support.spec_cases import SPEC


def test_the_package_carries_the_effective_spec_it_was_generated_from() -> None:
    embedded = json.loads(
        importlib.resources.files(modelslab_enterprise_3d).joinpath("openapi.json").read_text(encoding="utf-8")
    )
    assert embedded == json.loads(json.dumps(SPEC, default=str))
