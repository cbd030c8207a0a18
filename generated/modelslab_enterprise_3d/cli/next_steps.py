"""What moves a batch's unfinished line on, by its state: the batch's summary and the gallery both say it."""

from __future__ import annotations

from ..runs.job_states import CHANGED, DONE, FAILED, INVALID, QUEUED, REFUSED, UNCERTAIN, WAITING
from .profiles import PROGRAM

# What would move a batch's unfinished lines on, by their state: (the flag that does it, or "" for running the same
# command again; what it does and costs).
NEXT_STEPS: dict[str, tuple[str, str]] = {
    QUEUED: ("", "waits for the jobs still running on the server (no new charge)"),
    DONE: ("", "downloads the files of finished jobs (no new charge)"),
    WAITING: ("", "sends the lines never sent"),
    REFUSED: ("", "sends again the lines the server refused (nothing was queued for them)"),
    FAILED: ("--retry-failed", "generates the failed lines again (costs credits)"),
    UNCERTAIN: (
        "--resubmit-uncertain",
        "sends again the lines sent with no answer (they may have been queued and billed: this may pay twice; "
        f"`{PROGRAM} jobs` lists them)",
    ),
    CHANGED: ("--regenerate-changed", "generates again the lines edited since they were sent (costs credits)"),
    INVALID: ("", "fix the invalid lines (their message says why); nothing was sent for them"),
}


__all__ = ["NEXT_STEPS"]
