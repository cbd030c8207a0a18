"""The rules of a paid job, written once as data: its states, and every transition with what may cause it.

The job ledger changes an entry's state only through `next_state`: a transition this table does not list raises
InvalidTransition, so no code path can, say, turn a saved job into a failed one or send a queued job again.

    state       what it means
    sending     recorded, being sent; read back after a crash it is uncertain
    refused     the server refused it (429) or no connection was made: nothing was queued; safe to send again
    uncertain   sent, no answer recorded: it may have been queued and billed
    queued      the server answered with a job id; the job is waited for, never sent again
    done        the job finished: its output URLs are recorded
    saved       its files are saved and verified (final: nothing changes it)
    failed      the job failed, or the server said the request failed

Causes: what happened (an answer, a fetch, a download, a user's flag). Retries of one request reuse its entry
(`resend`: refused -> sending). A user's flag that sends a failed or uncertain line again starts a new entry; the
old one keeps its history.
"""

from __future__ import annotations

SENDING = "sending"
REFUSED = "refused"
UNCERTAIN = "uncertain"
QUEUED = "queued"
DONE = "done"
SAVED = "saved"
FAILED = "failed"
STATES = (SENDING, REFUSED, UNCERTAIN, QUEUED, DONE, SAVED, FAILED)

# What a batch line comes to besides its entry's state: not sent (`waiting`), its arguments differ from those it was
# sent with (`changed`), it breaks the spec and was left out (`invalid`).
WAITING = "waiting"
CHANGED = "changed"
INVALID = "invalid"

# The causes of a transition.
ANSWERED = "answered"  # the server answered the generating request with a job id (processing)
FINISHED = "finished"  # an answer (the request's or a fetch's) carries the result: the output URLs
POLLED = "polled"  # a fetch answered "still processing"
JOB_FAILED = "job_failed"  # an answer says the job failed (a fetch's "failed"/"error")
REQUEST_FAILED = "request_failed"  # the generating request's own answer said it failed: nothing was queued
REFUSAL = "refusal"  # the server refused the request (429, another 4xx) or no connection was made
RESEND = "resend"  # a refused request is sent again (the same entry)
LOST = "lost"  # sent, and no answer was recorded (a timeout, a cut connection, a 5xx, an unreadable answer)
FILES_SAVED = "files_saved"  # the job's files are saved and verified

# (state, cause) -> the next state. A pair not here is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (SENDING, ANSWERED): QUEUED,
    (SENDING, FINISHED): DONE,
    (SENDING, REQUEST_FAILED): FAILED,
    (SENDING, REFUSAL): REFUSED,
    (SENDING, LOST): UNCERTAIN,
    (REFUSED, RESEND): SENDING,
    (QUEUED, ANSWERED): QUEUED,
    (QUEUED, POLLED): QUEUED,
    (QUEUED, FINISHED): DONE,
    (QUEUED, JOB_FAILED): FAILED,
    (DONE, FINISHED): DONE,  # fetched again: the URLs may be new (signed URLs expire)
    (DONE, FILES_SAVED): SAVED,
    # A job the server reported as failed may still finish (a fetch is the truth, a webhook is not): take it.
    (FAILED, FINISHED): DONE,
    # An uncertain request whose answer turns up after all (its job id, from the server or the journal).
    (UNCERTAIN, ANSWERED): QUEUED,
    (UNCERTAIN, FINISHED): DONE,
}

# (state, cause) pairs that are allowed and change nothing: a saved job is final (a later fetch that says
# "failed" -- the vendor expires results -- or "processing" never downgrades it); a failure applies only to an
# unfinished job; a repeated poll or answer of a finished job is old news.
UNCHANGED: frozenset[tuple[str, str]] = frozenset(
    {
        (SAVED, FINISHED),
        (SAVED, POLLED),
        (SAVED, JOB_FAILED),
        (SAVED, ANSWERED),
        (SAVED, FILES_SAVED),
        (DONE, POLLED),
        (DONE, JOB_FAILED),
        (DONE, ANSWERED),
        (FAILED, POLLED),
        (FAILED, JOB_FAILED),
    }
)

# The states in which the server may hold (or have run) a paid job for the entry: a line with such an entry is
# never sent again by itself.
LIVE = frozenset({SENDING, QUEUED, DONE, SAVED})
# The states of an entry no answer will come for unless someone acts: sent, outcome unknown.
UNKNOWN = frozenset({SENDING, UNCERTAIN})


def shown(state: str) -> str:
    """A state as a listing shows it: `sending` read back is uncertain (its sender is gone or still at it)."""
    return UNCERTAIN if state == SENDING else state


def allowed(state: str, cause: str) -> bool:
    """Whether the rules of a paid job let `cause` happen to an entry in `state`."""
    return (state, cause) in TRANSITIONS or (state, cause) in UNCHANGED


def next_state(state: str, cause: str) -> str | None:
    """The state `cause` moves an entry in `state` to, where `allowed`; None when it changes nothing."""
    return None if (state, cause) in UNCHANGED else TRANSITIONS[(state, cause)]


def table_rows() -> list[tuple[str, str, str]]:
    """Every transition as (from, cause, to): the documentation's table ("unchanged" where it changes nothing)."""
    rows = [(state, cause, to) for (state, cause), to in TRANSITIONS.items()]
    rows += [(state, cause, "unchanged") for state, cause in sorted(UNCHANGED)]
    return rows
