"""The clients' production runs: the job ledger, waits for a generation, downloads and batches.

The generated clients are these classes: the core's request method plus what a production run of paid generations
needs. A client made with `ledger=` records every generating request in it (through the core's one recording
interface), and its waits and downloads too.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, Unpack

import httpx

from ..core import errors
from ..core.answers import job_id_of, status_of
from ..core.base_client import (
    AsyncAPIClient,
    AsyncClientSettings,
    BaseAPIClient,
    SyncAPIClient,
    SyncClientSettings,
    logger,
)
from ..core.steps import Call, Steps, run, run_async
from ..core.transports import AsyncUnclosedTransport, UnclosedTransport, as_timeout, default_ssl_context
from .jobs import DEFAULT_WAIT_TIMEOUT, MAX_POLL_INTERVAL, MIN_POLL_INTERVAL, JobWait, OnQueued, OnUpdate

if TYPE_CHECKING:
    from .batch import LineResult, OnBatchProgress
    from .downloads import OnProgress
    from .ledger import Claim, Ledger
    from .recording import JobRecorder

__all__ = ["AsyncJobClient", "SavedResult", "SyncJobClient"]

T = TypeVar("T")


@dataclass(frozen=True)
class SavedResult(Generic[T]):
    """What a generate-and-save call gives back: the job's last answer (the result) and the files saved."""

    result: T
    files: list[Path]


def format_of(value: object) -> str | None:
    """A request's output format as the download checks files against it (None: not given)."""
    text = getattr(value, "value", value)
    return text if isinstance(text, str) else None


def open_ledger(ledger: Ledger | str | os.PathLike[str] | None) -> tuple[JobRecorder | None, bool]:
    """(the recorder of the ledger, whether the client opened it and so closes it) of a client's `ledger=`."""
    if ledger is None:
        return None, False
    from .ledger import Ledger  # only a client with a ledger pays for sqlite3
    from .recording import JobRecorder

    if isinstance(ledger, Ledger):
        return JobRecorder(ledger), False
    return JobRecorder(Ledger(ledger)), True


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class JobRuns(BaseAPIClient):
    """What the sync and async clients of production runs share: the ledger, the wait steps, the file host's client."""

    # What writes each step of a paid job in the ledger (None: no ledger is kept); a batch line's copy records under
    # the line's claim, a wait's copy its polls too.
    _recorder: JobRecorder | None = None
    _owns_ledger = False
    # For each generating method its two wait methods (the generated client's table).
    _GENERATION_WAITS: ClassVar[dict[str, tuple[str, str]]] = {}
    # The bounds of the pause between two polls of a wait (seconds): the eta's, else a tenth of the time waited.
    _poll_interval: ClassVar[tuple[float, float]] = (MIN_POLL_INTERVAL, MAX_POLL_INTERVAL)

    def _borrowed(self) -> Self:
        borrowed = super()._borrowed()
        borrowed._owns_ledger = False
        return borrowed

    def _close_ledger(self) -> None:
        if self._owns_ledger and self._recorder is not None:
            self._recorder.ledger.close()

    @property
    def ledger(self) -> Ledger | None:
        """The job ledger this client records its generating requests in, or None."""
        return self._recorder.ledger if self._recorder is not None else None

    def _claiming(self, claim: Claim, ledger: Ledger) -> Self:
        """A copy whose generating requests are recorded in `ledger` under `claim` (a batch's line: its name, its
        arguments, the entry its run planned from); it shares the pool."""
        from .recording import JobRecorder

        named = self._borrowed()
        named._recorder = JobRecorder(ledger, claim)
        return named

    def _wait_steps(
        self,
        fetch: str,
        timeout: float,
        on_update: OnUpdate | None,
        submit: Callable[[Self], Any] | None,
        id: str | int | None,
        on_queued: OnQueued | None,
    ) -> Steps[Any]:
        """A wait's steps: submit (or start from a job's `id`), then poll the method `fetch` until the result, paced
        and bounded as _jobs.JobWait decides; every answer to `on_update`."""
        job = JobWait(fetch, timeout, id)
        recorder = self._recorder.waiting() if self._recorder is not None else None
        bounded = self._until(job.deadline)
        bounded._recorder = recorder
        poll = getattr(bounded, fetch)
        try:
            answer = yield (Call(submit, (bounded,)) if submit is not None else Call(poll, (job.id,)))
            if submit is not None and on_queued is not None and job_id_of(answer) is not None:
                yield Call(on_queued, (str(job_id_of(answer)),))
            while True:
                if on_update is not None:
                    yield Call(on_update, (answer,))
                done = job.done(answer)
                if recorder is not None and (submit is None or job.polls):
                    recorder.polled(job, answer, done)
                if done:
                    return answer
                pause = job.next_delay(*self._poll_interval)
                logger.info("job %s: %s; polling again in %.1f s", job.id, _text(status_of(answer)), pause)
                yield Call(self._sleep, (pause,))
                answer = yield Call(poll, (job.id,))
                job.polls += 1
        except errors.OperationFailedError as failure:
            if recorder is not None and job.id is not None:  # (a failed submission: recorded by its request)
                recorder.failed(job, failure)
            raise job.failed(failure) from failure
        except errors.APITimeoutError as error:
            if job.id is not None and job.deadline_passed():  # (no id: the request itself was never answered)
                raise job.timed_out() from error
            raise

    def _download_client_settings(self) -> dict[str, Any]:
        """The file host's client: TLS verified, redirects followed, no header of this client; this timeout (and
        the transport given in httpx_args, lent: it stays open)."""
        settings: dict[str, Any] = {
            "timeout": as_timeout(self.timeout),
            "follow_redirects": True,
            "verify": default_ssl_context(True, False),
        }
        given = self._file_transport
        if isinstance(given, httpx.BaseTransport) and self._http_class is httpx.Client:
            settings["transport"] = UnclosedTransport(given)
        elif isinstance(given, httpx.AsyncBaseTransport) and self._http_class is httpx.AsyncClient:
            settings["transport"] = AsyncUnclosedTransport(given)
        return settings


