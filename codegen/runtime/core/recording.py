"""The one interface through which a client's generating requests are written down as they go.

The core sends requests and knows nothing of ledgers: a client with a ledger (the production runs') holds a recorder
that implements this interface, and the request steps call it before a paid request is sent, when it is answered,
refused, sent again, or lost.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["RequestRecorder"]


class RequestRecorder(Protocol):
    """What the request steps call at each step of a generating request; `entry` is what `sending` returned."""

    def sending(self, operation: str, request: dict[str, Any], schema: str, server: str, profile: str | None) -> int:
        """Write the request down before it is sent (it may add a field to its body); its entry."""
        ...

    def answered(self, entry: int, result: object) -> None:
        """The server answered with `result`: the job it names is recorded."""
        ...

    def refused(self, entry: int, delay: float) -> None:
        """The server refused the request (nothing was queued); it is sent again after `delay` seconds."""
        ...

    def resending(self, entry: int) -> None:
        """The refused request is being sent again."""
        ...

    def ended(self, entry: int, error: BaseException) -> None:
        """The request ended without an answer to record (`error`): refused, failed, or not known to be queued."""
        ...
