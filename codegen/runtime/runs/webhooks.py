"""Reading the vendor's webhook calls: the body of the POST it sends to a request's `webhook` URL when a job ends.

The payload is not signed and delivery is best effort (it may repeat, or never come): treat it as a hint, and
fetch the result to be sure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ..core import errors
from ..core.parsing import parse_union, strict_validation

WHERE = "parse_webhook"


def read_webhook(
    body: bytes | str | Mapping[str, Any], variants: tuple[Callable[[Any], Any], ...], strict: bool
) -> Any:
    """`body` (the raw bytes, the text, or the decoded JSON object) as the first variant (a model's from_dict) that
    fits it -- strictly first, as answers are read. InvalidResponse for a body that is none of them."""
    if isinstance(body, Mapping):
        data: object = body
        raw = json.dumps(body, default=str).encode()
    else:
        raw = body.encode() if isinstance(body, str) else bytes(body)
        try:
            data = json.loads(raw)
        except ValueError as error:  # not UTF-8, not JSON
            raise errors.InvalidResponse.from_error(WHERE, _as_response(raw), error) from error

    def first_fitting(value: object) -> Any:
        problems: list[Exception] = []
        for variant in variants:
            try:
                return variant(value)
            except (TypeError, ValueError, KeyError, AttributeError) as problem:
                problems.append(problem)
        raise problems[0] if problems else ValueError("no payload model")

    try:
        with strict_validation(strict):
            return parse_union(first_fitting, data)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise errors.InvalidResponse.from_error(WHERE, _as_response(raw), error) from error


def _as_response(raw: bytes) -> httpx.Response:
    """The webhook's body as the response InvalidResponse describes (status, headers and content)."""
    return httpx.Response(200, content=raw, headers={"content-type": "application/json"})