class SyncJobClient(JobRuns, SyncAPIClient):
    """The base of the synchronous high-level client."""

    def __init__(
        self, *, ledger: Ledger | str | os.PathLike[str] | None = None, **settings: Unpack[SyncClientSettings]
    ) -> None:
        self._recorder, self._owns_ledger = open_ledger(ledger)
        try:
            super().__init__(**settings)
        except BaseException:
            self._close_ledger()
            raise

    def close(self) -> None:
        """Close the connections (a client passed in as http_client is left open) and a ledger opened from a path."""
        super().close()
        self._close_ledger()

    def _wait(
        self,
        fetch: str,
        timeout: float,
        on_update: OnUpdate | None,
        submit: Callable[[Self], Any] | None = None,
        id: str | int | None = None,
        on_queued: OnQueued | None = None,
    ) -> Any:
        """Submit (or start from a job's `id`), then poll the method `fetch` until the result; see _wait_steps."""
        return run(self._wait_steps(fetch, timeout, on_update, submit, id, on_queued))

    def download(
        self,
        result: object,
        directory: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        on_progress: OnProgress | None = None,
        http_client: httpx.Client | None = None,
        output_format: str | None = None,
    ) -> list[Path]:
        """Save a result's files (its `output` URLs; or a list of URLs) into `directory`; their paths, in order.

        Each file is streamed to a temporary file in the directory, checked against its Content-Length, then
        renamed into place: all of them or none. A failure raises DownloadError (FileExistsError for a name that
        exists, unless overwrite=True) and leaves nothing behind, not even part of a file. Names come from the URLs
        (no directory parts); only http(s) URLs are taken. The file host gets a plain GET with TLS verified: neither
        the API key nor this client's default headers. `on_progress(url, received, total)` is called per chunk;
        `http_client` is an httpx.Client of yours for the file host (default: a new one, closed afterwards).
        Each file is checked by what it is: as `output_format` (the format the request asked for), else as its
        name's extension says, else as its bytes show; an HTML or JSON page served as a model raises DownloadError.
        """
        from . import downloads  # (tempfile and the rest: only a client that downloads pays for importing them)

        hashed = self._recorder is not None  # (the ledger records each file's sha256)
        if http_client is not None:
            saved = downloads.download(http_client, result, directory, overwrite, on_progress, hashed, output_format)
        else:
            with httpx.Client(**self._download_client_settings()) as http:
                saved = downloads.download(http, result, directory, overwrite, on_progress, hashed, output_format)
        if self._recorder is not None:
            self._recorder.saved(result, saved)
        return [Path(file.path) for file in saved]

    def _save(
        self, folder: str | os.PathLike[str], overwrite: bool, output_format: object, wait: Callable[[], Any]
    ) -> SavedResult[Any]:
        """Check `folder` (before anything is paid for), run `wait` (a *_and_wait call), save its result's files."""
        from .batch import check_folder

        check_folder(Path(folder), overwrite)
        result = wait()
        files = self.download(result, folder, overwrite=overwrite, output_format=format_of(output_format))
        return SavedResult(result, files)

    def generate_many(
        self,
        requests: Iterable[Mapping[str, Any]],
        out_dir: str | os.PathLike[str],
        *,
        concurrency: int | Sequence[int] = 5,
        clients: Sequence[Self] = (),
        ledger: Ledger | str | os.PathLike[str] | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        slot_timeout: float | None = None,
        on_progress: OnBatchProgress | None = None,
        retry_failed: bool = False,
        resubmit_uncertain: bool = False,
        regenerate_changed: bool = False,
        skip_invalid: bool = False,
        overwrite: bool = False,
    ) -> list[LineResult]:
        """Generate many models: each request is a generating method's keyword arguments (plus an optional `name`,
        its folder under `out_dir`; by default its position, from 1), run with at most `concurrency` jobs queued at
        once, every file saved under `out_dir/<name>/` and verified. A submission the server refuses for its queue
        limit (429) is sent again after its retry_after (at least a second), on the same ledger entry.

        `clients`: more servers to spread the batch over (clients of this class, each with its own base URL and
        key); `concurrency` is then each server's queue limit (one number for all, or one per server: this client's
        first). A line goes to the server with the most free slots; a queued job is waited for at the server that
        took it, with its key; a server that refuses connections (nothing was sent) gets no new line for a while,
        and the line goes to another. Each LineResult names its server.

        Every step is recorded in `ledger` (default: `out_dir/ledger.sqlite`), so calling it again with the same
        requests resumes: what is saved sends nothing, a queued job is waited for and never submitted twice, a
        failed one is submitted again only with retry_failed, an uncertain one (sent, no answer recorded: it may
        have been queued and billed) only with resubmit_uncertain, a request whose arguments changed since it was
        sent only with regenerate_changed (each of these three is a new paid job). Every request and every output
        folder is checked before the first request is sent (ValueError naming every bad line, unless skip_invalid
        leaves them out; OSError); one call at a time may run on `out_dir` (FolderInUseError). `timeout` bounds each
        job from the moment its request is sent; `slot_timeout` (default: none) bounds the wait for a free slot;
        `on_progress(BatchProgress)` is called at each change. Returns one LineResult per request, in order:
        `state` "saved" for a line that is done.
        """
        from concurrent.futures import ThreadPoolExecutor, as_completed

        from . import batch as batches
        from . import downloads
        from .servers import SyncServerPool, check_limits

        servers = check_limits([self, *clients], concurrency)
        batch, opened, lock = batches.batch_for(
            servers,
            requests,
            out_dir,
            ledger=ledger,
            timeout=timeout,
            slot_timeout=slot_timeout,
            retry_failed=retry_failed,
            resubmit_uncertain=resubmit_uncertain,
            regenerate_changed=regenerate_changed,
            skip_invalid=skip_invalid,
            overwrite=overwrite,
            on_progress=on_progress,
        )
        slots = SyncServerPool(servers)

        def download(urls: list[str], folder: Path, expected: str | None) -> list[Any]:
            with httpx.Client(**self._download_client_settings()) as http:
                return downloads.download(http, urls, folder, True, batch.check_stop, expected_format=expected)

        def line(item: Any) -> None:
            steps = batches.line_steps(
                batch, item, timeout, slots, slot_timeout, download, self._sleep, batch.check_stop
            )
            run(steps)

        todo = batch.todo()
        workers = 2 * sum(server.limit for server in servers)
        try:
            with ThreadPoolExecutor(max_workers=max(1, min(len(todo), workers))) as pool:
                futures = [pool.submit(line, item) for item in todo]
                try:
                    for future in as_completed(futures):  # (the first interruption, whichever line it stops)
                        future.result()
                except BaseException:  # (Ctrl-C): each worker stops at its next step; what is recorded stays
                    batch.stop.set()
                    raise
        finally:
            if opened is not None:
                opened.close()
            lock.release()
        return batch.ordered()


