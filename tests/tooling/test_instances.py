"""enterprise3d_devkit.spec.instances on the defects vendors publish: examples that break their own schema are found
(with their JSONPath) and never used; values are built from the constraints instead."""

from __future__ import annotations

import re
from typing import Any

from enterprise3d_devkit.spec.instances import example_findings, is_valid, valid_instance

PATTERN = r"^data:model\/[a-z]+;base64,[A-Za-z0-9+\/]+=*$"


def vendor_like_spec(version: str) -> dict[str, Any]:
    """A document with the vendor's kinds of broken examples: a pattern the example misses, a renamed required
    field in a media-type example, a default outside its enum."""
    upload = {
        "type": "object",
        "required": ["key", "init_obj"],
        "properties": {
            "key": {"type": "string"},
            "init_obj": {"type": "string", "pattern": PATTERN, "example": "https://example.com/model.glb"},
            "format": {"type": "string", "enum": ["glb", "obj"], "default": "fbx"},
        },
    }
    media = {"schema": {"$ref": "#/components/schemas/Upload"}, "example": {"api_key": "k", "init_obj": "x"}}
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/upload": {"post": {"requestBody": {"content": {"application/json": media}}, "responses": {}}}},
        "components": {"schemas": {"Upload": upload}},
    }


def test_each_broken_example_is_a_finding_with_its_json_path() -> None:
    for version in ("3.0.3", "3.1.0"):
        findings = example_findings(vendor_like_spec(version))
        assert any("$['components']['schemas']['Upload']['properties']['init_obj']['example']" in f for f in findings)
        assert any("$['components']['schemas']['Upload']['properties']['format']['default']" in f for f in findings)
        assert any("['content']['application/json']['example']" in f for f in findings)
        assert len(findings) == 3, findings


def test_values_are_built_from_the_schema_when_its_example_is_broken() -> None:
    for version in ("3.0.3", "3.1.0"):
        schema = vendor_like_spec(version)["components"]["schemas"]["Upload"]
        value = valid_instance(schema, version)
        assert is_valid(value, schema, version)
        assert re.match(PATTERN, value["init_obj"]), "the pattern is satisfied, the broken example is not used"
        assert value["format"] in ("glb", "obj")


def test_a_valid_example_is_preferred() -> None:
    schema = {"type": "string", "pattern": "^[A-Z]{3}$", "example": "ABC"}
    assert valid_instance(schema) == "ABC"


def test_nullable_inside_one_of_is_valid_null() -> None:
    """3.0's nullable in a oneOf branch (openapi-core#277 rejects it): the builder's validator accepts the null."""
    branch = {"type": "object", "properties": {"image": {"type": "string", "nullable": True}}}
    schema = {"oneOf": [branch, {"type": "string"}]}
    assert is_valid({"image": None}, schema, "3.0.3")
    assert not is_valid({"image": 5}, schema, "3.0.3")
