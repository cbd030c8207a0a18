"""The command line's `mock` subcommand: what it says in the help, its options, and serving (which imports the mock
only when it runs, so that listing the command costs nothing)."""

from __future__ import annotations

import argparse

from .mock_options import TESTING_EXTRA, add_mock_options

__all__ = ["MOCK_COMMAND_DESCRIPTION", "MOCK_COMMAND_HELP", "add_mock_options", "serve_mock_command"]

# The `mock` subcommand, as the command line lists it.
MOCK_COMMAND_HELP = "serve the spec-driven mock of the API, for tests of your code (the testing extra); no key needed"
MOCK_COMMAND_DESCRIPTION = (
    "Answers as the spec says: each request validated against it (400 naming the violation), answers valid for it, "
    "each generation's job run (queued, then done, its files served), the queue limit (429), and any status a "
    "request asks for with `Prefer: code=NNN`. The first line printed is its base URL."
)


def serve_mock_command(args: argparse.Namespace) -> int:
    """`modelslab-3d mock`: serve this package's spec until interrupted (ValueError without the testing extra)."""
    try:
        from .package_mock import serve_command
    except ImportError:
        raise ValueError(TESTING_EXTRA) from None
    return serve_command(args)
