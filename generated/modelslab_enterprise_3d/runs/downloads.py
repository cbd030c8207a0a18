"""Saving a generation's files: every URL streamed to a temporary file beside its final name, checked, then renamed.

Memory stays bounded whatever the file's size: each chunk is written as it arrives (httpx reads the network 64 KiB
at a time; re-chunking it to a fixed size costs a copy of every byte). A call saves all of its files or none: on a
failure or an interruption (an exception, Ctrl-C, a cancelled task) every part and every file it already renamed
into place is removed, so that nothing half-written, and no partial set, is left. Each file is synced to disk before
its rename and the folder after it, so that a power loss leaves either no file or the whole one. Each file is
checked by what it is (the format asked for and its own bytes, not the URL's extension): an error page served as a
model is refused; a format that cannot be checked is kept, marked unverified, with a warning. Files go only to the
directory given, under names derived from the URLs that cannot leave it. The file host gets a plain GET: neither the
API key (which travels only in the API's request bodies) nor the client's default headers.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import httpx

from ..core import errors
from ..core.vendor_facts import OUTPUT_FIELD
from .ledger import SavedFile
from .verify import verify

logger = logging.getLogger(__package__ or __name__)

# (url, bytes received so far, the total Content-Length announced or None): what a download reports as it goes.
OnProgress = Callable[[str, int, int | None], object]

PART_SUFFIX = ".part"
MAX_NAME_LENGTH = 120


def output_urls(result: object) -> list[str]:
    """The file URLs of a result: its `output` (a model's, or a mapping's), or the URLs themselves."""
    if isinstance(result, str):
        urls: Any = [result]
    elif isinstance(result, dict):
        urls = result.get(OUTPUT_FIELD)
    elif hasattr(result, OUTPUT_FIELD):
        urls = getattr(result, OUTPUT_FIELD)
    else:
        urls = result
    if not isinstance(urls, Iterable) or isinstance(urls, (str, bytes)):
        raise ValueError(f"no output URLs in {type(result).__name__}: the result has no `{OUTPUT_FIELD}` list")
    found: list[str] = list(urls)
    for url in found:
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme.lower() not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            raise ValueError(f"only http(s) URLs can be downloaded, not {str(url)[:100]!r}")
    return found


def safe_name(url: str, index: int) -> str:
    """A file name for a URL: the last segment of its path, reduced to letters, digits, '.', '_' and '-' (no
    directory, no leading dot); `output-<index>` when nothing usable is left."""
    segment = unquote(urlsplit(url).path).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", segment).lstrip("._-")[-MAX_NAME_LENGTH:]
    return name if name.strip(".") else f"output-{index}"


def targets(urls: list[str], directory: Path, overwrite: bool) -> list[Path]:
    """The final path of each URL's file, distinct (a repeated name gets -1, -2, ...); FileExistsError for one that
    exists, unless `overwrite`: before anything is downloaded."""
    paths: list[Path] = []
    for index, url in enumerate(urls):
        name = safe_name(url, index)
        stem, dot, suffix = name.partition(".")
        candidate, n = name, 0
        while directory / candidate in paths:
            n += 1
            candidate = f"{stem}-{n}{dot}{suffix}"
        path = directory / candidate
        if not overwrite and os.path.lexists(path):
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
        paths.append(path)
    return paths


def prepare(result: object, directory: str | os.PathLike[str], overwrite: bool) -> tuple[list[str], list[Path]]:
    urls = output_urls(result)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    return urls, targets(urls, folder, overwrite)


def new_part(path: Path) -> tuple[IO[bytes], Path]:
    """An open temporary file beside `path` (same directory, so the final rename is atomic)."""
    # Closed by the caller (a with-block around the transfer); kept on disk until renamed into place or removed.
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX, delete=False)  # noqa: SIM115
    return handle, Path(handle.name)


def expected_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def check_answer(url: str, response: httpx.Response) -> None:
    if not response.is_success:
        raise errors.DownloadError(url, f"HTTP {response.status_code} {response.reason_phrase}", response.status_code)


def check_complete(url: str, response: httpx.Response, written: int) -> None:
    """Fewer (or more) bytes than Content-Length announced is a broken transfer, not a file. (With a
    Content-Encoding, Content-Length counts the encoded bytes, which httpx counts as they arrive.)"""
    expected = expected_length(response)
    encoded = response.headers.get("content-encoding", "identity").strip().lower() not in ("", "identity")
    arrived = response.num_bytes_downloaded if encoded else written
    if expected is not None and arrived != expected:
        raise errors.DownloadError(url, f"{arrived} bytes arrived, Content-Length announced {expected}")


def file_mode() -> int:
    """The permissions of a new file under the process's umask (a temporary file is created private, 0600)."""
    umask = os.umask(0o022)  # reading the umask means setting it: set it back at once
    os.umask(umask)
    return 0o666 & ~umask


