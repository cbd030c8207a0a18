"""The retry policy of the clients, and the exception each failed answer raises: which statuses and transport errors
are tried again, how long to wait before each retry, and the one map from an error status to its exception.
"""

from __future__ import annotations

import httpx

from . import errors
from .answers import MAX_RETRY_DELAY, refusal_delay, retry_after_seconds
from .vendor_facts import REFUSED_STATUSES

# What a retry-safe operation is retried on: statuses that say "try again later" (the vendor's advice for 429 and
# for its 5xx answers; 501 and 505 say the request can never work, so they are not among them) ...
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


# ... and transport errors after which the request may or may not have reached the server.
RETRYABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


# The errors after which it surely did not (no connection was made): every operation may be retried on these.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


INITIAL_RETRY_DELAY = 0.5  # seconds; doubled each retry, then full jitter: a uniform draw in [0, that)


MAX_BACKOFF = 8.0


# Which exception an error status raises; a status not listed raises InternalServerError from 500 up, else
# APIStatusError. The one map: the documentation's error table is this.
STATUS_ERRORS: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    402: errors.PaymentRequiredError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    422: errors.UnprocessableEntityError,
    429: errors.RateLimitError,
}


def error_class(status: int) -> type[errors.APIStatusError]:
    """The APIStatusError subclass an answer with this (error) status raises."""
    cls = STATUS_ERRORS.get(status)
    if cls is None:
        cls = errors.InternalServerError if status >= 500 else errors.APIStatusError
    return cls


def status_error(operation: str, response: httpx.Response, body: object) -> errors.APIStatusError:
    """The exception for this error answer."""
    return error_class(response.status_code)(operation, response, body)


def retry_delay(attempt: int, response: httpx.Response | None) -> float:
    """Seconds to wait before retry number `attempt` (1-based): what the server asks (Retry-After, else the body's
    retry_after) when it asks for a pause, else exponential backoff with full jitter; never more than
    MAX_RETRY_DELAY. A refusal (REFUSED_STATUSES) waits refusal_delay's."""
    asked = retry_after_seconds(response) if response is not None else None
    if response is not None and response.status_code in REFUSED_STATUSES:
        return refusal_delay(attempt, asked)
    if asked is not None and asked > 0:
        return min(asked, MAX_RETRY_DELAY)
    import random  # only a client that retries pays for importing it

    return min(random.uniform(0.0, min(MAX_BACKOFF, INITIAL_RETRY_DELAY * 2 ** (attempt - 1))), MAX_RETRY_DELAY)


def connection_error(where: str, error: httpx.TransportError) -> errors.APIConnectionError:
    sent = not isinstance(error, NOT_SENT_ERRORS)
    if isinstance(error, httpx.TimeoutException):
        return errors.APITimeoutError(where, sent=sent)
    return errors.APIConnectionError(where, f"Connection error ({type(error).__name__}: {error}).", sent=sent)
