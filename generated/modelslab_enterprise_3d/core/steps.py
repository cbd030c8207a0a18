"""One algorithm for both clients: a request's retries and a generation's wait are written once, as generators that
yield each piece of I/O they need (a Call: send a request, sleep, call the user's callback) and receive its
outcome. The sync client runs them with run(), the asyncio client with run_async(), which awaits what a call
returns when it is awaitable. Only the I/O differs between the two clients; every decision is shared."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")


class Call(NamedTuple):
    """A piece of I/O a step needs: `function(*args, **kwargs)`; its result (or exception) goes back into the step."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = {}  # noqa: RUF012 (never mutated: a NamedTuple default)


Steps = Generator[Call, Any, T]


def run(steps: Steps[T]) -> T:
    """Run `steps`, making each call as it comes; what it returns or raises."""
    try:
        call = next(steps)
        while True:
            try:
                outcome = call.function(*call.args, **call.kwargs)
            except BaseException as error:  # (an interruption too: the step records what it must, then re-raises)
                call = steps.throw(error)
            else:
                call = steps.send(outcome)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def run_async(steps: Steps[T]) -> T:
    """Run `steps`, awaiting each call's result when it is awaitable; cancelling the task cancels the call at hand."""
    try:
        call = next(steps)
        while True:
            try:
                outcome = call.function(*call.args, **call.kwargs)
                if hasattr(outcome, "__await__"):
                    outcome = await outcome
            except BaseException as error:
                call = steps.throw(error)
            else:
                call = steps.send(outcome)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


__all__ = ["Call", "Steps", "run", "run_async"]
