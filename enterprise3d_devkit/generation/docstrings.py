"""The docstrings of the high-level client, composed from the operation plans and the runtime's facts (what is
retried and on which statuses, which statuses mean a generation failed, the defaults). Each is text without its
first indentation: the template indents it where it is written.

Text of the spec goes through the generator's own safe_for_docstring, and is wrapped as its templates wrap it.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Collection, Sequence
from typing import Protocol

import jinja2
from jinja2.filters import do_indent, do_wordwrap

from codegen.runtime.core import base_client, retries, vendor_facts
from codegen.runtime.runs import jobs


class Field(Protocol):
    @property
    def doc(self) -> str: ...


class OperationPlan(Protocol):
    """What a docstring reads of an operation's plan (plans.OperationPlan; a protocol, so that plans may import
    this module)."""

    @property
    def label(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def has_key(self) -> bool: ...
    @property
    def retry(self) -> str: ...
    @property
    def body_schema(self) -> str: ...
    @property
    def fields(self) -> Sequence[Field]: ...
    @property
    def and_wait(self) -> str | None: ...


class WaitPlan(Protocol):
    """What a docstring reads of a wait method's plan (plans.WaitPlan)."""

    @property
    def name(self) -> str: ...
    @property
    def fetch(self) -> str: ...
    @property
    def success(self) -> str: ...


_ENVIRONMENT = jinja2.Environment(keep_trailing_newline=True)


def _safe(text: str) -> str:
    from openapi_python_client.strings import safe_for_docstring

    return str(safe_for_docstring(text))


def _wrap(text: str, width: int) -> str:
    return str(do_wordwrap(_ENVIRONMENT, text, width))


def spoken(items: list[str], last: str = " and ") -> str:
    """ "a, b and c" (or "a or b")."""
    return ", ".join(items[:-1]) + f"{last}{items[-1]}" if len(items) > 1 else "".join(items)


def _seconds(value: float | None) -> str:
    return "none" if value is None else f"{value:g} s"


# The runtime's facts the docstrings state.
FACTS = {
    "retry_statuses": spoken([str(status) for status in sorted(retries.RETRY_STATUSES)]),
    "refused_statuses": spoken([str(status) for status in sorted(vendor_facts.REFUSED_STATUSES)]),
    "failure_statuses": spoken([json.dumps(status) for status in sorted(vendor_facts.ERROR_STATUSES)], " or "),
    "wait_timeout": f"{jobs.DEFAULT_WAIT_TIMEOUT:g}",
    "connect": _seconds(base_client.DEFAULT_TIMEOUT.connect),
    "read": _seconds(base_client.DEFAULT_TIMEOUT.read),
    "max_retries": base_client.DEFAULT_MAX_RETRIES,
    "key_env": vendor_facts.API_KEY_ENV,
    "base_url_env": vendor_facts.BASE_URL_ENV,
}

# What a method says of repeating its operation, by the operation table's `retry`.
RETRY = {
    "safe": "Safe to repeat: retried on connection errors, timeouts and HTTP {retry_statuses}.",
    "refused": """\
Not safe to repeat: retried only when the server refused it (HTTP {refused_statuses}: nothing was
queued) or the request cannot have reached the server.""",
    "never": "Not safe to repeat: retried only when the request cannot have reached the server.",
}

EXTRA_BODY = """\
    extra_body: fields to add to the request body as they are, unchecked: a value or field the spec does not
        list yet, sent on purpose."""

RAISES = """\
Raises:
    ValueError: an argument the spec does not allow (named, with what is allowed); nothing is sent.
    errors.APIStatusError: a 4xx/5xx answer (BadRequestError, AuthenticationError, RateLimitError, ...).
    errors.OperationFailedError: a 2xx answer whose body says the operation failed ("status": "error").
    errors.APIConnectionError: no answer (APITimeoutError when the timeout ran out).
    errors.InvalidResponse: an answer whose body does not match the spec."""

ON_UPDATE = """\
    on_update: called with every answer (its status, and eta: the seconds the server expects it to take
        still), for progress display{coroutine}."""

POLLING = """\
Polls are paced by the answer's eta, within the client's bounds, and each goes through the retrying
request path. The API key goes only to this client's base URL, never to a URL an answer names."""