class AsyncJobClient(JobRuns, AsyncAPIClient):
    """The base of the asyncio high-level client."""

    def __init__(
        self, *, ledger: Ledger | str | os.PathLike[str] | None = None, **settings: Unpack[AsyncClientSettings]
    ) -> None:
        self._recorder, self._owns_ledger = open_ledger(ledger)
        try:
            super().__init__(**settings)
        except BaseException:
            self._close_ledger()
            raise

    async def close(self) -> None:
        """Close the connections (a client passed in as http_client is left open) and a ledger opened from a path."""
        await super().close()
        self._close_ledger()

    async def _wait(
        self,
        fetch: str,
        timeout: float,
        on_update: OnUpdate | None,
        submit: Callable[[Self], Awaitable[Any]] | None = None,
        id: str | int | None = None,
        on_queued: OnQueued | None = None,
    ) -> Any:
        """Enterprise3D's wait, awaited (callbacks may be coroutine functions); cancelling the task stops it at once
        (mid-request or mid-sleep)."""
        return await run_async(self._wait_steps(fetch, timeout, on_update, submit, id, on_queued))

    async def download(
        self,
        result: object,
        directory: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        on_progress: OnProgress | None = None,
        http_client: httpx.AsyncClient | None = None,
        output_format: str | None = None,
    ) -> list[Path]:
        """Enterprise3D.download, awaited (http_client: an httpx.AsyncClient); cancelling it leaves no file."""
        from . import downloads

        hashed = self._recorder is not None  # (the ledger records each file's sha256)
        if http_client is not None:
            saved = await downloads.download_async(
                http_client, result, directory, overwrite, on_progress, hashed, output_format
            )
        else:
            async with httpx.AsyncClient(**self._download_client_settings()) as http:
                saved = await downloads.download_async(
                    http, result, directory, overwrite, on_progress, hashed, output_format
                )
        if self._recorder is not None:
            self._recorder.saved(result, saved)
        return [Path(file.path) for file in saved]

    async def _save(
        self,
        folder: str | os.PathLike[str],
        overwrite: bool,
        output_format: object,
        wait: Callable[[], Awaitable[Any]],
    ) -> SavedResult[Any]:
        """SyncJobClient._save, awaited."""
        from .batch import check_folder

        check_folder(Path(folder), overwrite)
        result = await wait()
        files = await self.download(result, folder, overwrite=overwrite, output_format=format_of(output_format))
        return SavedResult(result, files)

    async def generate_many(
        self,
        requests: Iterable[Mapping[str, Any]],
        out_dir: str | os.PathLike[str],
        *,
        concurrency: int | Sequence[int] = 5,
        clients: Sequence[Self] = (),
        ledger: Ledger | str | os.PathLike[str] | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        slot_timeout: float | None = None,
        on_progress: OnBatchProgress | None = None,
        retry_failed: bool = False,
        resubmit_uncertain: bool = False,
        regenerate_changed: bool = False,
        skip_invalid: bool = False,
        overwrite: bool = False,
    ) -> list[LineResult]:
        """Enterprise3D.generate_many, awaited: each line a task; cancelling it stops every line at once (what is
        recorded stays, and calling it again resumes)."""
        import asyncio

        from . import batch as batches
        from . import downloads
        from .servers import AsyncServerPool, check_limits

        servers = check_limits([self, *clients], concurrency)
        batch, opened, lock = batches.batch_for(
            servers,
            requests,
            out_dir,
            ledger=ledger,
            timeout=timeout,
            slot_timeout=slot_timeout,
            retry_failed=retry_failed,
            resubmit_uncertain=resubmit_uncertain,
            regenerate_changed=regenerate_changed,
            skip_invalid=skip_invalid,
            overwrite=overwrite,
            on_progress=on_progress,
        )
        slots = AsyncServerPool(servers)

        async def download(urls: list[str], folder: Path, expected: str | None) -> list[Any]:
            async with httpx.AsyncClient(**self._download_client_settings()) as http:
                return await downloads.download_async(http, urls, folder, True, None, expected_format=expected)

        tasks = [
            asyncio.ensure_future(
                run_async(batches.line_steps(batch, item, timeout, slots, slot_timeout, download, self._sleep, None))
            )
            for item in batch.todo()
        ]
        try:
            try:
                await asyncio.gather(*tasks)
            except BaseException:  # one line stopped the run: the others stop too before the ledger is closed
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        finally:
            if opened is not None:
                opened.close()
            lock.release()
        return batch.ordered()
