"""The logging switch: MODELSLAB_LOG=info (each request's answer, each retry and its wait, each poll of a wait) or
debug (each request as it is sent, too), on stderr through `logging`, as OPENAI_LOG does for openai-python.

Lines name the operation, the method and the URL without its query, the status, the seconds; never a body or a
header, so never the key or a credential. Without the variable nothing is configured: the records still go to the
package's logger (`logging.getLogger("modelslab_enterprise_3d")`) for an application's own logging set-up.
"""

from __future__ import annotations

import logging
import os

LOG_ENV = "MODELSLAB_LOG"
LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
# The package's logger (this module is core/logs.py of the package): every module's logger is a child of it.
PACKAGE = __name__.rsplit(".", 2)[0]

logger = logging.getLogger(PACKAGE)


class _SwitchHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler the switch installs (one per process, whatever the number of clients)."""


def setup_logging() -> None:
    """Apply MODELSLAB_LOG, once per process: a stderr handler on the package's logger at that level."""
    level = LEVELS.get(os.environ.get(LOG_ENV, "").strip().lower())
    if level is None or any(isinstance(h, _SwitchHandler) for h in logger.handlers):
        return
    handler = _SwitchHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
