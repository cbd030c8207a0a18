"""The overlay's corrections are the vendor's own facts: checked against its pages (copies in
tests/fixtures/vendor/pages/), not restated here.

- every body attribute of the enterprise text-to-3d and image-to-3d pages is a field of its operation's request
  schema, required as the page says, with the page's default (the page wins over the v6 document);
- the answers the pages show -- the quickstart's queued job (a string id), the webhooks page's payloads -- parse
  strictly into the generated models;
- every action says where its correction comes from.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from enterprise3d_devkit.repo.layout import REPO
from enterprise3d_devkit.spec.loading import object_schema
from enterprise3d_devkit.spec.operations import server_base_url
from modelslab_enterprise_3d import Client, parse_webhook
from tests.support.contract_checks import module_for
from tests.support.generation import GENERATING, fetching
from tests.support.spec_cases import OPERATIONS, SPEC
from tests.support.vendor import VENDOR_PAGES

PAGES = VENDOR_PAGES
PARAM = re.compile(r'<ParamField query="(?P<name>\w+)" type="(?P<type>\w+)"(?P<attrs>[^>]*)>')
ENDPOINT = re.compile(r"--request POST '(?P<url>[^']+)'")


def page_fields(page: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    """(the operation label the page documents, its body attributes: name -> required, default)."""
    text = page.read_text(encoding="utf-8")
    url = ENDPOINT.search(text)
    assert url, f"{page.name} names no endpoint"
    label = "POST " + url["url"].removeprefix(server_base_url(SPEC))
    fields = {}
    for match in PARAM.finditer(text):
        default = re.search(r'default="([^"]*)"', match["attrs"])
        fields[match["name"]] = {"required": " required" in match["attrs"], "default": default and default[1]}
    return label, fields


def as_page_writes_it(value: Any) -> str:
    """A schema default as the page's ParamField writes it ("false", "0.90", "8192")."""
    return str(value).lower() if isinstance(value, bool) else str(value)


GENERATION_PAGES = sorted(PAGES.glob("enterprise-3d-*-to-3d.mdx"))


@pytest.mark.parametrize("page", GENERATION_PAGES, ids=lambda p: p.stem)
def test_every_body_attribute_of_the_page_is_in_the_request_schema_as_the_page_says(page: Path) -> None:
    label, fields = page_fields(page)
    (op,) = [op for op in OPERATIONS if op.label == label]
    schema = object_schema(op.request_schema or {})
    properties, required = schema.get("properties") or {}, set(schema.get("required") or [])
    assert fields, f"{page.name} has no body attributes"
    for name, fact in fields.items():
        assert name in properties, f"{label}: the page's {name!r} is not in the request schema"
        assert (name in required) == fact["required"], f"{label}: {name!r} required as the page says"
        if fact["default"] and fact["required"] and "default" not in properties[name]:
            continue  # a required text's "default" on the page is the form's placeholder (the prompt's), not sent
        if fact["default"]:  # (the page gives no default, or an empty one, for some: nothing to compare)
            assert "default" in properties[name], f"{label}: {name!r} has no default; the page says {fact['default']!r}"
            assert same_default(properties[name]["default"], fact["default"]), (
                f"{label}: {name!r} defaults to {properties[name]['default']!r}, the page says {fact['default']!r}"
            )


def same_default(value: Any, written: str) -> bool:
    """Whether a schema default is what the page writes: numbers by value ("0.90" is 0.9), others as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return re.fullmatch(r"-?[\d.]+", written) is not None and float(written) == float(value)
    return as_page_writes_it(value) == written


def test_the_pages_queued_answer_parses_strictly_with_its_string_id() -> None:
    quickstart = (PAGES / "quickstart.mdx").read_text(encoding="utf-8")
    examples = [json.loads(block) for block in re.findall(r"```json\n(\{.*?\})\n```", quickstart, re.S)]
    (queued,) = [body for body in examples if body.get("status") == "processing"]
    assert isinstance(queued["id"], str)
    for op in {fetching(op).label: fetching(op) for op in GENERATING}.values():
        response = httpx.Response(200, json=queued)
        parsed = module_for(op)._parse_response(
            client=Client(base_url="http://x", strict_response_validation=True), response=response
        )
        assert parsed is not None and parsed.id == queued["id"] and parsed.eta == queued["eta"]


def test_the_webhooks_pages_payloads_parse_strictly() -> None:
    text = (PAGES / "webhooks.mdx").read_text(encoding="utf-8")
    payloads = [json.loads(block) for block in re.findall(r"```json\n(\{.*?\})\n```", text, re.S)]
    statuses = [p for p in payloads if p.get("status") in ("success", "failed")]
    assert {p["status"] for p in statuses} == {"success", "failed"}
    for payload in statuses:
        parsed = parse_webhook(json.dumps(payload), strict_response_validation=True)
        assert parsed.status.value == payload["status"] and parsed.id == payload["id"]


def test_every_overlay_action_says_where_its_correction_comes_from() -> None:
    overlay = yaml.safe_load((REPO / "openapi.overlay.yaml").read_text(encoding="utf-8"))
    for action in overlay["actions"]:
        description = action["description"]
        assert description.startswith("...") or re.search(r"\b(page|pages|document)\b", description), description


BODY_PARAM = re.compile(r'<ParamField body="(?P<name>\w+)" type="(?P<type>\w+)"(?P<attrs>[^>]*)>')
GENERAL_PAGES = sorted(PAGES.glob("enterprise-general-*-s3*.mdx"))


@pytest.mark.parametrize("page", GENERAL_PAGES, ids=lambda p: p.stem)
def test_the_s3_pages_operations_are_at_their_urls_with_their_body_attributes(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    url = ENDPOINT.search(text)
    assert url, f"{page.name} names no endpoint"
    # with the default base URL (the document's server), the operation's URL is the page's
    served = {str(httpx.URL(server_base_url(SPEC) + op.prefix + op.path)): op for op in OPERATIONS}
    op = served[url["url"]]
    assert op.prefix, "it is served from a server of its own, not the document's"
    schema = object_schema(op.request_schema or {})
    properties, required = schema.get("properties") or {}, set(schema.get("required") or [])
    fields = {m["name"]: " required" in m["attrs"] for m in BODY_PARAM.finditer(text)}
    assert fields and set(fields) == set(properties), (fields, list(properties))
    assert {name for name, needed in fields.items() if needed} == required
    # deploy_type: the page's default is another server's; this client's is the 3D server's, one of the page's options
    options = re.search(r'<ParamField body="deploy_type".*?</ParamField>', text, re.S)
    assert options and f"`{properties['deploy_type']['default']}`" in options[0]
