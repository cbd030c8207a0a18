"""The servers a batch runs on: each its own client (its base URL and key) and its own queue limit.

A line takes a slot at whichever server has the most free slots, or, for a job already queued, at the server that
holds it; a server that refuses connections (the client's own retries spent, nothing sent) is set aside for a while
and its lines go to the others. The sync runner's pool waits on a lock, the async runner's on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# How long a server that refused connections gets no new line (seconds): long enough for the others to take its
# share, short enough for a restarted server to be used again within a batch.
SET_ASIDE_SECONDS = 30.0


@dataclass(eq=False)
class Server:
    """One server of a batch: its client, its queue limit, the slots in use, until when it is set aside."""

    client: Any
    limit: int
    in_use: int = 0
    aside_until: float = 0.0

    @property
    def base_url(self) -> str:
        return str(self.client.base_url)

    @property
    def profile(self) -> str | None:
        return getattr(self.client, "_profile", None)

    def free(self) -> int:
        return self.limit - self.in_use


def check_limits(clients: Sequence[Any], concurrency: int | Sequence[int]) -> list[Server]:
    """The servers of `clients`, with `concurrency` each (one number for all, or one per client); ValueError for a
    limit that is not a whole number >= 1, two clients of one base URL, or as many limits as clients."""
    limits = [concurrency] * len(clients) if isinstance(concurrency, int) else list(concurrency)
    if len(limits) != len(clients):
        raise ValueError(f"concurrency gives {len(limits)} queue limits for {len(clients)} servers")
    for limit in limits:
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"concurrency must be a whole number >= 1 per server, not {limit!r}")
    urls = [str(client.base_url) for client in clients]
    repeated = sorted({url for url in urls if urls.count(url) > 1})
    if repeated:
        raise ValueError(f"two clients of one server ({', '.join(repeated)}): give each server once, with its limit")
    return [Server(client, limit) for client, limit in zip(clients, limits, strict=True)]


class ServerPool:
    """The slots of a batch's servers. `pick` decides; the runners' subclasses wait."""

    def __init__(self, servers: Sequence[Server]) -> None:
        self.servers = list(servers)

    def by_url(self, url: str | None) -> Server | None:
        """The server of this base URL (None: the first, for an entry recorded before servers were)."""
        if url is None:
            return self.servers[0]
        return next((server for server in self.servers if server.base_url == url), None)

    def pick(self, wanted: Server | None, now: float) -> Server | None:
        """The server a line takes a slot at now: `wanted` (a queued job's own), else the one with the most free
        slots among those not set aside; None when there is none."""
        candidates = [wanted] if wanted is not None else [s for s in self.servers if s.aside_until <= now]
        free = [server for server in candidates if server.free() > 0]
        return max(free, key=Server.free) if free else None

    def next_change(self, now: float) -> float | None:
        """Seconds until a server set aside comes back, if one is."""
        ends = [server.aside_until - now for server in self.servers if server.aside_until > now]
        return min(ends) if ends else None

    def set_aside(self, server: Server) -> bool:
        """Give `server` no new line for SET_ASIDE_SECONDS; whether another server is there to take its lines."""
        server.aside_until = time.monotonic() + SET_ASIDE_SECONDS
        self.changed()
        now = time.monotonic()
        return any(other.aside_until <= now for other in self.servers if other is not server)

    def release(self, server: Server) -> None:
        server.in_use -= 1
        self.changed()

    def changed(self) -> None:
        """Wake the lines waiting for a slot."""


class SyncServerPool(ServerPool):
    """The pool of the sync runner's threads."""

    def __init__(self, servers: Sequence[Server]) -> None:
        super().__init__(servers)
        self._condition = threading.Condition()

    def acquire(self, timeout: float | None, wanted: Server | None = None) -> Server | None:
        """A slot (its server), waiting at most `timeout` seconds (None: no bound); None when none came."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            while True:
                now = time.monotonic()
                server = self.pick(wanted, now)
                if server is not None:
                    server.in_use += 1
                    return server
                waits = [w for w in (self.next_change(now), None if deadline is None else deadline - now) if w]
                if deadline is not None and now >= deadline:
                    return None
                self._condition.wait(min(waits) if waits else None)

    def release(self, server: Server) -> None:
        with self._condition:
            super().release(server)

    def set_aside(self, server: Server) -> bool:
        with self._condition:
            return super().set_aside(server)

    def changed(self) -> None:
        self._condition.notify_all()  # (called with the condition held)


class AsyncServerPool(ServerPool):
    """The pool of the async runner's tasks (one event loop: no lock; an event wakes the waiting lines)."""

    def __init__(self, servers: Sequence[Server]) -> None:
        super().__init__(servers)
        self._event = asyncio.Event()

    async def acquire(self, timeout: float | None, wanted: Server | None = None) -> Server | None:
        """A slot (its server), waiting at most `timeout` seconds (None: no bound); None when none came."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            now = time.monotonic()
            server = self.pick(wanted, now)
            if server is not None:
                server.in_use += 1
                return server
            if deadline is not None and now >= deadline:
                return None
            waits = [w for w in (self.next_change(now), None if deadline is None else deadline - now) if w]
            self._event.clear()
            with contextlib.suppress(TimeoutError):  # (a server set aside came back, or the deadline is near)
                await asyncio.wait_for(self._event.wait(), min(waits) if waits else None)

    def changed(self) -> None:
        self._event.set()


__all__ = ["SET_ASIDE_SECONDS", "AsyncServerPool", "Server", "ServerPool", "SyncServerPool", "check_limits"]
