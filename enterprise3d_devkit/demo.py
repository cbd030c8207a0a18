"""`make demo`: the high-level client against a local spec-driven mock of the API, over real HTTP.

Starts enterprise3d_devkit/mock_server.py on a free loopback port, calls every operation of openapi.yaml once
through its Enterprise3D method (arguments built from the spec), then shows the typed exception of clear_queue's
documented 401 (asked for with the mock's `Prefer: code=401` header) and, one level down, a request the spec
rejects sent with the functional API; prints the typed results and stops the server whatever happens.
"""

from __future__ import annotations

import sys
import time

from enterprise3d_devkit.calls import call_arguments, generated_module, method_arguments, method_name
from enterprise3d_devkit.instances import request_instance
from enterprise3d_devkit.mock_server import running_mock_server
from enterprise3d_devkit.operations import operations
from enterprise3d_devkit.overlay import effective_spec
from modelslab_enterprise_3d import APIError, Client, Enterprise3D
from modelslab_enterprise_3d.api.server_management import clear_queue
from modelslab_enterprise_3d.models import ApiKeyRequest

DEMO_KEY = "demo-enterprise-key"


def show(result: object) -> None:
    if result is None:
        print("  -> None (the operation answers without a body)")
        return
    fields = result.to_dict() if hasattr(result, "to_dict") else result
    print(f"  -> {type(result).__name__}: {fields}")


def main() -> int:
    spec = effective_spec()
    started = time.perf_counter()
    with running_mock_server() as base_url:
        print(f"Mock server (spec: openapi.yaml) up at {base_url} in {time.perf_counter() - started:.2f} s")
        with Enterprise3D(api_key=DEMO_KEY, base_url=base_url) as client:
            print(f"{client!r}\n")
            for number, op in enumerate(operations(spec), start=1):
                method = getattr(client, method_name(op))
                positional, kwargs = method_arguments(
                    op, method, call_arguments(op, generated_module(op), request_instance(op))
                )
                shown = ", ".join([*map(repr, positional), *(f"{k}={v!r}" for k, v in kwargs.items())])
                print(f"{number}. {op.label} -> client.{method_name(op)}({shown})")
                try:
                    show(method(*positional, **kwargs))
                except APIError as exc:
                    print(f"  -> {type(exc).__name__}: {exc}")

            print("\nclear_queue, with the mock asked for its documented 401 ('Prefer: code=401'):")
            try:
                client.with_options(headers={"Prefer": "code=401"}).clear_queue()
            except APIError as exc:
                print(f"  -> {type(exc).__name__} (HTTP {getattr(exc, 'status_code', '?')}): {exc}")

        # One level down, the functional API returns what the server answered instead of raising. A key that is
        # not a string (the type checker would stop this; a buggy caller might not): the mock validates every
        # request against the spec and names the violation.
        with Client(base_url=base_url) as low_level:
            invalid = ApiKeyRequest(key=12345)  # type: ignore[arg-type]
            response = clear_queue.sync_detailed(client=low_level, body=invalid)
            print(f"\nclear_queue.sync_detailed with a request the spec rejects:\n  HTTP {response.status_code.value}")
            show(response.parsed)
    print("\nMock server stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
