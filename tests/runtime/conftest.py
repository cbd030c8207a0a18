"""The runtime's unit tests import it where it is written (codegen/runtime/), not from the generated package:
they need no generation, and they fail on the code itself rather than on a stale copy."""
