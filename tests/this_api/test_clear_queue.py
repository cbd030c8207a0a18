"""clear_queue, by name: what the README promises about it holds for the generated client."""

from __future__ import annotations

import httpx

from enterprise3d_devkit.spec.instances import response_instance
from modelslab_enterprise_3d.api.server_management import clear_queue
from modelslab_enterprise_3d.models import ClearActionResponse, ClearActionResponseStatus
from tests.support.contract_checks import Recorder, call, call_kwargs
from tests.support.spec_cases import OPERATIONS, SPEC

CLEAR_QUEUE = next(op for op in OPERATIONS if op.module == clear_queue.__name__)


def test_a_200_with_status_error_is_a_clear_action_response_with_status_error() -> None:
    """The vendor documents it: callers must check `status` even on a 200 (README: "A 200 whose status is error")."""
    schema = CLEAR_QUEUE.responses[200].schema or {}
    assert "error" in schema["properties"]["status"]["enum"], "the spec no longer allows status=error on a 200"
    assert CLEAR_QUEUE.responses[200].model == ClearActionResponse.__name__
    body = {**response_instance(CLEAR_QUEUE, 200), "status": "error"}
    recorder = Recorder(SPEC, lambda request: httpx.Response(200, json=body))
    parsed = call("sync", clear_queue, recorder.client(), call_kwargs(CLEAR_QUEUE, clear_queue)[0])
    assert isinstance(parsed, ClearActionResponse)
    assert parsed.status is ClearActionResponseStatus.ERROR
