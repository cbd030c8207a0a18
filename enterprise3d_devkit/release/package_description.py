"""The distribution's long description (its PyPI page): README.md for users, without what only contributors need.

README.md marks the contributors' parts (the pipeline, the two set-up commands, where the examples are tested, how
to contribute) between `<!-- contributors: start -->` and `<!-- contributors: end -->`; the page leaves them out,
and names the guides under docs/ (shipped in the source distribution) as files, since their relative links would
lead nowhere on PyPI. Hatchling reads it through its custom metadata hook (pyproject.toml), so one README serves both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

CONTRIBUTORS_ONLY = re.compile(r"<!-- contributors: start -->.*?<!-- contributors: end -->\n?", re.S)
COMMENT = re.compile(r"<!--.*?-->\n?", re.S)  # (notes for the repository's readers and tests)
RELATIVE_LINK = re.compile(r"\[([^\]]+)\]\(((?:docs/|CONTRIBUTING)[^)]*)\)")


def description(readme: str) -> str:
    """README's text for users: the contributors' parts left out, links into the repository as file names."""
    text = COMMENT.sub("", CONTRIBUTORS_ONLY.sub("", readme))
    return RELATIVE_LINK.sub(lambda match: f"`{match.group(2)}`", text).rstrip() + "\n"


class PackageDescriptionHook(MetadataHookInterface):
    """pyproject.toml's `[tool.hatch.metadata.hooks.custom]`: the `readme` field, from README.md."""

    def update(self, metadata: dict[str, Any]) -> None:
        readme = (Path(self.root) / "README.md").read_text(encoding="utf-8")
        metadata["readme"] = {"content-type": "text/markdown", "text": description(readme)}
