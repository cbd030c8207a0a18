"""`python -m modelslab_enterprise_3d`: the command line (the `modelslab-3d` console script)."""

import sys

from ._cli import main

sys.exit(main())