def sync_folder(folder: Path) -> None:
    """Sync a folder's entries (a rename into it) to disk; where a folder cannot be opened (Windows), nothing."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def place(parts: list[Path], paths: list[Path], overwrite: bool) -> None:
    """Rename every part into place, or none: a failure takes back the ones already placed. The renames are synced
    to disk (the folder) once they are all done."""
    placed: list[Path] = []
    mode = file_mode()
    try:
        for part, path in zip(parts, paths, strict=True):
            os.chmod(part, mode)
            if overwrite:
                os.replace(part, path)
            else:
                os.link(part, path)  # fails if `path` appeared meanwhile: never replaces a file not ours
                os.unlink(part)
            placed.append(path)
        for folder in {path.parent for path in paths}:
            sync_folder(folder)
    except BaseException:
        for path in placed:
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise


def remove(parts: Iterable[Path]) -> None:
    for part in parts:
        with contextlib.suppress(OSError):
            os.unlink(part)


@contextlib.contextmanager
def transport_errors(url: str) -> Iterator[None]:
    try:
        yield
    except httpx.TransportError as error:
        raise errors.DownloadError(url, f"{type(error).__name__}: {error}") from error


class Part:
    """One file being downloaded: its temporary file beside the final path, the bytes written, their sha256 (when
    asked for: a job ledger records it)."""

    def __init__(
        self, url: str, path: Path, on_progress: OnProgress | None, hashed: bool, expected: str | None = None
    ) -> None:
        self.url, self.path, self.on_progress, self.expected = url, path, on_progress, expected
        self.handle, self.part = new_part(path)
        self.written = 0
        self.total: int | None = None
        self.hash = hashlib.sha256() if hashed else None

    def start(self, response: httpx.Response) -> None:
        check_answer(self.url, response)
        self.total = expected_length(response)

    def write(self, chunk: bytes) -> None:
        self.handle.write(chunk)
        if self.hash is not None:
            self.hash.update(chunk)
        self.written += len(chunk)
        if self.on_progress is not None:
            self.on_progress(self.url, self.written, self.total)

    def finish(self, response: httpx.Response) -> SavedFile:
        """Check the whole file (its length, then what it is) and sync it to disk; what the ledger keeps of it."""
        check_complete(self.url, response, self.written)
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        verdict = verify(self.part, self.path.name, self.expected)
        if verdict.problem is not None:
            raise errors.DownloadError(self.url, f"{self.path.name} is {verdict.problem}")
        if not verdict.verified:
            logger.warning("%s: kept unverified (no check for its format, %s)", self.path.name, verdict.format)
        return SavedFile(
            str(self.path.resolve()),
            self.written,
            self.hash.hexdigest() if self.hash else "",
            verdict.verified,
            verdict.format,
        )


def download(
    http: httpx.Client,
    result: object,
    directory: str | os.PathLike[str],
    overwrite: bool,
    on_progress: OnProgress | None,
    hashed: bool = True,
    expected_format: str | None = None,
) -> list[SavedFile]:
    urls, paths = prepare(result, directory, overwrite)
    parts: list[Path] = []
    saved: list[SavedFile] = []
    try:
        for url, path in zip(urls, paths, strict=True):
            file = Part(url, path, on_progress, hashed, expected_format)
            parts.append(file.part)
            with file.handle, transport_errors(url), http.stream("GET", url) as response:
                file.start(response)
                for chunk in response.iter_bytes():
                    file.write(chunk)
                saved.append(file.finish(response))
        place(parts, paths, overwrite)
    finally:
        remove(parts)
    return saved


async def download_async(
    http: httpx.AsyncClient,
    result: object,
    directory: str | os.PathLike[str],
    overwrite: bool,
    on_progress: OnProgress | None,
    hashed: bool = True,
    expected_format: str | None = None,
) -> list[SavedFile]:
    urls, paths = prepare(result, directory, overwrite)
    parts: list[Path] = []
    saved: list[SavedFile] = []
    try:
        for url, path in zip(urls, paths, strict=True):
            file = Part(url, path, on_progress, hashed, expected_format)
            parts.append(file.part)
            with file.handle, transport_errors(url):
                async with http.stream("GET", url) as response:
                    file.start(response)
                    # Writes to a local file are not awaited: a chunk's write takes far less time than its transfer.
                    async for chunk in response.aiter_bytes():
                        file.write(chunk)
                    saved.append(file.finish(response))
        place(parts, paths, overwrite)
    finally:
        remove(parts)
    return saved
