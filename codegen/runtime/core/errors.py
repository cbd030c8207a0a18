"""The exceptions the clients raise (the package's `errors` module shows them to users, with their tree)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx

from .answers import describe_value, message_of, preview, retry_after_seconds


class APIError(Exception):
    """Base of every error about an API call. `operation` names the call ("clear_queue (POST /clear_queue)")
    when it is known."""

    operation: str | None = None


class APIConnectionError(APIError):
    """The request did not complete (no connection, connection reset, TLS failure, ...). The httpx exception is
    the `__cause__`. `sent`: whether the request may have reached the server (False: no connection was made, so
    nothing was sent)."""

    operation: str

    def __init__(self, operation: str, message: str = "Connection error.", *, sent: bool = True) -> None:
        self.operation = operation
        self.sent = sent
        super().__init__(f"{operation}: {message}")


class APITimeoutError(APIConnectionError):
    """The request took longer than the client's timeout (connect, read, write or pool)."""

    def __init__(self, operation: str, *, sent: bool = True) -> None:
        super().__init__(operation, "Request timed out.", sent=sent)


class _AnsweredError(APIError):
    """What an error about an answer the server gave keeps of it."""

    operation: str
    status_code: int
    headers: httpx.Headers
    content: bytes
    message: str | None

    def _keep_answer(self, operation: str, response: httpx.Response, body: object) -> str:
        """Keep `operation`, `status_code`, `headers`, `content` and `message`; return what the exception's message
        should say: the body's message, else a bounded preview of the raw body."""
        self.operation = operation
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.content
        self.message = message_of(body)
        return self.message if self.message is not None else preview(response.content)


class APIStatusError(_AnsweredError):
    """The server answered with an error status (4xx/5xx).

    `status_code`, `headers`, `content` (the raw body), `body` (the body parsed into the spec's model when the spec
    documents this status and the body matches it; else the decoded JSON; else None), `message` (the body's message,
    when it has one) and `operation`.
    """

    def __init__(self, operation: str, response: httpx.Response, body: object) -> None:
        self.body = body
        detail = self._keep_answer(operation, response, body)
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
    """500 and up: the server failed (the vendor advises waiting and trying again)."""


class OperationFailedError(_AnsweredError):
    """The server answered 2xx, but the body's `status` says the operation failed ("error" or "failed"): it did not
    happen. `result` is the parsed body (the operation's model for it), `message` its message."""

    def __init__(self, operation: str, response: httpx.Response, result: object) -> None:
        self.result = result
        super().__init__(f"{operation}: the operation failed: {self._keep_answer(operation, response, result)}")


