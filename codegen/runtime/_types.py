"""Types the runtime's modules share. A leaf: it imports no module of the package, so that any module can use it
without importing another's whole machinery (or a cycle)."""

from __future__ import annotations

from collections.abc import Callable

# (url, bytes received so far, the total Content-Length announced or None): what a download reports as it goes.
OnProgress = Callable[[str, int, int | None], object]

__all__ = ["OnProgress"]
