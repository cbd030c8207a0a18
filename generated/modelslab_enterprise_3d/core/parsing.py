"""Reading answers: what the generated models, endpoint functions and errors call to turn a body into values.

Answers are read leniently by default, as the vendor adds values without notice: an enum value the spec does not
list is kept (an "open" enum member, logged once) instead of failing the whole call. With strict response
validation (the clients' ``strict_response_validation=True``, for tests and CI) such a value is an error.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import IntEnum, StrEnum
from typing import Any, TypeVar

import httpx

from . import errors
from .answers import describe_value
from .vendor_facts import LEGACY_SPELLINGS

logger = logging.getLogger(__package__ or __name__)

_strict: contextvars.ContextVar[bool] = contextvars.ContextVar("strict_response_validation", default=False)
# The members made for values the spec does not list, one per (enum, value): the same object each time.
_unknown: dict[tuple[type, object], Any] = {}

T = TypeVar("T")


@contextmanager
def strict_validation(enabled: bool = True) -> Iterator[None]:
    """Within this block, answers are read strictly (an unknown enum value is an error) when `enabled`."""
    token = _strict.set(enabled)
    try:
        yield
    finally:
        _strict.reset(token)


def is_strict() -> bool:
    return _strict.get()


def parse(parse_response: Callable[..., T], client: Any, response: httpx.Response) -> T:
    """Call an endpoint's parser strictly or leniently, as `client.strict_response_validation` asks."""
    if getattr(client, "strict_response_validation", False):
        with strict_validation():
            return parse_response(client=client, response=response)
    return parse_response(client=client, response=response)


def parse_union(parse_variants: Callable[[object], T], data: object) -> T:
    """Parse a oneOf/anyOf value: strictly first, so that the variant whose enums fit wins over one that only an
    unknown value would let through; leniently only when no variant fits strictly (and strictness allows)."""
    if _strict.get():
        return parse_variants(data)
    with strict_validation():
        try:
            return parse_variants(data)
        except (TypeError, ValueError, AttributeError, KeyError):
            pass
    return parse_variants(data)


# A oneOf/anyOf variant the generator parses nothing for, by its type's name in the generated code -> the values
# it allows ("Any": every value; a bool is no number).
_PLAIN_VARIANTS: dict[str, tuple[type, ...]] = {
    "None": (type(None),),
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}


def plain_variant(data: T, variants: list[str]) -> T:
    """A oneOf/anyOf value that fits none of the variants with a parser of their own (models, enums, lists): kept
    when it is of one of the plain `variants` the union also allows, else a TypeError (the field's InvalidField)."""
    if "Any" in variants:
        return data
    return typed(data, *(kind for name in variants for kind in _PLAIN_VARIANTS.get(name, ())))


def _unknown_member(cls: type[Any], base: type[Any], value: object) -> Any:
    if _strict.get() or not isinstance(value, base) or isinstance(value, bool):
        return None  # Enum raises its usual ValueError
    key = (cls, value)
    member: Any = _unknown.get(key)
    if member is None:
        member = base.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        _unknown[key] = member
        logger.warning("%s: %r is not among the values the API's spec lists; kept as it came", cls.__name__, value)
    return member


class OpenStrEnum(StrEnum):
    """A string enum that keeps a value the spec does not list: `Status("new")` is a member of its own (named
    UNKNOWN) that equals the plain string "new", is unequal to every listed member, and goes back unchanged in
    to_dict(). `member.is_known` tells them apart."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        return _unknown_member(cls, str, value)

    @property
    def is_known(self) -> bool:
        """Whether the spec lists this value."""
        return self._name_ in type(self).__members__


class OpenIntEnum(IntEnum):
    """OpenStrEnum for integer enums."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        return _unknown_member(cls, int, value)

    @property
    def is_known(self) -> bool:
        """Whether the spec lists this value."""
        return self._name_ in type(self).__members__


def masked(value: object) -> str:
    """The repr of a credential field: never the value itself."""
    return "'***'" if isinstance(value, str) else repr(value)


def legacy_spellings(declared: tuple[str, ...]) -> dict[str, str]:
    """The legacy spellings a model with the fields `declared` reads its fields under too: a spelling is tolerated
    for a field the model declares, and never when the model declares the spelling itself as a field of its own."""
    return {
        name: spelling for name, spelling in LEGACY_SPELLINGS.items() if name in declared and spelling not in declared
    }


def fields_of(src_dict: object, required: tuple[str, ...], legacy: Mapping[str, str]) -> dict[str, Any]:
    """A model's fields, to be popped one by one: the object's own copy, its legacy spellings renamed. Raises
    errors.InvalidField when it is not an object or a required field is missing."""
    if type(src_dict) is not dict and not isinstance(src_dict, Mapping):  # (the exact type first: it is cheaper)
        raise errors.InvalidField("", "a JSON object", describe_value(src_dict))
    d = dict(src_dict)
    if legacy:
        for name, spelling in legacy.items():
            if name not in d and spelling in d:
                d[name] = d.pop(spelling)
    for name in required:
        if name not in d:
            raise errors.InvalidField(name, "a value (the field is required)", "nothing")
    return d


def typed(value: T, *types: type) -> T:
    """The value when it is of one of these types (a bool is no number), else a TypeError."""
    if type(value) in types or (isinstance(value, types) and not isinstance(value, bool)):
        return value  # (the exact type first: it is what JSON gives, and cheaper to check)
    raise TypeError(f"expected {' or '.join(t.__name__ for t in types)}")
