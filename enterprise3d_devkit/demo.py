"""`make demo`: the generated client against a local spec-driven mock of the API, over real HTTP.

Starts enterprise3d_devkit/mock_server.py on a free loopback port, calls clear_queue three ways -- a success,
a documented 401 (asked for with the mock's `Prefer: code=401` header) and a request the spec
rejects -- prints the typed results, and stops the server whatever happens.
"""

from __future__ import annotations

import sys
import time

from enterprise3d_devkit.mock_server import running_mock_server
from modelslab_enterprise_3d import Client
from modelslab_enterprise_3d.api.server_management import clear_queue
from modelslab_enterprise_3d.models import ApiKeyRequest, ClearActionResponse, ErrorResponse
from modelslab_enterprise_3d.types import Response


def show(title: str, response: Response[ClearActionResponse | ErrorResponse]) -> None:
    parsed = response.parsed
    print(f"\n{title}\n  HTTP {response.status_code.value} {response.status_code.phrase}")
    if isinstance(parsed, ClearActionResponse):
        verdict = "cleared" if parsed.status.value == "success" else "NOT cleared (200 with status=error)"
        print(f"  ClearActionResponse: status={parsed.status.value!r} ({verdict}) message={parsed.message!r}")
    elif isinstance(parsed, ErrorResponse):
        print(f"  ErrorResponse: status={parsed.status.value!r} message={parsed.message!r}")
        if isinstance(parsed.error_code, str):
            print(f"    error_code={parsed.error_code!r}")
    else:
        print(f"  not parsed; raw body: {response.content[:200]!r}")
    if parsed is not None:
        print(f"  repr: {parsed!r}")


def main() -> int:
    started = time.perf_counter()
    with running_mock_server() as base_url:
        print(f"Mock server (spec: openapi.yaml) up at {base_url} in {time.perf_counter() - started:.2f} s")
        with Client(base_url=base_url) as client:
            body = ApiKeyRequest(key="demo-enterprise-key")
            show("1. clear_queue: success", clear_queue.sync_detailed(client=client, body=body))
            unauthorized = client.with_headers({"Prefer": "code=401"})
            show(
                "2. clear_queue: 401 asked for with 'Prefer: code=401'",
                clear_queue.sync_detailed(client=unauthorized, body=body),
            )
            # A key that is not a string (the type checker would stop this; a buggy caller might not):
            # the mock validates every request against the spec and names the violation.
            invalid = ApiKeyRequest(key=12345)  # type: ignore[arg-type]
            show(
                "3. clear_queue: a request the spec rejects",
                clear_queue.sync_detailed(client=client, body=invalid),
            )
    print("\nMock server stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
