"""Waiting for a job, as the runtime decides it: the pacing of polls, what an answer says of the job, the deadline."""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from codegen.runtime import errors
from codegen.runtime.core import answers as _answers
from codegen.runtime.core import transports as _transports
from codegen.runtime.core import vendor_facts as _vendor_facts
from codegen.runtime.runs import jobs as _jobs


@dataclass
class Answer:
    status: Any
    id: Any = None
    eta: Any = None


def test_a_poll_waits_the_eta_within_the_floor_and_the_cap_lengthened_by_the_jitter_only() -> None:
    for eta, expected in ((7.0, 7.0), (0.01, 0.5), (120.0, 30.0)):
        low = _jobs.poll_delay(Answer("processing", 1, eta), waited=0.0, draw=lambda: 0.0)
        high = _jobs.poll_delay(Answer("processing", 1, eta), waited=0.0, draw=lambda: 1.0)
        assert low == expected and high == min(expected * (1 + _jobs.JITTER), _jobs.MAX_POLL_INTERVAL)


@pytest.mark.parametrize("eta", [None, 0, -3, "15", True, float("nan"), float("inf")])
def test_without_a_usable_eta_a_poll_comes_after_a_share_of_the_time_waited(eta: Any) -> None:
    answer = Answer("processing", 1, eta)
    assert _jobs.poll_delay(answer, waited=100.0, draw=lambda: 0.0) == 100.0 * _jobs.NO_ETA_SHARE
    assert _jobs.poll_delay(answer, waited=1.0, draw=lambda: 0.0) == _jobs.MIN_POLL_INTERVAL
    assert _jobs.poll_delay(answer, waited=10_000.0, draw=lambda: 0.0) == _jobs.MAX_POLL_INTERVAL


@pytest.mark.parametrize(("value", "expected"), [(12202888, "12202888"), ("abc-1", "abc-1"), (True, None), ("", None)])
def test_a_job_id_is_an_integer_or_a_string_as_text(value: Any, expected: str | None) -> None:
    assert _answers.job_id_of(Answer("processing", value)) == expected


def test_a_wait_knows_the_result_keeps_the_last_id_and_needs_one() -> None:
    job = _jobs.JobWait("fetch (POST /fetch/{id})", 10)
    assert not job.done(Answer("processing", 7, 3))
    assert not job.done(Answer("a-status-added-later"))  # no id: the last one stands
    assert job.id == "7"
    assert job.done(Answer(_vendor_facts.SUCCESS_STATUS))
    with pytest.raises(errors.APIError, match="no job id"):
        _jobs.JobWait("w", 10).done(Answer("processing"))


def test_the_last_delay_ends_at_the_deadline_and_then_the_wait_times_out_with_what_resumes_it() -> None:
    job = _jobs.JobWait("w", 0.05, id=3)
    job.last = Answer("processing", 3, 60)
    assert job.next_delay(0.5, 30.0) <= 0.05
    time.sleep(0.06)
    with pytest.raises(errors.GenerationTimeoutError) as caught:
        job.next_delay(0.5, 30.0)
    assert caught.value.id == "3" and caught.value.last is job.last and "goes on on the server" in str(caught.value)
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.id, str(again)) == ("3", str(caught.value))


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), "5", True])
def test_a_wait_timeout_is_a_positive_finite_number(timeout: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        _jobs.check_wait_timeout(timeout)


def test_every_phase_of_a_request_timeout_is_cut_to_the_time_left() -> None:
    cut = _transports.bounded_timeout(httpx.Timeout(60.0, connect=5.0), 2.0)
    assert (cut.connect, cut.read, cut.write, cut.pool) == (2.0, 2.0, 2.0, 2.0)
    assert _transports.bounded_timeout(None, 3.0).read == 3.0
    assert _transports.bounded_timeout(1.0, 3.0).read == 1.0


def test_a_failed_generation_keeps_the_failure_and_its_id() -> None:
    response = httpx.Response(200, json={"status": "failed", "message": "out of memory"})
    failure = errors.OperationFailedError("fetch (POST /fetch/{id})", response, {"message": "out of memory"})
    failed = errors.GenerationFailedError(failure, "9")
    assert isinstance(failed, errors.OperationFailedError) and failed.id == "9" and failed.message == "out of memory"
    assert "generation 9 failed: out of memory" in str(failed)
    assert str(pickle.loads(pickle.dumps(failed))) == str(failed)
