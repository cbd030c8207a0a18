"""One batch at a time on an output folder: an OS-level lock (fcntl.flock, msvcrt on Windows) on a file in the
folder, held for the whole run and released by the OS when the process ends however it ends (a crash, SIGKILL).
The lock file names its owner (process id and host) for the message a second run gets."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from ..core import errors

LOCK_NAME = ".modelslab-batch.lock"


class FolderLock:
    """The lock of a batch folder; `acquire` raises FolderInUseError when another live process holds it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            owner = _read_owner(fd)
            os.close(fd)
            raise errors.FolderInUseError(
                f"{self.path.parent} is in use by another batch run ({owner}): one run per folder at a time; wait "
                "for it to end, or stop it",
                owner,
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()} on {socket.gethostname()}".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # (closing the descriptor releases the lock)
            self._fd = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_owner(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 200).decode(errors="replace").strip()
    except OSError:
        text = ""
    return text or "a process that has not written its name yet"


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
