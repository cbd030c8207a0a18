"""End to end, over real HTTP: the generated client -- its functions and the high-level Enterprise3D -- against
`api_base_url`.

By default that is the embedded mock (started once per test process); `make test-live` points it at a real
server (TEST_API_BASE_URL, key from MODELSLAB_API_KEY). Against a real server, operations that change its state
(codegen/operations.yaml) run only with TEST_API_ALLOW_WRITES=1 -- the generating ones among them, which cost
credits -- and the tests that need the mock's `Prefer: code=NNN` are skipped.

A plan queues only a few jobs at once (the vendor's smallest, five): the suite stays within that limit as a batch
does. Each job it queues is waited for to its end before the test is over, and a generating request refused with
429 (nothing was queued) is sent again after the wait the server asks for.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from enterprise3d_devkit.harness.calls import method_arguments, method_name
from enterprise3d_devkit.spec.operation_table import load_table
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import Enterprise3D, errors
from modelslab_enterprise_3d.core.answers import job_id_of, refusal_delay, retry_after_seconds
from tests.support.contract_checks import call_kwargs, check_parsed, keyed_client, module_for
from tests.support.generation import FAST_POLLS, GENERATING, and_wait
from tests.support.high_level import fits, success_models
from tests.support.spec_cases import DOCUMENTED, OPERATIONS, case_ids, op_id, plans, secret_fields

WRITES_ALLOWED = os.environ.get("TEST_API_ALLOW_WRITES") == "1"
# Seconds a generating request may wait for a place in the plan's queue, and its job for its end.
QUEUE_WAIT = 600.0
T = TypeVar("T")


def until_taken(send: Callable[[], T]) -> T:
    """`send()` (a generating request) until the server takes it: a 429 says the plan's queue is full and nothing
    was queued, so the request is sent again after the wait the server asks for (as a batch waits), within
    QUEUE_WAIT. Any other answer or error is the outcome."""
    deadline = time.monotonic() + QUEUE_WAIT
    for attempt in itertools.count(1):
        try:
            outcome = send()
        except errors.RateLimitError as refused:
            asked: float | None = refused.retry_after
            if time.monotonic() + refusal_delay(attempt, asked) > deadline:
                raise
        else:
            if getattr(outcome, "status_code", None) != 429:
                return outcome
            answer = httpx.Response(
                429, headers=getattr(outcome, "headers", {}), content=getattr(outcome, "content", b"")
            )
            asked = retry_after_seconds(answer)
            if time.monotonic() + refusal_delay(attempt, asked) > deadline:
                return outcome
        time.sleep(refusal_delay(attempt, asked))
    raise AssertionError("unreachable")


def wait_for_own_job(op: Operation, answer: object, api_base_url: str, api_key: str, live: bool) -> None:
    """The job a generating operation's answer queued, waited for to its end (done or failed), so that the suite
    never holds more of the plan's queue than one job."""
    job = job_id_of(answer)
    wait = plans().by_label()[op.label].wait
    if job is None or wait is None:
        return
    with Enterprise3D(api_key=api_key, base_url=api_base_url) as client:
        if not live:
            client._poll_interval = FAST_POLLS  # type: ignore[misc]
        with contextlib.suppress(errors.GenerationFailedError):  # (its end too)
            getattr(client, wait)(job, timeout=QUEUE_WAIT)


def kwargs_with_key(op: Operation, api_key: str) -> dict[str, Any]:
    """Arguments built from the spec, with the caller's key in every credential field of the body."""
    overlay = {name: api_key for name in secret_fields(op.request_schema)}
    kwargs, _ = call_kwargs(op, module_for(op), overlay)
    return kwargs


