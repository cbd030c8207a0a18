"""What a client writes in its job ledger as its requests, waits and downloads go.

The clients' request and wait steps call a JobRecorder at each step a paid job goes through (before a generating
request is sent, when it is answered, refused, sent again or lost, at each poll, when the job fails, when its files
are saved); the recorder turns each into the ledger's records. A client without a ledger has no recorder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..core.answers import eta_of, job_id_of, outputs_of, status_of
from ..core.retries import NOT_SENT_ERRORS
from ..core.vendor_facts import SUCCESS_STATUS, TRACK_ID_FIELD
from .jobs import JobWait

if TYPE_CHECKING:
    from .ledger import Claim, Ledger

__all__ = ["JobRecorder"]


class JobRecorder:
    """Records a client's generating requests in `ledger`; for a batch's line (or a wait), under `claim`: its name,
    its arguments, and once recorded its entry, which a request sent again and the wait's polls record into."""

    def __init__(self, ledger: Ledger, claim: Claim | None = None) -> None:
        self.ledger, self.claim = ledger, claim

    def waiting(self) -> JobRecorder:
        """A recorder for a wait: its submission and polls recorded in one entry (the line's, when it has one)."""
        from .ledger import Claim

        return JobRecorder(self.ledger, self.claim if self.claim is not None else Claim())

    # -- a request -----------------------------------------------------------------------------------------------

    def sending(self, operation: str, request: dict[str, Any], schema: str, server: str, profile: str | None) -> int:
        """Write down a generating request before it is sent (the body as `request` holds it; a `track_id` is added
        where the operation's `schema` lets a request name itself); its entry. A claimed request refused before
        reuses its entry (and its track_id)."""
        body = request.get("json")
        body = body if isinstance(body, dict) else {}
        claim = self.claim
        if claim is not None and claim.entry is not None:
            self.ledger.record_resend(claim.entry, server, profile)
            if claim.track_id is not None:
                request["json"] = {**body, TRACK_ID_FIELD: claim.track_id}
            return claim.entry
        track_id = body.get(TRACK_ID_FIELD)
        if track_id is None and f'"{TRACK_ID_FIELD}"' in schema:
            import uuid

            track_id = f"ml3d-{uuid.uuid4().hex}"
            request["json"] = body = {**body, TRACK_ID_FIELD: track_id}
        named = claim is not None and claim.name is not None
        number = self.ledger.record_request(
            operation,
            body,
            name=claim.name if claim is not None else None,
            track_id=None if track_id is None else str(track_id),
            arguments=claim.arguments if claim is not None else None,
            server=server,
            profile=profile,
            **({"expected": claim.expected} if named and claim is not None else {}),
        )
        if claim is not None:
            claim.entry = number
            claim.track_id = None if track_id is None else str(track_id)
        return number

    def answered(self, entry: int, result: object) -> None:
        """The server answered the request: the job's id and state (or its result)."""
        job_id = job_id_of(result)
        if status_of(result) == SUCCESS_STATUS:
            self.ledger.record_result(entry, SUCCESS_STATUS, outputs_of(result), job_id)
        else:
            self.ledger.record_answer(entry, job_id, _text(status_of(result)), eta_of(result))

    def ended(self, entry: int, error: BaseException) -> None:
        """The request ended without an answer to record: refused (nothing queued), failed, or uncertain."""
        if isinstance(error, errors.OperationFailedError):
            self.ledger.record_request_failure(entry, str(error))
        elif isinstance(error, errors.APIStatusError) and error.status_code < 500:
            self.ledger.record_refused(entry, str(error))
        elif isinstance(error, errors.APIConnectionError) and not error.sent:
            self.ledger.record_refused(entry, f"no connection was made: nothing was sent ({error})")
        elif isinstance(error, NOT_SENT_ERRORS):
            self.ledger.record_refused(entry, f"no connection was made ({type(error).__name__})")
        else:  # a timeout, a lost connection, a 5xx, an answer that could not be read, an interruption
            self.ledger.record_uncertain(entry, f"sent, but no answer was recorded ({type(error).__name__})")

    def refused(self, entry: int, delay: float) -> None:
        """The server refused the request (nothing was queued); it is sent again in `delay` seconds."""
        self.ledger.record_refused(entry, f"refused; sent again in {delay:.1f} s")

    def resending(self, entry: int) -> None:
        self.ledger.record_resend(entry)

    # -- a wait and its files ------------------------------------------------------------------------------------

    def polled(self, job: JobWait, answer: object, done: bool) -> None:
        entry = self._entry_of(job.id)
        if entry is None:
            return
        if done:
            self.ledger.record_result(entry, _text(status_of(answer)), outputs_of(answer), job.id)
        else:
            self.ledger.record_status(entry, _text(status_of(answer)), eta_of(answer))

    def failed(self, job: JobWait, failure: errors.OperationFailedError) -> None:
        entry = self._entry_of(job.id)
        if entry is not None:
            self.ledger.record_failure(entry, _text(status_of(failure.result)), failure.message)

    def saved(self, result: object, files: Sequence[Any]) -> None:
        """A result's files, saved: recorded with the entry of its job."""
        job_id = job_id_of(result)
        found = self.ledger.find(job_id) if job_id is not None else None
        if found is not None:
            self.ledger.record_files(found.entry, list(files))

    def _entry_of(self, job_id: str | None) -> int | None:
        """The entry a wait records into: the one its request was recorded in, else the latest of its job."""
        claim = self.claim
        if claim is None:
            found = self.ledger.find(job_id) if job_id is not None else None
            return found.entry if found is not None else None
        if claim.entry is None and job_id is not None:
            found = self.ledger.find(job_id)
            claim.entry = found.entry if found is not None else None
        return claim.entry


def _text(value: object) -> str | None:
    return None if value is None else str(value)