AND_WAIT = """\
{summary}, and wait for the result: {name}(), then
{fetch}() until the job is done.

The arguments are {name}()'s, plus:
    timeout: seconds the whole wait may take, submission included (default {wait_timeout}); it always holds.
{on_update}
    on_queued: called with the job's id as soon as the server has queued it, before the wait begins:
        keep it, and a wait cut short (a timeout, an interruption) can be resumed with {wait}(id).

{polling}

Returns the result: {success}.

Raises:
    errors.GenerationTimeoutError: not done by the deadline; its `id` resumes the wait ({wait}).
    errors.GenerationFailedError: the job ended with {failure_statuses} (the vendor's message in `message`).
    errors.APIStatusError, errors.APIConnectionError, errors.InvalidResponse: as {name}() and
        {fetch}() raise them."""

AND_SAVE = """\
{summary}, wait for the result and save its files into `folder`.

{name}(), then {fetch}() until the job is done, then download(). `folder` is checked
before anything is paid for: it is created, it must be writable, and it must hold no file (unless
overwrite=True), so that running it again fails before paying, not after.

The arguments are {and_wait}()'s, plus:
    folder: where the model files go (created when missing).
    overwrite: replace files of the same names (default False: FileExistsError, before anything
        is sent).

Returns a SavedResult: its `result` ({success}) and its `files` (the paths saved, each verified
by its format).

Raises:
    FileExistsError, OSError: the folder cannot take the files; nothing was sent.
    errors.DownloadError: a file could not be saved (none is left behind); the job is done:
        {wait}(id) and download() fetch it again without paying.
    errors.GenerationTimeoutError, errors.GenerationFailedError, errors.APIStatusError,
        errors.APIConnectionError, errors.InvalidResponse: as {and_wait}() raises them."""

WAIT = """\
{summary}, and wait for the result: {name}(), then
{fetch}() until the job is done.

The arguments are {name}()'s, plus:
    timeout: seconds the whole wait may take, submission included (default {wait_timeout}); it always holds.
{on_update}
    on_queued: called with the job's id as soon as the server has queued it, before the wait begins:
        keep it, and a wait cut short (a timeout, an interruption) can be resumed with {wait}(id).

{polling}

Returns the result: {success}.

Raises:
    errors.GenerationTimeoutError: not done by the deadline; its `id` resumes the wait ({wait}).
    errors.GenerationFailedError: the job ended with {failure_statuses} (the vendor's message in `message`).
    errors.APIStatusError, errors.APIConnectionError, errors.InvalidResponse: as {name}() and
        {fetch}() raise them."""

AND_SAVE = """\
{summary}, wait for the result and save its files into `folder`.

{name}(), then {fetch}() until the job is done, then download(). `folder` is checked before anything
is paid for: it is created, it must be writable, and it must hold no file (unless overwrite=True), so that running
it again fails before paying, not after.

The arguments are {and_wait}()'s, plus:
    folder: where the model files go (created when missing).
    overwrite: replace files of the same names (default False: FileExistsError, before anything is sent).

Returns a SavedResult: its `result` ({success}) and its `files` (the paths saved, verified by their format).

Raises:
    FileExistsError, OSError: the folder cannot take the files; nothing was sent.
    errors.DownloadError: a file could not be saved (none is left behind); the job is done: {wait}(id) and
        download() fetch it again without paying.
    errors.GenerationTimeoutError, errors.GenerationFailedError, errors.APIStatusError, errors.APIConnectionError,
        errors.InvalidResponse: as {and_wait}() raises them."""

WAIT = """\
Wait for the result of the job `id` (a generation's): {fetch}(id) until it is done.

Args:
    id: the job's id, as a generating method's processing answer (or a GenerationTimeoutError) gives it.
    timeout: seconds the whole wait may take (default {wait_timeout}); it always holds.
{on_update}

{polling}

Returns the result: {success}.

Raises:
    errors.GenerationTimeoutError: not done by the deadline; its `id` resumes the wait.
    errors.GenerationFailedError: the job ended with {failure_statuses} (the vendor's message in `message`).
    errors.APIStatusError, errors.APIConnectionError, errors.InvalidResponse: as {fetch}() raises them
        (NotFoundError: no such job)."""

