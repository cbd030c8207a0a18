"""Reading answers for messages and retries: previews, messages, Retry-After."""

from __future__ import annotations

import email.utils
import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from codegen.runtime.core import answers as _answers
from codegen.runtime.core import vendor_facts as _vendor_facts


def answer(headers: dict[str, str] | None = None, body: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.Response(429, json=body or {}, headers=headers or {})


def test_retry_after_reads_seconds_then_a_date_then_the_body() -> None:
    assert _answers.retry_after_seconds(answer(headers={"Retry-After": "7"})) == 7.0
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (_answers.retry_after_seconds(answer(headers={"Retry-After": soon})) or 0) <= 31
    assert _answers.retry_after_seconds(answer(body={_vendor_facts.RETRY_AFTER_FIELD: 12})) == 12.0
    assert (
        _answers.retry_after_seconds(answer(headers={"Retry-After": "3"}, body={_vendor_facts.RETRY_AFTER_FIELD: 12}))
        == 3
    )


@pytest.mark.parametrize("useless", ["soon", "-", ""])
def test_retry_after_ignores_what_it_cannot_read(useless: str) -> None:
    assert _answers.retry_after_seconds(answer(headers={"Retry-After": useless})) is None
    assert _answers.retry_after_seconds(answer(body={_vendor_facts.RETRY_AFTER_FIELD: useless})) is None
    assert _answers.retry_after_seconds(answer(body={_vendor_facts.RETRY_AFTER_FIELD: True})) is None
    assert _answers.retry_after_seconds(httpx.Response(429, content=b"retry_after: not json")) is None


def test_a_date_in_the_past_means_now() -> None:
    past = email.utils.formatdate(time.time() - 3600, usegmt=True)
    assert _answers.retry_after_seconds(answer(headers={"Retry-After": past})) == 0.0


def test_the_preview_is_bounded_and_says_how_much_there_was() -> None:
    big = b"x" * (_answers.PREVIEW_BYTES * 3)
    text = _answers.preview(big)
    assert text.startswith("x" * _answers.PREVIEW_BYTES) and str(len(big)) in text
    assert len(text) < _answers.PREVIEW_BYTES + 40
    assert _answers.preview(b"short") == "short"


def test_the_message_is_read_under_its_legacy_spelling_too() -> None:
    for name, spelling in _vendor_facts.LEGACY_SPELLINGS.items():
        if name == "message":
            assert _answers.message_of({spelling: "old"}) == "old"
    assert _answers.message_of({"message": "new"}) == "new"
    assert _answers.message_of({"message": 3}) is None
    assert _answers.message_of(object()) is None


def test_the_message_of_an_error_object_is_read_when_the_body_has_none_of_its_own() -> None:
    """The OpenAI- and Anthropic-compatible error bodies: {"error": {"message": ...}}, as a dict or a model."""
    assert _answers.message_of({"error": {"message": "bad model", "type": "invalid"}}) == "bad model"
    assert _answers.message_of({"message": "top", "error": {"message": "nested"}}) == "top"
    assert _answers.message_of(SimpleNamespace(error=SimpleNamespace(message="as a model"))) == "as a model"
    assert _answers.message_of({"error": "a string"}) is None and _answers.message_of({"error": {"message": 1}}) is None


@pytest.mark.parametrize("asked", [None, 0.0, -5.0])
def test_a_refusal_that_asks_for_no_pause_backs_off_from_the_floor_with_jitter(asked: float | None) -> None:
    from codegen.runtime.core.answers import MAX_RETRY_DELAY, MIN_REFUSAL_DELAY, refusal_delay

    low = [refusal_delay(attempt, asked, lambda: 0.0) for attempt in range(1, 10)]
    high = [refusal_delay(attempt, asked, lambda: 0.999) for attempt in range(1, 10)]
    assert low[0] == MIN_REFUSAL_DELAY and low == sorted(low) and low[-1] == MAX_RETRY_DELAY
    assert all(a < b <= 1.5 * a for a, b in zip(low[:5], high[:5], strict=True))  # jittered, up to half again
    assert max(high) == MAX_RETRY_DELAY


def test_a_refusal_waits_what_the_server_asks_within_the_floor_and_the_cap() -> None:
    from codegen.runtime.core.answers import MAX_RETRY_DELAY, MIN_REFUSAL_DELAY, refusal_delay

    assert refusal_delay(1, 0.2) == MIN_REFUSAL_DELAY
    assert refusal_delay(3, 7.5) == 7.5
    assert refusal_delay(1, 10_000.0) == MAX_RETRY_DELAY
