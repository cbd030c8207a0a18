"""parse_webhook reads the vendor's webhook calls -- every payload schema the spec marks as one -- from bytes, text
or a decoded mapping into its typed model; a body that is none of them is an InvalidResponse."""

from __future__ import annotations

import json

import pytest

import modelslab_enterprise_3d
import modelslab_enterprise_3d.models
from enterprise3d_devkit.generation.template_data import WEBHOOK_MARK, webhook_schemas
from enterprise3d_devkit.spec.instances import valid_instance
from modelslab_enterprise_3d import InvalidResponse
from tests.support.spec_cases import SPEC

PAYLOADS = [ref.rsplit("/", 1)[1] for ref in webhook_schemas(SPEC)]
pytestmark = pytest.mark.skipif(not PAYLOADS, reason=f"the spec marks no schema {WEBHOOK_MARK}")


@pytest.mark.parametrize("name", PAYLOADS)
def test_each_payload_parses_from_bytes_text_and_a_mapping(name: str) -> None:
    schema = SPEC["components"]["schemas"][name]
    body = valid_instance(schema, SPEC["openapi"])
    model = getattr(modelslab_enterprise_3d.models, name)
    for given in (json.dumps(body).encode(), json.dumps(body), body):
        parsed = modelslab_enterprise_3d.parse_webhook(given, strict_response_validation=True)
        assert type(parsed) is model and parsed.to_dict() == body


@pytest.mark.parametrize("body", [b"not json", b"\xff\xfe", b"[1, 2]", b'{"status": 5}', b"{}"])
def test_a_body_that_is_no_payload_is_an_invalid_response(body: bytes) -> None:
    with pytest.raises(InvalidResponse) as caught:
        modelslab_enterprise_3d.parse_webhook(body)
    assert caught.value.content == body


def test_an_unknown_status_is_kept_by_default_and_refused_strictly() -> None:
    schema = SPEC["components"]["schemas"][PAYLOADS[0]]
    body = {**valid_instance(schema, SPEC["openapi"]), "status": "a-status-added-later"}
    assert modelslab_enterprise_3d.parse_webhook(body).status.is_known is False
    with pytest.raises(InvalidResponse):
        modelslab_enterprise_3d.parse_webhook(body, strict_response_validation=True)
