"""`python -m modelslab_enterprise_3d`: the command line (the `modelslab-3d` console script)."""

import sys

from .client import main  # type: ignore[import-not-found,unused-ignore]  # (generated)

sys.exit(main())
