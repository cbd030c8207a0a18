"""Waiting for a generation: <operation>_and_wait and wait_for_result, for every generating operation the reviewed
table names (its result column) -- the result returned, every answer reported, the deadline kept whatever the
server does, a failed job raised, answers the spec does not foresee survived, the async wait cancellable."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import (
    AsyncEnterprise3D,
    Enterprise3D,
    GenerationFailedError,
    GenerationTimeoutError,
    NotFoundError,
)
from modelslab_enterprise_3d.core.vendor_facts import (
    ERROR_STATUSES,
    JOB_ID_FIELD,
    OUTPUT_FIELD,
    PROCESSING_STATUS,
    SUCCESS_STATUS,
)
from tests.support.generation import GENERATING, and_wait, answer_body, client_on, is_fetch, json_answer, mock
from tests.support.high_level import no_sleep
from tests.support.servers import black_hole
from tests.support.spec_cases import op_id

pytestmark = pytest.mark.skipif(not GENERATING, reason="the spec has no generating operation")


def status(answer: object) -> object:
    value = getattr(answer, "status", None)
    return getattr(value, "value", value)


@pytest.mark.slow  # waits on the clock for a job
@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_and_wait_returns_the_result_and_reports_every_answer(op: Operation) -> None:
    seen: list[Any] = []
    with client_on(mock(job_seconds=0.15).handle) as client:
        started = time.monotonic()
        result = and_wait(client, op)(timeout=10, on_update=seen.append)
        waited = time.monotonic() - started
    assert status(result) == SUCCESS_STATUS and getattr(result, OUTPUT_FIELD), result
    assert status(seen[0]) != SUCCESS_STATUS, "the first answer is the queued job's"
    assert seen[-1] is result and all(status(a) != SUCCESS_STATUS for a in seen[:-1])
    assert getattr(seen[0], "eta", None) is not None, "the processing answer carries its eta"
    assert 0.15 <= waited < 0.15 + 0.5, f"result seen {waited - 0.15:.3f} s after the job was done"


@pytest.mark.slow  # waits on the clock for a job
@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_wait_for_result_resumes_from_an_id_and_an_unknown_id_is_not_found(op: Operation) -> None:
    handler = mock(job_seconds=0.1)
    with client_on(handler.handle) as client:
        queued = getattr(client, method_name(op))(*[], **and_wait_kwargs(client, op))
        job_id = getattr(queued, JOB_ID_FIELD)
        assert status(client.wait_for_result(job_id, timeout=10)) == SUCCESS_STATUS
        with pytest.raises(NotFoundError):
            client.wait_for_result(f"{job_id}-never-issued", timeout=10)


def and_wait_kwargs(client: Any, op: Operation) -> dict[str, Any]:
    from tests.support.high_level import method_arguments

    return method_arguments(op, getattr(client, method_name(op)))[1]


@pytest.mark.slow  # waits on the clock for a job
@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_a_job_that_never_finishes_ends_at_the_deadline_with_what_resumes_it(op: Operation) -> None:
    with client_on(mock(job_seconds=3600).handle) as client:
        started = time.monotonic()
        with pytest.raises(GenerationTimeoutError) as caught:
            and_wait(client, op)(timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 0.3 + 0.3
        error = caught.value
        assert error.id and status(error.last) not in (SUCCESS_STATUS, *ERROR_STATUSES) and error.polls >= 1
        assert isinstance(error, TimeoutError) and error.id in str(error)
        with pytest.raises(GenerationTimeoutError) as again:  # the id resumes the wait
            client.wait_for_result(error.id, timeout=0.1)
        assert again.value.id == error.id


@pytest.mark.slow
def test_the_deadline_holds_when_the_server_never_answers() -> None:
    with black_hole() as url, Enterprise3D(api_key="k", base_url=url, max_retries=5) as client:
        started = time.monotonic()
        with pytest.raises(GenerationTimeoutError):
            client.wait_for_result("1", timeout=0.5)
        assert time.monotonic() - started < 0.5 + 0.3, "a request of the wait outlived its deadline"


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
@pytest.mark.parametrize("failure", sorted(ERROR_STATUSES))
def test_a_failed_job_raises_with_the_vendors_message(op: Operation, failure: str) -> None:
    jobs = mock(job_seconds=3600)

    def handler(request: httpx.Request) -> httpx.Response:
        if is_fetch(op, request):
            return json_answer(answer_body(op, failure, message="Processing failed: out of GPU memory"))
        return jobs.handle(request)

    with client_on(handler, strict_response_validation=False) as client, pytest.raises(GenerationFailedError) as caught:
        and_wait(client, op)(timeout=10)
    assert caught.value.id and "out of GPU memory" in (caught.value.message or "")
    assert caught.value.id in str(caught.value)


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_an_integer_id_and_an_unknown_status_do_not_crash_the_wait(op: Operation) -> None:
    """The job is queued with an integer id (as the vendor's document shows them); its first fetch answers a status
    the spec does not list (and no id); the second, the result."""
    fetched: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if not is_fetch(op, request):
            return json_answer(answer_body(op, PROCESSING_STATUS, **{JOB_ID_FIELD: 12202888, "eta": 0}))
        fetched.append(request.url.path)
        if len(fetched) == 1:
            body = answer_body(op, "queued-somewhere-new", **{OUTPUT_FIELD: []})
            body.pop(JOB_ID_FIELD, None)
            return json_answer(body)
        return json_answer(answer_body(op, SUCCESS_STATUS, **{JOB_ID_FIELD: 12202888}))

    seen: list[Any] = []
    with client_on(handler, strict_response_validation=False) as client:
        result = and_wait(client, op)(timeout=10, on_update=seen.append)
    assert status(result) == SUCCESS_STATUS and getattr(result, JOB_ID_FIELD) == 12202888
    assert [status(a) for a in seen] == [PROCESSING_STATUS, "queued-somewhere-new", SUCCESS_STATUS]
    assert seen[1].status.is_known is False
    assert len(fetched) == 2 and all(path.endswith("/12202888") for path in fetched)


@pytest.mark.slow  # waits on the clock for a job
@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_the_async_wait_returns_the_result_and_awaits_a_coroutine_on_update(op: Operation) -> None:
    seen: list[Any] = []

    async def on_update(answer: Any) -> None:
        seen.append(answer)

    async def run() -> Any:
        async with client_on(mock(job_seconds=0.1).handle, asynchronous=True) as client:
            return await and_wait(client, op)(timeout=10, on_update=on_update)

    result = asyncio.run(run())
    assert status(result) == SUCCESS_STATUS and seen[-1] is result and len(seen) >= 2


@pytest.mark.slow  # waits on the clock for a job
@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_cancelling_the_async_wait_stops_it_at_once(op: Operation) -> None:
    jobs = mock(job_seconds=3600)

    async def run() -> float:
        async with client_on(jobs.handle, asynchronous=True) as client:
            client._poll_interval = (5.0, 5.0)  # asleep between polls when the cancel comes
            task = asyncio.create_task(and_wait(client, op)(timeout=60))
            await asyncio.sleep(0.1)
            before = jobs.requests_seen
            cancelled_at = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.1)
            assert jobs.requests_seen == before, "no poll after the cancel"
            return time.monotonic() - cancelled_at

    assert asyncio.run(run()) < 0.5


def test_a_wait_needs_a_positive_finite_timeout() -> None:
    with client_on(mock().handle) as client:
        for timeout in (0, -1, float("inf"), float("nan"), "10"):
            with pytest.raises(ValueError, match="timeout"):
                client.wait_for_result("1", timeout=timeout)


def test_both_clients_wait_alike() -> None:
    for name in ("wait_for_result", *(f"{method_name(op)}_and_wait" for op in GENERATING)):
        assert asyncio.iscoroutinefunction(getattr(AsyncEnterprise3D, name)), name
        assert not asyncio.iscoroutinefunction(getattr(Enterprise3D, name)), name


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_each_poll_goes_through_the_retrying_request_path(op: Operation) -> None:
    """A poll answered 503 (the vendor's "try again later") is retried, as the fetching operation is safe to
    repeat; the wait goes on to the result."""
    jobs = mock(job_seconds=0.05)
    refused: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if is_fetch(op, request) and not refused:
            refused.append(503)
            return httpx.Response(503, json={"status": "error", "message": "busy"})
        return jobs.handle(request)

    with client_on(handler) as client:
        delays: list[float] = []
        no_sleep(client, delays)  # the retry's backoff recorded instead of slept (the polls' pauses too)
        result = and_wait(client, op)(timeout=10)
    assert status(result) == SUCCESS_STATUS and refused == [503] and delays
