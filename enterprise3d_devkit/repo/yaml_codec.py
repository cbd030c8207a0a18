"""YAML reading for the dev tools, and writing of the files only programs read, through libyaml when PyYAML has it.

The tools and the test suite read the spec, the overlay and the operation table hundreds of times, and PyYAML's
pure-Python loader is slow; the C parser feeds the same safe constructors. The two parsers disagree on a few
malformed documents, so a document the C parser refuses is read again by the Python one: what it accepts, and the
errors it gives (with their line and column), stay exactly PyYAML's.
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
_FAST_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

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


def dump_for_machines(data: Any) -> str:
    """`data` as YAML that loads back to the same data, written by libyaml's emitter (ten times PyYAML's speed).

    Its bytes may differ from yaml.safe_dump's (libyaml escapes and wraps some strings otherwise), so it is only for
    files that programs read, such as the effective spec the generator is given; files that people review and
    that are committed keep PyYAML's own emitter.
    """
    return yaml.dump(data, Dumper=_FAST_DUMPER, sort_keys=False, allow_unicode=True)
