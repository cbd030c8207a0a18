"""The hand-written runtime of the generated package, as plain Python.

generate.sh copies every module of this folder but this one into the generated package, byte for byte; here they
are linted (ruff), type-checked (mypy --strict) and unit-tested (tests/runtime/) without generating anything.
The modules import only each other, the standard library, httpx and attrs; an extra's libraries (the command line's,
the MCP server's, the mock's of the `testing` extra) only inside `try: ... except ImportError`.
"""
