"""`make demo`: the generated client against a local spec-driven mock of the API, over real HTTP.

Starts enterprise3d_devkit/mock_server.py on a free loopback port, calls every operation of openapi.yaml once
(through its generated module, with a body built from the spec), then shows clear_queue's documented 401
(asked for with the mock's `Prefer: code=401` header) and a request the spec rejects; prints the typed results
and stops the server whatever happens.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from enterprise3d_devkit.calls import call_arguments, generated_module
from enterprise3d_devkit.instances import request_instance
from enterprise3d_devkit.mock_server import running_mock_server
from enterprise3d_devkit.operations import operations
from enterprise3d_devkit.overlay import effective_spec
from modelslab_enterprise_3d import Client
from modelslab_enterprise_3d.api.server_management import clear_queue
from modelslab_enterprise_3d.models import ApiKeyRequest
from modelslab_enterprise_3d.types import Response

DEMO_KEY = "demo-enterprise-key"


def show(title: str, response: Response[Any]) -> None:
    parsed = response.parsed
    print(f"\n{title}\n  HTTP {response.status_code.value} {response.status_code.phrase}")
    if parsed is None:
        print(f"  no parsed body; raw: {response.content[:200]!r}")
        return
    fields = parsed.to_dict() if hasattr(parsed, "to_dict") else parsed
    print(f"  {type(parsed).__name__}: {fields}")
    status = getattr(parsed, "status", None)
    if getattr(status, "value", None) == "error" and response.status_code.value == 200:
        print("  NOTE: HTTP 200 but status=error: the operation did not succeed")


def main() -> int:
    spec = effective_spec()
    started = time.perf_counter()
    with running_mock_server() as base_url:
        print(f"Mock server (spec: openapi.yaml) up at {base_url} in {time.perf_counter() - started:.2f} s")
        with Client(base_url=base_url) as client:
            for number, op in enumerate(operations(spec), start=1):
                module = generated_module(op)
                body = request_instance(op)
                if isinstance(body, dict) and "key" in body:
                    body["key"] = DEMO_KEY
                kwargs = call_arguments(op, module, body)
                show(
                    f"{number}. {op.label} -> {module.__name__}.sync_detailed",
                    module.sync_detailed(client=client, **kwargs),
                )

            body = ApiKeyRequest(key=DEMO_KEY)
            unauthorized = client.with_headers({"Prefer": "code=401"})
            show(
                "clear_queue: a 401, asked for with 'Prefer: code=401'",
                clear_queue.sync_detailed(client=unauthorized, body=body),
            )
            # A key that is not a string (the type checker would stop this; a buggy caller might not):
            # the mock validates every request against the spec and names the violation.
            invalid = ApiKeyRequest(key=12345)  # type: ignore[arg-type]
            show("clear_queue: a request the spec rejects", clear_queue.sync_detailed(client=client, body=invalid))
    print("\nMock server stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
