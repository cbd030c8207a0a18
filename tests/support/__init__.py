"""The one test-support layer: what more than one test folder needs lives here, and only here.

Test folders import from tests.support (and tests.conftest's fixtures), never from each other.
"""