class GenerationFailedError(OperationFailedError):
    """A generation being waited for ended with "error" or "failed": `id` (None when the submission itself failed),
    `result` (the answer saying so), `message` (the vendor's reason)."""

    def __init__(self, failure: OperationFailedError, id: str | None) -> None:
        self.id = id
        self.result = failure.result
        self.operation = failure.operation
        self.status_code = failure.status_code
        self.headers = failure.headers
        self.content = failure.content
        self.message = failure.message
        job = f"generation {id}" if id is not None else "the generation"
        APIError.__init__(self, f"{failure.operation}: {job} failed: {failure.message or preview(failure.content)}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__, self.args))


class GenerationTimeoutError(APIError, TimeoutError):
    """A generation was not done when the wait's deadline came. The job goes on on the server: `id` is its id
    (pass it to wait_for_result to keep waiting), `last` the last answer (its status and eta), `timeout` the seconds
    waited, `polls` how often the result was fetched."""

    def __init__(self, operation: str, id: str | None, last: object, timeout: float, polls: int) -> None:
        self.operation = operation
        self.id = id
        self.last = last
        self.timeout = timeout
        self.polls = polls
        status = getattr(getattr(last, "status", None), "value", getattr(last, "status", None))
        done = f"not done within {timeout:g} s ({polls} polls, last status {status!r}); it goes on on the server"
        super().__init__(f"{operation}: generation {id} {done}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__, self.args))


class DownloadError(APIError):
    """An output file could not be downloaded: the file host answered an error status (`status_code`), the
    connection failed (the httpx error is the `__cause__`), or fewer bytes came than Content-Length announced.
    Nothing of the call's files is left in the directory, not even a part. `url` is the file's URL."""

    def __init__(self, url: str, message: str, status_code: int | None = None) -> None:
        self.url = url
        self.status_code = status_code
        super().__init__(f"download of {url} failed: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__, self.args))


def _rebuild(cls: type[APIError], state: dict[str, Any], args: tuple[Any, ...]) -> APIError:
    """Unpickle an exception whose __init__ takes what it was built from, not its message."""
    error = cls.__new__(cls)
    error.__dict__.update(state)
    error.args = args
    return error


class UnexpectedStatus(APIError):
    """Raised by api functions when the response status is an undocumented status and
    Client.raise_on_unexpected_status is True; by the high-level clients for an undocumented 1xx/2xx/3xx."""

    def __init__(self, status_code: int, content: bytes, operation: str | None = None):
        self.status_code = status_code
        self.content = content
        self.operation = operation
        where = f"{operation}: " if operation else ""
        super().__init__(f"{where}Unexpected status code: {status_code}\n\nResponse content:\n{preview(content)}")

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

    # What `got` says of a credential field's value, which no message may show.
    HIDDEN = object()

    def __reduce__(self) -> tuple[Any, ...]:  # picklable/copyable despite the keyword-rich __init__
        return (InvalidField, (self.field, self.expected, self.got))

    @classmethod
    def at(cls, field: str, expected: str, error: Exception, value: object) -> InvalidField:
        """The problem `error` (raised while a model read `field`, whose value was `value`) as an InvalidField."""
        if isinstance(error, InvalidField):
            return error.inside(field)
        return cls(field, expected, "a value of the wrong type" if value is cls.HIDDEN else describe_value(value))

    def inside(self, parent: str) -> InvalidField:
        """The same problem, seen from the enclosing object."""
        return InvalidField(f"{parent}.{self.field}" if self.field else parent, self.expected, self.got)


class InvalidResponse(APIError):
    """Raised by the api functions (sync and detailed alike) when a *documented* status carries a body
    that does not match the spec: not JSON, not an object, a required field missing or null, a value of
    the wrong type; an enum value the spec does not list only when the client validates strictly
    (strict_response_validation=True).

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
            f"Response content:\n{preview(response.content)}"
        )

    @classmethod
    def from_error(cls, operation: str, response: httpx.Response, error: Exception) -> InvalidResponse:
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


class LedgerError(APIError):
    """The job ledger could not be used: the file is not a ledger, was written by a newer version of this package,
    cannot be opened or written (nothing was sent when it is raised before a request), or a batch folder is busy."""


class LedgerWriteError(LedgerError):
    """The ledger could not be written after the server had answered (locked by another process past the busy
    timeout, a full or read-only disk). The answer is not lost: `job_id` is its job's id (None when the answer
    had none), also printed on stderr at once and kept in `journal` (the file beside the ledger that its next open
    folds in; None if that could not be written either)."""

    def __init__(self, message: str, *, job_id: str | None, journal: str | None) -> None:
        self.job_id = job_id
        self.journal = journal
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__, self.args))


class FolderInUseError(LedgerError):
    """Another live process is running a batch on this output folder: `owner` says which (its process id and
    host). One batch runs on a folder at a time, so that no line is sent twice."""

    def __init__(self, message: str, owner: str) -> None:
        self.owner = owner
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__, self.args))


REDACTED = "[redacted]"
# A credential shorter than this is not looked for in answers: it would match ordinary words (no real key is so
# short; a placeholder such as "string" is).
MIN_REDACTED_LENGTH = 8
# What an answer's error keeps that may quote the request: each is cleaned of the request's credentials.
_ANSWER_ATTRIBUTES = ("content", "message", "body", "result", "got", "last", "expected")


def redact(error: BaseException, secrets: Iterable[str]) -> None:
    """Remove every value in `secrets` (the request's key, its credential fields' values) from `error` and the
    errors it was raised from: message, content, body, headers, the response it keeps. By value: wherever the
    server echoed them (as they were sent, or JSON-escaped)."""
    forms = sorted(
        {
            form
            for secret in secrets
            if len(secret) >= MIN_REDACTED_LENGTH
            for form in (secret, json.dumps(secret)[1:-1])
        },
        key=len,
        reverse=True,
    )
    if not forms:
        return
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(_redacted(arg, forms) for arg in current.args)
        state = vars(current)
        for name in _ANSWER_ATTRIBUTES:
            if name in state:
                state[name] = _redacted(state[name], forms)
        if isinstance(state.get("headers"), httpx.Headers):
            state["headers"] = httpx.Headers([(k, _redacted(v, forms)) for k, v in state["headers"].multi_items()])
        if isinstance(state.get("response"), httpx.Response):  # (its request holds the key)
            kept = state["response"]
            state["response"] = httpx.Response(
                kept.status_code, headers=state.get("headers", kept.headers), content=_redacted(kept.content, forms)
            )
        current = current.__cause__ or current.__context__


def _redacted(value: Any, forms: list[str], depth: int = 0) -> Any:
    if depth > 20:
        return value
    if type(value) is str:  # (an enum member, a str subclass, is the spec's value: never a credential)
        for form in forms:
            value = value.replace(form, REDACTED)
        return value
    if type(value) is bytes:
        for form in forms:
            value = value.replace(form.encode(), REDACTED.encode())
        return value
    if isinstance(value, list):
        return [_redacted(item, forms, depth + 1) for item in value]
    if isinstance(value, tuple):
        return tuple(_redacted(item, forms, depth + 1) for item in value)
    if isinstance(value, dict):
        return {key: _redacted(item, forms, depth + 1) for key, item in value.items()}
    for attribute in getattr(type(value), "__attrs_attrs__", ()):  # a generated model
        name = attribute.name
        kept = getattr(value, name)
        cleaned = _redacted(kept, forms, depth + 1)
        if cleaned is not kept and cleaned != kept:
            object.__setattr__(value, name, cleaned)
    return value


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DownloadError",
    "FolderInUseError",
    "GenerationFailedError",
    "GenerationTimeoutError",
    "InternalServerError",
    "InvalidField",
    "InvalidResponse",
    "LedgerError",
    "LedgerWriteError",
    "NotFoundError",
    "OperationFailedError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnexpectedStatus",
    "UnprocessableEntityError",
]
