"""Every error the clients raise, in one module.

The high-level clients (Enterprise3D, AsyncEnterprise3D) raise only these; catch `APIError` for all of them:

    APIError
    ├── APIConnectionError          the request did not complete: DNS, refused, reset, TLS ...
    │   └── APITimeoutError         ... or it took longer than the client's timeout
    ├── APIStatusError              the server answered 4xx/5xx: status_code, headers, content, body, operation
    │   ├── BadRequestError             400
    │   ├── AuthenticationError         401
    │   ├── PaymentRequiredError        402  the vendor's "out of credits"
    │   ├── PermissionDeniedError       403  the feature is not on the plan
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── UnprocessableEntityError    422
    │   ├── RateLimitError              429  retry_after: seconds, from Retry-After or the body's retry_after
    │   └── InternalServerError         >= 500
    ├── OperationFailedError        a 2xx whose body says "status": "error"; `result` is the parsed body
    ├── InvalidResponse             a body that does not match the spec (InvalidField says where)
    └── UnexpectedStatus            a status the spec does not document (2xx/3xx); the functional API raises it
                                    only with Client(raise_on_unexpected_status=True)

No exception's message or repr contains the request: the API key travels in the request body.
"""

import email.utils
import time
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


class APIError(Exception):
    """Base of every error about an API call. `operation` names the call ("clear_queue (POST /clear_queue)")
    when it is known."""

    operation: str | None = None


class APIConnectionError(APIError):
    """The request did not complete (no connection, connection reset, TLS failure, ...). The httpx exception is
    the `__cause__`."""

    operation: str

    def __init__(self, operation: str, message: str = "Connection error.") -> None:
        self.operation = operation
        super().__init__(f"{operation}: {message}")


class APITimeoutError(APIConnectionError):
    """The request took longer than the client's timeout (connect, read, write or pool)."""

    def __init__(self, operation: str) -> None:
        super().__init__(operation, "Request timed out.")


class APIStatusError(APIError):
    """The server answered with an error status (4xx/5xx).

    `status_code`, `headers`, `content` (the raw body), `body` (the body parsed into the spec's model when the spec
    documents this status and the body matches it; else the decoded JSON; else None), `message` (the body's message,
    when it has one) and `operation`.
    """

    operation: str
    status_code: int
    headers: httpx.Headers
    content: bytes
    message: str | None

    def __init__(self, operation: str, response: httpx.Response, body: object) -> None:
        self.body = body
        detail = _keep_answer(self, operation, response, body)
        summary = f"{operation}: HTTP {response.status_code} {response.reason_phrase}"
        super().__init__(f"{summary}: {detail}" if detail else summary)


class BadRequestError(APIStatusError):
    """400: the server rejected the request's parameters."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PaymentRequiredError(APIStatusError):
    """402: the account is out of credits."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this feature (not on the plan)."""


class NotFoundError(APIStatusError):
    """404: no such resource (for example, an unknown request id)."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429: too many requests, or the queue is full. `retry_after`: seconds to wait, from the Retry-After header
    (seconds or an HTTP date) or else the vendor's body field `retry_after`; None when neither says."""

    def __init__(self, operation: str, response: httpx.Response, body: object) -> None:
        super().__init__(operation, response, body)
        self.retry_after = retry_after_seconds(response)


class InternalServerError(APIStatusError):
    """5xx: the server failed; the vendor advises waiting and retrying."""


class OperationFailedError(APIError):
    """The server answered 2xx, but the body's `status` is "error": the operation did not happen.
    `result` is the parsed body (the operation's success model), `message` its message."""

    operation: str
    status_code: int
    headers: httpx.Headers
    content: bytes
    message: str | None

    def __init__(self, operation: str, response: httpx.Response, result: object) -> None:
        self.result = result
        super().__init__(f"{operation}: the operation failed: {_keep_answer(self, operation, response, result)}")


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(operation: str, response: httpx.Response, body: object) -> APIStatusError:
    """The APIStatusError subclass for this response's status."""
    cls = _STATUS_ERRORS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    return cls(operation, response, body)


def _keep_answer(
    error: APIStatusError | OperationFailedError, operation: str, response: httpx.Response, body: object
) -> str:
    """Keep what the server answered on the error (`operation`, `status_code`, `headers`, `content`, `message`);
    return what its message should say: the body's message, else a bounded preview of the raw body."""
    error.operation = operation
    error.status_code = response.status_code
    error.headers = response.headers
    error.content = response.content
    error.message = _message_of(body)
    return error.message if error.message is not None else _preview(response.content)


def _message_of(body: object) -> str | None:
    """The `message` of a parsed body (a model or a dict); the vendor's legacy spelling `messege` too."""
    for name in ("message", "messege"):
        value = body.get(name) if isinstance(body, dict) else getattr(body, name, None)
        if isinstance(value, str):
            return value
    return None


def retry_after_seconds(response: httpx.Response) -> float | None:
    """How long the server asks the client to wait: the Retry-After header (delay-seconds or an HTTP date), else the
    vendor's body field `retry_after` (seconds, its 429 bodies carry it); None when neither gives a usable value."""
    header = response.headers.get("retry-after", "").strip()
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            pass
        try:
            return max(0.0, email.utils.parsedate_to_datetime(header).timestamp() - time.time())
        except (TypeError, ValueError, IndexError):
            pass
    if b"retry_after" in response.content:  # only then is the body worth decoding
        try:
            value = response.json().get("retry_after")
        except (ValueError, AttributeError):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return float(value)
    return None


class UnexpectedStatus(APIError):
    """Raised by api functions when the response status is an undocumented status and
    Client.raise_on_unexpected_status is True; by the high-level clients for an undocumented 1xx/2xx/3xx."""

    def __init__(self, status_code: int, content: bytes, operation: str | None = None):
        self.status_code = status_code
        self.content = content
        self.operation = operation
        where = f"{operation}: " if operation else ""
        super().__init__(f"{where}Unexpected status code: {status_code}\n\nResponse content:\n{_preview(content)}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (UnexpectedStatus, (self.status_code, self.content, self.operation))


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


class InvalidResponse(APIError):
    """Raised by the api functions (sync and detailed alike) when a *documented* status carries a body
    that does not match the spec: not JSON, not an object, a required field missing or null, a value of
    the wrong type, an unknown enum value.

    The response stays inspectable: `status_code`, `headers`, `content` (the raw body) and `response`
    (the httpx.Response). `operation` names the API call, `field`/`expected` the first problem found.
    """

    operation: str

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


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "InvalidField",
    "InvalidResponse",
    "NotFoundError",
    "OperationFailedError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnexpectedStatus",
    "UnprocessableEntityError",
]
