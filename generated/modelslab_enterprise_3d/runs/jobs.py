"""Waiting for a generation: what the clients' wait_for_result and *_and_wait methods share.

A generating operation answers the result, or (usually) "processing" with the job's id and an eta; the operation
that fetches the result answers "processing" until the job is done. A wait polls it, paced by the answer's eta
(never sooner than a floor, never later than a cap, with jitter), until the result comes, the job fails, or the
wait's deadline passes -- and the deadline always holds: every request of the wait is bounded by what is left of it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from ..core import errors
from ..core.answers import eta_of, job_id_of, status_of
from ..core.vendor_facts import SUCCESS_STATUS

DEFAULT_WAIT_TIMEOUT = 600.0  # seconds: ten minutes, a generous bound for one 3D generation
# The pacing of polls, in seconds. Without an eta, the next poll comes after a tenth of the time waited so far, so
# that a result is seen within about 10% of the job's duration while a long job costs few polls.
MIN_POLL_INTERVAL = 0.5
MAX_POLL_INTERVAL = 30.0
NO_ETA_SHARE = 0.1
# Each delay is lengthened by up to 5%, so that many waiting clients do not poll in step; never shortened, as a poll
# before the eta is most likely wasted. (5% of the eta: a long job's result is seen well within 10% of its duration.)
JITTER = 0.05

OnUpdate = Callable[[Any], object]
# Called with the job's id as soon as the server has queued a generation, before the wait begins.
OnQueued = Callable[[str], object]


def poll_delay(
    answer: object,
    waited: float,
    minimum: float = MIN_POLL_INTERVAL,
    maximum: float = MAX_POLL_INTERVAL,
    draw: Callable[[], float] | None = None,
) -> float:
    """Seconds until the next poll after `answer`, `waited` seconds into the wait (`draw`: the jitter's uniform
    draw in [0, 1), random.random by default)."""
    if draw is None:
        import random  # only a client that waits pays for importing it

        draw = random.random
    eta = eta_of(answer)
    base = eta if eta else waited * NO_ETA_SHARE
    return min(max(base, minimum) * (1.0 + JITTER * draw()), maximum)


def check_wait_timeout(timeout: object) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < math.inf:
        raise ValueError(f"timeout must be a number of seconds > 0, not {timeout!r}")
    return float(timeout)


class JobWait:
    """One wait: its deadline, the job's id once known, the last answer, the polls made."""

    def __init__(self, operation: str, timeout: float, id: str | int | None = None) -> None:
        self.operation = operation
        self.timeout = check_wait_timeout(timeout)
        self.started = time.monotonic()
        self.deadline = self.started + self.timeout
        self.id = None if id is None else str(id)
        self.last: object = None
        self.polls = 0

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def done(self, answer: object) -> bool:
        """Take in an answer: True when it is the result. An answer of any other status (processing, or one the
        spec does not list) means "not yet"; without an id there is nothing to poll, which is an error."""
        self.last = answer
        self.id = job_id_of(answer) or self.id
        if status_of(answer) == SUCCESS_STATUS:
            return True
        if self.id is None:
            raise errors.APIError(f"{self.operation}: the answer ({status_of(answer)!r}) carries no job id to poll")
        return False

    def next_delay(self, minimum: float, maximum: float) -> float:
        """Seconds to sleep before the next poll: never past the deadline; GenerationTimeoutError once it is past."""
        remaining = self.remaining()
        if remaining <= 0:
            raise self.timed_out()
        return min(poll_delay(self.last, time.monotonic() - self.started, minimum, maximum), remaining)

    def timed_out(self) -> errors.GenerationTimeoutError:
        return errors.GenerationTimeoutError(self.operation, self.id, self.last, self.timeout, self.polls)

    def deadline_passed(self) -> bool:
        """Whether a request that timed out was cut by this wait's deadline (a 10 ms allowance for the clock)."""
        return self.remaining() <= 0.01

    def failed(self, failure: errors.OperationFailedError) -> errors.GenerationFailedError:
        return errors.GenerationFailedError(failure, self.id)
