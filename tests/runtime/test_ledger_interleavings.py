"""Two processes' worth of ledger connections on one file, driven through random interleavings of what a batch
does (plan a line, send it on that plan, send a failed or uncertain one again on request) and what the server and
the file host answer (a job id, a refusal, a lost answer, a result, a failure, files, a late failure of a saved
job). After every step: no line has two paid requests live at once, a saved entry stays saved, every job id the
server gave is on record, and an entry's attempts are the times it was sent."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from codegen.runtime.runs.job_states import LIVE
from codegen.runtime.runs.ledger import (
    DONE,
    FAILED,
    QUEUED,
    REFUSED,
    SAVED,
    SENDING,
    UNCERTAIN,
    InvalidTransition,
    Ledger,
    LineTaken,
    SavedFile,
)

LINES = ("a", "b", "c")
CONNECTIONS = (0, 1)


class TwoProcesses(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ledger-interleavings-"))
        path = self.folder / "ledger.sqlite"
        self.ledgers = [Ledger(path), Ledger(path)]
        self.plans: list[dict[str, tuple[int | None, str | None]]] = [{}, {}]
        self.sends: dict[int, int] = {}  # entry -> times sent
        self.job_ids: set[str] = set()
        self.saved: set[int] = set()
        self.numbers = itertools.count(1)

    def teardown(self) -> None:
        for ledger in self.ledgers:
            ledger.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _in_state(self, state: str, pick: int) -> int | None:
        found = [entry.entry for entry in self.ledgers[0].entries(states=(state,))]
        return found[pick % len(found)] if found else None

    # -- what the batch runs do --------------------------------------------------------------------------------

    @rule(conn=st.sampled_from(CONNECTIONS), name=st.sampled_from(LINES))
    def plan(self, conn: int, name: str) -> None:
        entry = self.ledgers[conn].latest(name)
        self.plans[conn][name] = (entry.entry, entry.state) if entry is not None else (None, None)

    @rule(conn=st.sampled_from(CONNECTIONS), name=st.sampled_from(LINES))
    def send_as_planned(self, conn: int, name: str) -> None:
        if name not in self.plans[conn]:
            return
        number, state = self.plans[conn].pop(name)
        ledger = self.ledgers[conn]
        try:
            if number is None:
                entry = ledger.record_request("text_to_3d", {"prompt": name}, name=name, expected=None)
            elif state == REFUSED:
                ledger.record_resend(number)
                entry = number
            else:
                return
        except (LineTaken, InvalidTransition):
            event("a line sent on a stale plan was refused (the other process took it)")
            return
        self.sends[entry] = self.sends.get(entry, 0) + 1

    @rule(name=st.sampled_from(LINES), first=st.sampled_from(CONNECTIONS), again=st.booleans())
    def both_plan_then_both_send(self, name: str, first: int, again: bool) -> None:
        """The race of two runs started at once: each plans the line, then each sends it on its plan."""
        for conn in CONNECTIONS:
            self.plan(conn, name)
        for conn in (first, 1 - first):
            (self.send_again_on_request if again else self.send_as_planned)(conn, name)

    @rule(conn=st.sampled_from(CONNECTIONS), name=st.sampled_from(LINES))
    def send_again_on_request(self, conn: int, name: str) -> None:
        """--retry-failed / --resubmit-uncertain: a new entry for a failed or uncertain line, on its plan."""
        if name not in self.plans[conn]:
            return
        number, state = self.plans[conn].pop(name)
        if state not in (FAILED, UNCERTAIN):
            return
        try:
            entry = self.ledgers[conn].record_request("text_to_3d", {"prompt": name}, name=name, expected=number)
        except LineTaken:
            event("a line sent again on a stale plan was refused (the other process took it)")
            return
        self.sends[entry] = 1

    # -- what the server and the file host answer ------------------------------------------------------------

    @rule(conn=st.sampled_from(CONNECTIONS), pick=st.integers(0, 5))
    def queued(self, conn: int, pick: int) -> None:
        entry = self._in_state(SENDING, pick)
        if entry is not None:
            job_id = f"job-{next(self.numbers)}"
            self.job_ids.add(job_id)
            self.ledgers[conn].record_answer(entry, job_id, "processing", 1.0)

    @rule(conn=st.sampled_from(CONNECTIONS), pick=st.integers(0, 5), lost=st.booleans())
    def refused_or_lost(self, conn: int, pick: int, lost: bool) -> None:
        entry = self._in_state(SENDING, pick)
        if entry is not None:
            ledger = self.ledgers[conn]
            ledger.record_uncertain(entry, "lost") if lost else ledger.record_refused(entry, "429")

    @rule(conn=st.sampled_from(CONNECTIONS), pick=st.integers(0, 5), ok=st.booleans())
    def fetched(self, conn: int, pick: int, ok: bool) -> None:
        entry = self._in_state(QUEUED, pick)
        if entry is not None:
            ledger = self.ledgers[conn]
            ledger.record_result(entry, "success", ["u"]) if ok else ledger.record_failure(entry, "failed", "no")

    @rule(conn=st.sampled_from(CONNECTIONS), pick=st.integers(0, 5))
    def files_saved(self, conn: int, pick: int) -> None:
        entry = self._in_state(DONE, pick)
        if entry is not None:
            self.ledgers[conn].record_files(entry, [SavedFile("/m.glb", 1, "ab")])
            self.saved.add(entry)

    @precondition(lambda self: bool(self.saved))
    @rule(conn=st.sampled_from(CONNECTIONS), pick=st.integers(0, 5))
    def late_answers_about_a_saved_job(self, conn: int, pick: int) -> None:
        entry = sorted(self.saved)[pick % len(self.saved)]
        self.ledgers[conn].record_failure(entry, "failed", "expired")
        self.ledgers[conn].record_result(entry, "success", ["u2"])
        self.ledgers[conn].record_status(entry, "processing", 3.0)

    # -- what must hold after every step ---------------------------------------------------------------------

    @invariant()
    def at_most_one_live_request_per_line(self) -> None:
        for name in LINES:
            live = self.ledgers[1].entries(name=name, states=tuple(LIVE))
            assert len(live) <= 1, [(e.entry, e.state) for e in live]

    @invariant()
    def saved_stays_saved(self) -> None:
        for entry in self.saved:
            found = self.ledgers[1].get(entry)
            assert found is not None and found.state == SAVED and found.outputs == ["u"]

    @invariant()
    def every_job_id_is_on_record(self) -> None:
        recorded = {entry.job_id for entry in self.ledgers[0].entries()}
        assert self.job_ids <= recorded

    @invariant()
    def attempts_are_the_times_sent(self) -> None:
        for entry in self.ledgers[1].entries():
            assert entry.attempts == self.sends.get(entry.entry, 0), (entry.entry, entry.attempts)


TwoProcesses.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_two_processes_interleaved = TwoProcesses.TestCase