def skip_unless_allowed(op: Operation, live: bool) -> None:
    """Against a real server, a state-changing operation (or one the table does not name) needs the opt-in."""
    if not live or WRITES_ALLOWED:
        return
    policy = load_table().get(op.label)
    if policy is None or policy.changes_state:
        why = "is not in codegen/operations.yaml" if policy is None else f"changes server state ({policy.why})"
        pytest.skip(f"{op.label} {why}: set TEST_API_ALLOW_WRITES=1 to run it")


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_each_operation_answers_a_documented_status_that_parses(
    op: Operation, api_base_url: str, api_key: str, live: bool
) -> None:
    skip_unless_allowed(op, live)
    module = module_for(op)
    kwargs = kwargs_with_key(op, api_key)
    with keyed_client(api_base_url, api_key, [op]) as client:
        response = until_taken(lambda: module.sync_detailed(client=client, **kwargs))
    wait_for_own_job(op, response.parsed, api_base_url, api_key, live)
    assert response.status_code in op.responses, f"undocumented HTTP {response.status_code}: {response.content[:300]!r}"
    check_parsed(op, response.status_code, response.parsed)
    if not live:
        assert response.status_code == op.default_status()

    async def run() -> Any:
        async with keyed_client(api_base_url, api_key, [op]) as async_client:
            return await module.asyncio_detailed(client=async_client, **kwargs)

    detailed = until_taken(lambda: asyncio.run(run()))
    wait_for_own_job(op, detailed.parsed, api_base_url, api_key, live)
    assert detailed.status_code in op.responses
    check_parsed(op, detailed.status_code, detailed.parsed)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_each_high_level_method_returns_its_model_or_raises_a_documented_error(
    op: Operation, api_base_url: str, api_key: str, live: bool
) -> None:
    skip_unless_allowed(op, live)
    # One request a call (retries are tested in high_level/): a dead server fails the call at once.
    with Enterprise3D(api_key=api_key, base_url=api_base_url, max_retries=0) as client:
        method = getattr(client, method_name(op))
        positional, kwargs = method_arguments(op, method, kwargs_with_key(op, api_key))
        try:
            result = until_taken(lambda: method(*positional, **kwargs))
            wait_for_own_job(op, result, api_base_url, api_key, live)
        except errors.OperationFailedError:  # a valid answer: HTTP 2xx saying "status": "error"
            return
        except errors.APIStatusError as error:  # a real server may refuse a spec-built id: a documented refusal
            assert live and error.status_code in op.responses, error
            return
    models = success_models(op)
    assert fits(result, models) if models else result is None


@pytest.mark.mock_only
@pytest.mark.parametrize(("op", "status"), DOCUMENTED, ids=case_ids(DOCUMENTED))
def test_every_documented_status_sync_and_async(op: Operation, status: int, api_base_url: str, api_key: str) -> None:
    module = module_for(op)
    kwargs = kwargs_with_key(op, api_key)
    with keyed_client(api_base_url, api_key, [op], headers={"Prefer": f"code={status}"}) as client:
        response = module.sync_detailed(client=client, **kwargs)
        assert response.status_code == status
        check_parsed(op, status, response.parsed)
        if op.parses_bodies:
            check_parsed(op, status, module.sync(client=client, **kwargs))

    async def run() -> tuple[Any, Any]:
        async with keyed_client(api_base_url, api_key, [op], headers={"Prefer": f"code={status}"}) as async_client:
            detailed = await module.asyncio_detailed(client=async_client, **kwargs)
            parsed = await module.asyncio(client=async_client, **kwargs) if op.parses_bodies else detailed.parsed
            return detailed, parsed

    detailed, parsed = asyncio.run(run())
    assert detailed.status_code == status
    check_parsed(op, status, detailed.parsed)
    check_parsed(op, status, parsed)


@pytest.mark.mock_only
@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_an_undocumented_status_is_none_from_sync_and_visible_in_detailed(
    op: Operation, api_base_url: str, api_key: str
) -> None:
    status = next(s for s in (429, 503, 402, 418) if s not in op.responses)
    module = module_for(op)
    kwargs = kwargs_with_key(op, api_key)
    with keyed_client(api_base_url, api_key, [op], headers={"Prefer": f"code={status}"}) as client:
        response = module.sync_detailed(client=client, **kwargs)
        if op.parses_bodies:
            assert module.sync(client=client, **kwargs) is None
    assert response.status_code == status and response.parsed is None
    assert json.loads(response.content)["status"] == "error"


@pytest.mark.mock_only  # 200 calls at once: never against a real server
def test_200_concurrent_async_calls_through_one_client(api_base_url: str, api_key: str) -> None:
    op = OPERATIONS[0]
    module = module_for(op)
    kwargs = kwargs_with_key(op, api_key)

    async def run() -> list[Any]:
        async with keyed_client(api_base_url, api_key, [op]) as client:
            return await asyncio.gather(*(module.asyncio_detailed(client=client, **kwargs) for _ in range(200)))

    responses = asyncio.run(run())
    assert len(responses) == 200
    assert all(r.status_code == op.default_status() for r in responses)
    for response in responses:
        check_parsed(op, op.default_status(), response.parsed)


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_a_generation_is_submitted_waited_for_and_its_files_saved(
    op: Operation, api_base_url: str, api_key: str, live: bool, tmp_path: Path
) -> None:
    """What the API is for, end to end: <operation>_and_wait, then download. Against a real server only with
    TEST_API_ALLOW_WRITES=1: a generation costs credits."""
    skip_unless_allowed(op, live)
    seen: list[Any] = []
    # One request a call, as above: a dead server fails the generation at once (the waits' retries: high_level/).
    with Enterprise3D(api_key=api_key, base_url=api_base_url, max_retries=0) as client:
        if not live:
            client._poll_interval = FAST_POLLS  # type: ignore[misc]
        result = until_taken(lambda: and_wait(client, op)(timeout=QUEUE_WAIT if live else 30, on_update=seen.append))
        saved = client.download(result, tmp_path)
    assert seen and seen[-1] is result
    assert saved and all(path.is_file() and path.stat().st_size > 0 for path in saved)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(path.name for path in saved)
