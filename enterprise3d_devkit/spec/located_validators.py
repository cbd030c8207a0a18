"""openapi-spec-validator's validators, made to say where in the document each error is.

Its semantic checks (an undeclared path parameter, a default outside its enum, a required field that is not a
property) raise errors that carry no location, and a message alone leaves a reader searching a 2,000-line
document. Each of its keyword validators is handed the SchemaPath of the node it checks; the subclasses below
prepend that location to the error's own path (which the library keeps when it re-wraps errors) as the error
leaves the innermost validator. They are installed through the validator class's own `keyword_validators` table,
so the library's checks run unchanged.

A module of its own because importing the library takes a quarter of a second: a document refused before it is
validated (not YAML, not OpenAPI 3) is refused without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema_path import SchemaPath
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation.keywords import KeywordValidator, ValueValidator
from openapi_spec_validator.validation.validators import SpecValidator
from referencing.exceptions import Unresolvable

__all__ = ["VALIDATORS", "Unresolvable", "ValidationError"]

_LOCATED = "_spec_location_added"


def _located(keyword: str, cls: type[KeywordValidator]) -> type[KeywordValidator]:
    def __call__(self: KeywordValidator, *args: Any, **kwargs: Any) -> Iterator[Any]:
        nodes = [arg for arg in args if isinstance(arg, SchemaPath)]
        parts = list(nodes[-1].parts) if nodes else []
        if issubclass(cls, ValueValidator):  # it checks a schema's default value: point at the value
            parts.append(keyword)
        for error in cls.__call__(self, *args, **kwargs):
            if isinstance(error, ValidationError) and not getattr(error, _LOCATED, False):
                error.path.extendleft(reversed(parts))
                setattr(error, _LOCATED, True)
            yield error

    return type(f"Located{cls.__name__}", (cls,), {"__call__": __call__})


def _located_validator(base: type[SpecValidator]) -> type[SpecValidator]:
    table = {keyword: _located(keyword, cls) for keyword, cls in base.keyword_validators.items()}
    return type(f"Located{base.__name__}", (base,), {"keyword_validators": table})


VALIDATORS = {"3.0": _located_validator(OpenAPIV30SpecValidator), "3.1": _located_validator(OpenAPIV31SpecValidator)}
