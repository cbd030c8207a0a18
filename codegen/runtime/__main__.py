"""The command line (`modelslab-3d`, `python -m modelslab_enterprise_3d`): where its products meet.

The command line package runs the operations' commands over the clients; the testing package adds `mock`. This module
is the only one that puts them together, so that neither imports the other.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cli.main import ExtraCommand


def extra_commands() -> tuple[ExtraCommand, ...]:
    """The subcommands the other products add: the testing package's `mock`."""
    from .cli.main import ExtraCommand
    from .testing import command as mock_command

    mock = ExtraCommand(
        "mock",
        mock_command.MOCK_COMMAND_HELP,
        mock_command.MOCK_COMMAND_DESCRIPTION,
        mock_command.add_mock_options,
        mock_command.serve_mock_command,
    )
    return (mock,)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: one subcommand per operation, the job and config commands, and `mock`; its exit status."""
    from .api import OPERATIONS  # type: ignore[import-not-found,unused-ignore]  # (generated)
    from .cli.main import run
    from .client import AsyncEnterprise3D, Enterprise3D  # type: ignore[import-not-found,unused-ignore]  # (generated)

    return run(argv, OPERATIONS, Enterprise3D, AsyncEnterprise3D, extra_commands())


if __name__ == "__main__":
    sys.exit(main())
