"""The generated package's _version.py, added by generate.sh to the generator's output (which may come from its
cache: the version is not among the generator's inputs): the version pyproject.toml gives, for `__version__` and the
User-Agent. The same interpreter start prints the installed versions of the tools named, for generate.sh to check.

    python -m enterprise3d_devkit.generation.version_module PYPROJECT OUT [TOOL ...]

Written in rather than read from the installed distribution's metadata, which would cost the first call as much as
importing attrs (make bench).
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

from enterprise3d_devkit.generation.marker import MARKER


def version_of(pyproject: Path) -> str:
    """`[project] version` of a pyproject.toml; a ValueError when there is none."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    version = project.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError(f"{pyproject} gives no [project] version")
    return version


def installed_version(distribution: str, path: list[str] = sys.path) -> str:
    """The version of an installed distribution, read from the name of its metadata folder,
    `{name}-{version}.dist-info` (the form the wheel and installed-project specifications give it), on the first
    entry of `path` that has one. A LookupError when none does.

    Not importlib.metadata.version(): importing it (email header parsing, zip files) would be most of this
    interpreter's work, and generate.sh starts one for every run, cache hits included."""
    wanted = _normalized(distribution)
    for entry in path:
        try:
            folders = os.listdir(entry or ".")
        except OSError:  # a zip file, a folder since removed
            continue
        for folder in folders:
            name, dash, version = folder.removesuffix(".dist-info").partition("-")
            if folder.endswith(".dist-info") and dash and _normalized(name) == wanted:
                return version
    raise LookupError(f"{distribution} is not installed")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def module_text(version: str) -> str:
    if '"' in version or "\\" in version or "\n" in version:
        raise ValueError(f"not a version: {version!r}")
    return f'{MARKER}"""The version of this package."""\n\n__version__ = "{version}"\n'


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(
            "usage: python -m enterprise3d_devkit.generation.version_module PYPROJECT OUT [TOOL ...]", file=sys.stderr
        )
        return 2
    try:
        Path(argv[2]).write_text(module_text(version_of(Path(argv[1]))), encoding="utf-8")
        print(*(installed_version(tool) for tool in argv[3:]))
    except (OSError, ValueError, tomllib.TOMLDecodeError, LookupError) as exc:
        print(f"version_module: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
