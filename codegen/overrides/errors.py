"""Errors raised by the API functions."""

from typing import Any

import httpx

# How much of a response body an error message quotes; the full body is always on the exception.
PREVIEW_BYTES = 500


def _preview(content: bytes) -> str:
    text = content[:PREVIEW_BYTES].decode(errors="replace")
    return text if len(content) <= PREVIEW_BYTES else f"{text}... ({len(content)} bytes in all)"


def describe_value(value: object) -> str:
    """A short description of a value that did not match its schema, for error messages."""
    if value is None:
        return "null"
    text = repr(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{text} ({type(value).__name__})"


class UnexpectedStatus(Exception):
    """Raised by api functions when the response status is an undocumented status and
    Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(f"Unexpected status code: {status_code}\n\nResponse content:\n{_preview(content)}")


class InvalidField(ValueError):
    """A value in a response body does not match its schema (raised by the models' from_dict).

    `field` is a dotted path into the body ("" for the body itself), `expected` says what the spec
    wants there, `got` what arrived.
    """

    def __init__(self, field: str, expected: str, got: Any):
        self.field = field
        self.expected = expected
        self.got = got
        where = f"field {field!r}" if field else "the body"
        super().__init__(f"{where}: expected {expected}, got {got}")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable/copyable despite the keyword-rich __init__
        return (InvalidField, (self.field, self.expected, self.got))

    def inside(self, parent: str) -> "InvalidField":
        """The same problem, seen from the enclosing object."""
        return InvalidField(f"{parent}.{self.field}" if self.field else parent, self.expected, self.got)


class InvalidResponse(Exception):
    """Raised by the api functions (sync and detailed alike) when a *documented* status carries a body
    that does not match the spec: not JSON, not an object, a required field missing or null, a value of
    the wrong type, an unknown enum value.

    The response stays inspectable: `status_code`, `headers`, `content` (the raw body) and `response`
    (the httpx.Response). `operation` names the API call, `field`/`expected` the first problem found.
    """

    def __init__(self, *, operation: str, response: httpx.Response, field: str | None, expected: str, reason: str):
        self.operation = operation
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.content
        self.field = field
        self.expected = expected
        super().__init__(
            f"{operation}: invalid body for HTTP {response.status_code}: {reason}\n\n"
            f"Response content:\n{_preview(response.content)}"
        )

    @classmethod
    def from_error(cls, operation: str, response: httpx.Response, error: Exception) -> "InvalidResponse":
        if isinstance(error, InvalidField):
            return cls(
                operation=operation, response=response, field=error.field, expected=error.expected, reason=str(error)
            )
        if isinstance(error, ValueError):  # json.JSONDecodeError, UnicodeDecodeError
            reason = f"the body is not JSON ({error})" if response.content.strip() else "the body is empty"
            return cls(operation=operation, response=response, field=None, expected="a JSON body", reason=reason)
        return cls(
            operation=operation, response=response, field=None, expected="a body matching the spec", reason=repr(error)
        )


__all__ = ["InvalidField", "InvalidResponse", "UnexpectedStatus"]
