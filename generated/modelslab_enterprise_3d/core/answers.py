"""Reading what the server answered: its message and retry delay (for errors and retries), and a job's status, id,
eta and output URLs (for waits, the ledger and what the command line prints)."""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable

import httpx

from .vendor_facts import (
    ETA_FIELD,
    JOB_ID_FIELD,
    LEGACY_SPELLINGS,
    MESSAGE_FIELD,
    OUTPUT_FIELD,
    RETRY_AFTER_FIELD,
    STATUS_FIELD,
)

# How much of a response body an error message quotes; the full body is always on the exception.
PREVIEW_BYTES = 500
MAX_RETRY_DELAY = 60.0  # no wait is longer, whatever Retry-After or retry_after ask
# A refusal (429) is never sent again sooner than this, whatever Retry-After says (0, negative, a date past): a
# server that says "now" while its queue is full would otherwise be asked again at once, without end.
MIN_REFUSAL_DELAY = 1.0


def describe_value(value: object) -> str:
    """A short description of a value that did not match its schema, for error messages."""
    if value is None:
        return "null"
    text = repr(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def preview(content: bytes) -> str:
    """At most PREVIEW_BYTES of a body, for error messages."""
    text = content[:PREVIEW_BYTES].decode(errors="replace")
    return text if len(content) <= PREVIEW_BYTES else f"{text}... ({len(content)} bytes in all)"


def message_of(body: object) -> str | None:
    """The `message` of a parsed body (a model or a dict), under its legacy spelling too; else the `message` of its
    `error` object (the error body of the vendor's OpenAI- and Anthropic-compatible APIs)."""
    for name in (MESSAGE_FIELD, *(legacy for field, legacy in LEGACY_SPELLINGS.items() if field == MESSAGE_FIELD)):
        value = _field(body, name)
        if isinstance(value, str):
            return value
    nested = _field(_field(body, "error"), MESSAGE_FIELD)
    return nested if isinstance(nested, str) else None


def _field(body: object, name: str) -> object:
    return body.get(name) if isinstance(body, dict) else getattr(body, name, None)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """How long the server asks the client to wait: the Retry-After header (delay-seconds or an HTTP date), else the
    body's `retry_after` (seconds, as the vendor's 429 bodies carry it); None when neither gives a usable value."""
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
    if RETRY_AFTER_FIELD.encode() in response.content:  # only then is the body worth decoding
        try:
            value = response.json().get(RETRY_AFTER_FIELD)
        except (ValueError, AttributeError):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return float(value)
    return None


def refusal_delay(attempt: int, asked: float | None, draw: Callable[[], float] | None = None) -> float:
    """Seconds to wait before sending a refused request again, the `attempt`-th time (1-based): what the server
    asked, at least MIN_REFUSAL_DELAY; when it asked for no pause (missing, 0, negative, a date past), exponential
    backoff from MIN_REFUSAL_DELAY with jitter (up to half again, `draw` in [0, 1)); never more than
    MAX_RETRY_DELAY."""
    if asked is not None and asked > 0:
        return min(max(asked, MIN_REFUSAL_DELAY), MAX_RETRY_DELAY)
    if draw is None:
        import random

        draw = random.random
    base: float = min(MIN_REFUSAL_DELAY * 2.0 ** max(attempt - 1, 0), MAX_RETRY_DELAY)
    return min(base * (1.0 + 0.5 * float(draw())), MAX_RETRY_DELAY)


def status_of(answer: object) -> object:
    """An answer's `status` as its plain value ("processing"), or None."""
    status = getattr(answer, STATUS_FIELD, None)
    return getattr(status, "value", status)


def job_id_of(answer: object) -> str | None:
    """The job id an answer carries, as the text its fetch path takes; None when it has none."""
    value = getattr(answer, JOB_ID_FIELD, None)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        return None
    return str(value)


def outputs_of(answer: object) -> list[str]:
    """The output URLs an answer carries (its `output` list's strings); [] when it has none."""
    urls = getattr(answer, OUTPUT_FIELD, None)
    return [url for url in urls if isinstance(url, str)] if isinstance(urls, list) else []


def eta_of(answer: object) -> float | None:
    """The seconds an answer says are left, when it says so with a usable number."""
    value = getattr(answer, ETA_FIELD, None)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)
