"""How a served mock runs: its command-line options, read without importing the mock (the command line lists
`modelslab-3d mock` whether or not the testing extra is installed)."""

from __future__ import annotations

import argparse

# What an import of the mock's libraries without them says.
TESTING_EXTRA = 'the spec-driven mock needs the testing extra: pip install "modelslab-enterprise-3d[testing]"'

DEFAULT_JOB_SECONDS = 3.0
# The smallest plan's limit of concurrently queued requests (the rate-limits page); over it, a generating request is
# refused with the vendor's 429 body and its retry_after.
DEFAULT_QUEUE_LIMIT = 5

# The faults a mock can be told to show, each one a real network's or a real server's (for fault tests):
FAULTS: dict[str, str] = {
    "echo-500": "a generating request answers 500 with the request's body echoed in the error (the key included)",
    "retry-after-0": "a refusal (429) says Retry-After: 0 and retry_after 0",
    "always-429": "every generating request is refused with 429 (nothing is queued)",
    "hang": "a generating request is queued, and its answer never comes",
    "late-failed": "a job's fetch answers failed once it has answered success (the vendor expires results)",
    "html-model": "a model file's URL serves an HTML 'Access denied' page (status 200)",
    "bare-urls": "output URLs have no file extension (signed URLs)",
}


def seconds_or_range(text: str) -> float | tuple[float, float]:
    """ "3" is three seconds; "1-5" a range, each job's duration drawn within it."""
    low, dash, high = text.partition("-")
    return (float(low), float(high)) if dash else float(text)


def port(text: str) -> int:
    """A TCP port: 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {text}")
    return value


def add_mock_options(parser: argparse.ArgumentParser) -> None:
    """The options of a served mock: where it listens, how long a job takes, the queue limit, a slow network."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=port, default=4010, help="port to bind; 0 picks a free one (default: 4010)")
    parser.add_argument(
        "--job-seconds",
        type=seconds_or_range,
        default=DEFAULT_JOB_SECONDS,
        help="how long a generation takes before its fetch answers success, or a range LOW-HIGH (each request's "
        f"duration drawn from its body) (default: {DEFAULT_JOB_SECONDS:g})",
    )
    parser.add_argument(
        "--queue-limit",
        type=int,
        default=DEFAULT_QUEUE_LIMIT,
        help=f"jobs queued at once before a generation is refused with 429; 0: none (default: {DEFAULT_QUEUE_LIMIT})",
    )
    parser.add_argument(
        "--submit-delay", type=float, default=0.0, help="seconds to wait before answering a queued generation"
    )
    parser.add_argument(
        "--fault",
        action="append",
        choices=sorted(FAULTS),
        default=[],
        help="show this fault (repeat for several): " + "; ".join(f"{k}: {v}" for k, v in FAULTS.items()),
    )


def mock_options(
    job_seconds: float | tuple[float, float] = DEFAULT_JOB_SECONDS,
    queue_limit: int | None = DEFAULT_QUEUE_LIMIT,
    submit_delay: float = 0.0,
    port: int = 0,
    faults: tuple[str, ...] = (),
) -> list[str]:
    """The command-line options (add_mock_options') that serve a mock so."""
    seconds = "-".join(map(str, job_seconds)) if isinstance(job_seconds, tuple) else str(job_seconds)
    return [
        *(option for fault in faults for option in ("--fault", fault)),
        "--port",
        str(port),
        "--job-seconds",
        seconds,
        "--queue-limit",
        str(queue_limit or 0),
        "--submit-delay",
        str(submit_delay),
    ]
