"""The ```python blocks of the user docs (README.md and docs/*.md): what `tests/this_api/test_readme.py` runs, and
what `make typecheck` checks with `mypy --strict` (`python -m enterprise3d_devkit.harness.readme_snippets`), so that
the examples users copy run and type-check as written.

A block may be preceded by `<!-- readme-test: status=NNN body={json} -->` (invisible on GitHub): the answer the
test's mock gives it, so that an error-handling example takes the branch it describes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enterprise3d_devkit.repo.layout import REPO

README = REPO / "README.md"
# The user docs whose examples are run and type-checked: the README, then its pages.
USER_DOCS = [README, *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!-- readme-test: (?P<directive>.*?) -->\n)?```python\n(?P<code>.*?)```", re.S)
DIRECTIVE = re.compile(r"status=(?P<status>\d{3})(?: body=(?P<body>\{.*\}))?$")


@dataclass(frozen=True)
class Snippet:
    path: Path
    line: int
    code: str
    status: int | None
    body: Any


def snippets(paths: list[Path] | None = None) -> list[Snippet]:
    """Every block of these documents (default: the user docs), in order."""
    return [snippet for path in (USER_DOCS if paths is None else paths) for snippet in _snippets(path)]


def _snippets(path: Path) -> list[Snippet]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        status = body = None
        if match["directive"]:
            parsed = DIRECTIVE.match(match["directive"])
            if parsed is None:
                raise ValueError(f"unreadable readme-test directive: {match['directive']!r}")
            status = int(parsed["status"])
            body = json.loads(parsed["body"]) if parsed["body"] else None
        found.append(Snippet(path, text.count("\n", 0, match.start("code")) + 1, match["code"], status, body))
    return found


def typecheck(paths: list[Path] | None = None) -> int:
    """mypy --strict on every block, each a module of its own; mypy's exit status."""
    found = snippets(paths)
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for index, snippet in enumerate(found):
            file = Path(folder) / f"snippet_{index}.py"
            file.write_text(snippet.code, encoding="utf-8")
            files.append(str(file))
        command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *files]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():  # name the documents' lines, not the temporary files
        print(re.sub(r"^.*snippet_(\d+)\.py:(\d+)", lambda m: where(found[int(m[1])], int(m[2])), line))
    return result.returncode


def where(snippet: Snippet, line: int) -> str:
    """A line of a snippet as its document's line: "README.md:42"."""
    path = snippet.path.relative_to(REPO) if snippet.path.is_relative_to(REPO) else snippet.path
    return f"{path}:{snippet.line + line - 1}"


if __name__ == "__main__":
    sys.exit(typecheck())