CLIENT = """\
The {title}: one method per operation, the API key set once.

Args:
    api_key: the enterprise API key; else the {key_env} environment variable.
{key_travels}
    base_url: else {base_url_env}, else the spec's server ({default_base_url}).
    timeout: seconds or an httpx.Timeout; None switches timeouts off. Default: DEFAULT_TIMEOUT
        ({connect} to connect, {read} to read or write).
    max_retries: how often an operation that is safe to repeat is retried (default {max_retries}); every method's
        documentation says whether its operation is.
    default_headers: headers for every request.
    http_client: an httpx.Client of yours (proxies, transports, event hooks). It keeps its own settings;
        the User-Agent, default_headers and a timeout given here go with each request. close() leaves it open.
    httpx_args: keyword arguments for the httpx.Client this client creates otherwise.
    strict_response_validation: raise InvalidResponse on an answer with an enum value the spec does not list
        (by default such a value is kept). Turn it on in your tests and CI, where a change of the API
        should fail loudly.

Use it as a context manager, or call close(), to release its connections."""

PARSE_WEBHOOK = """\
The body of a webhook call the API made (the POST it sends to a request's `webhook` URL when the job ends) as
its typed payload: {payloads}.

`body` is the request's raw bytes, its text, or its decoded JSON object. The payload is not signed and may come
twice or never: treat it as a hint, and fetch the result to be sure. strict_response_validation=True refuses a
status the spec does not list.

Raises:
    errors.InvalidResponse: the body is not JSON, or not one of the payloads."""


def _on_update(is_async: bool) -> str:
    return ON_UPDATE.format(coroutine="; it may be a coroutine function" if is_async else "")


def method(plan: OperationPlan) -> str:
    """An operation's method: its summary and description, its request, whether it is retried, its arguments."""
    parts = [_safe(plan.summary), ""]
    if plan.description:
        parts += [_wrap(_safe(plan.description), 100), ""]
    key = ", with the client's API key in the body" if plan.has_key else ""
    parts += [f"`{_safe(plan.label)}`{key}.", RETRY[plan.retry].format(**FACTS), ""]
    if plan.fields or plan.body_schema:
        parts.append("Args:")
        parts += ["    " + do_indent(_wrap(field.doc, 90), 8) for field in plan.fields]
        parts += [EXTRA_BODY] if plan.body_schema else []
        parts.append("")
    return "\n".join([*parts, RAISES])


def and_wait(plan: OperationPlan, wait: WaitPlan, is_async: bool) -> str:
    """A generating operation's <name>_and_wait: submit, then wait."""
    return AND_WAIT.format(
        **FACTS,
        summary=_safe(plan.summary),
        name=plan.name,
        fetch=wait.fetch,
        wait=wait.name,
        success=wait.success,
        on_update=_on_update(is_async),
        polling=POLLING,
    )


def and_save(plan: OperationPlan, wait: WaitPlan, is_async: bool) -> str:
    """A generating operation's <name>_and_save: check the folder, submit, wait, download."""
    text = AND_SAVE.format(
        summary=_safe(plan.summary),
        name=plan.name,
        fetch=wait.fetch,
        wait=wait.name,
        and_wait=plan.and_wait,
        success=wait.success,
    )
    return text + ("\n\nAwaited: cancelling it leaves no part of a file." if is_async else "")


def wait(plan: WaitPlan, is_async: bool) -> str:
    """The method that waits on a job's id."""
    return WAIT.format(**FACTS, fetch=plan.fetch, success=plan.success, on_update=_on_update(is_async), polling=POLLING)


def client(
    title: str, default_base_url: str, in_bodies: bool = True, key_placements: Collection[tuple[str, ...]] = ()
) -> str:
    """Enterprise3D's: its arguments and their defaults; where the key travels (the body, and the places the spec's
    security schemes give it)."""
    places = ["in request bodies"] * in_bodies + [
        f"in the {name} header" if location == "header" else f"in the {name} query parameter"
        for location, name, *_ in sorted(key_placements)
    ]
    where = (
        "nowhere (no operation takes it)"
        if not places
        else places[0]
        if len(places) == 1
        else ", ".join(places[:-1]) + " or " + places[-1]
    )
    travels = textwrap.fill(
        f"It travels only {where}, and no repr, exception or log line shows it.",
        width=112,
        initial_indent=" " * 8,
        subsequent_indent=" " * 8,
    )
    return CLIENT.format(
        **FACTS, title=_safe(title), default_base_url=_safe(default_base_url), key_travels=_safe(travels)
    )


def parse_webhook(payloads: list[str]) -> str:
    """parse_webhook's, naming the payload models."""
    return PARSE_WEBHOOK.format(payloads=", ".join(payloads))
