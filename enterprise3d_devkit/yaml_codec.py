"""YAML reading for the dev tools, through libyaml's C parser when PyYAML has it.

PyYAML's pure-Python loader takes about 50 ms for openapi.yaml, and the tools and the test suite read the spec, the
overlay and the operation table hundreds of times; the C parser feeds the same safe constructors about ten times
faster. The two parsers disagree on a few malformed documents, so a document the C parser refuses is read again by
the Python one: what it accepts, and the errors it gives (with their line and column), stay exactly PyYAML's.
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)

# What a document that is not YAML raises.
YAMLError = yaml.YAMLError


def load(text: str | bytes) -> Any:
    """The document in `text`, as yaml.safe_load gives it."""
    if _FAST is not None:
        try:
            return yaml.load(text, Loader=_FAST)
        except yaml.YAMLError:
            pass  # PyYAML's own parser decides, and words the error
    return yaml.safe_load(text)
