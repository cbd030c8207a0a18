"""The spec-driven mock of the API: it answers as the spec says, for tests of code that uses this client.

One request handler (SpecMock.handle, httpx.Request -> httpx.Response) serves two ways:
  * in-process: SpecMock.transport() is an httpx.MockTransport, for sync and async clients alike;
  * over HTTP: SpecMock.asgi_app() is a Starlette app, served on uvicorn (loopback by default).

Behaviour, all of it read from the spec:
  * every operation is served under the base path of the spec's first server URL;
  * each request is validated with openapi-core; an invalid one gets a 400 whose body follows the
    operation's documented 400 schema and names the violation (never the value sent); one without the credential
    its declared security scheme asks for (a bearer or API-key header, an API-key query parameter) gets a 401;
  * the answer's status is the `Prefer: code=NNN` request header (Stoplight Prism's convention),
    else 200 (or the lowest documented 2xx); its body is built from the spec's examples. A status the
    spec does not document is still answered, with the vendor's documented generic error body
    {"status": "error", "message": ...}, so clients can be tested against 402/429/5xx too;
  * without `Prefer`, the generating operations run a job's lifecycle: "processing" with an id and an eta, then
    "success" with output files the mock serves; an unknown id is the documented 404; more jobs queued at once
    than the queue limit are refused with the vendor's 429;
  * a path whose percent-escapes are control characters or not UTF-8 gets a 400, never a 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import httpx

from .mock_options import DEFAULT_JOB_SECONDS, DEFAULT_QUEUE_LIMIT, FAULTS, TESTING_EXTRA

try:
    from jsonschema.exceptions import ValidationError
    from openapi_core.validation.request.exceptions import RequestValidationError, SecurityValidationError
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
except ImportError as missing:  # (the testing extra)
    raise ImportError(TESTING_EXTRA) from missing

from ..core.vendor_facts import LEGACY_SPELLINGS
from .instances import is_valid, response_instance
from .mock_jobs import FILES_PATH, SUBMISSIONS_PATH, Lifecycle
from .openapi_core_adapters import HttpxOpenAPIRequest, openapi_core
from .spec_reading import HTTP_METHODS, SpecOperation, first_server_url, server_base_path, spec_operations

__all__ = [
    "DEFAULT_JOB_SECONDS",
    "DEFAULT_QUEUE_LIMIT",
    "FILES_PATH",
    "SUBMISSIONS_PATH",
    "SpecMock",
    "running_server",
    "serve",
    "served_mock",
]

PREFER_CODE = re.compile(r"(?:^|[;,\s])code=(\d{3})(?:$|[;,\s])")


def describe_violation(exc: Exception) -> str:
    """One line naming what is wrong with a request, from an openapi-core error.

    It names the field and the rule it breaks, never the value sent: that value may be the caller's key.
    """
    cause = exc.__cause__
    if isinstance(cause, InvalidSchemaValue) and cause.schema_errors:
        problems = []
        for err in cause.schema_errors:
            if not isinstance(err, ValidationError):
                continue
            where = "/".join(str(p) for p in err.absolute_path) or "body"
            if err.validator == "required":
                problems.append(f"{where}: {err.message}")  # names the missing field, holds no value
            else:
                problems.append(f"{where}: must satisfy {err.validator} {err.validator_value!r}")
        return "; ".join(problems)
    if cause is not None and "deserialize" in str(cause).lower():
        return f"{type(exc).__name__}: the body is not valid for its Content-Type"
    # openapi-core's messages name parameters and rules (e.g. "Missing required path parameter: id"), not values.
    return f"{type(exc).__name__}: {exc}"


# The largest request body the mock reads; a bigger one is answered 400 (it is a mock, not a file store).
MAX_BODY_BYTES = 1024 * 1024
# How many distinct valid requests a mock remembers having validated (see SpecMock.validate).
REMEMBERED_VALID_REQUESTS = 1024


class Hang(Exception):
    """The mock's answer never comes (the `hang` fault): the HTTP server holds the connection open, the in-process
    transport raises httpx's ReadTimeout."""


class BadRequest(Exception):
    """A request the mock refuses before validating it against the spec; the text names the problem, never a value."""


# The relative-server copy of each spec a mock was made for, by the spec dict's identity (holding the dict, so that
# its id cannot be reused): openapi-core's objects are cached per dict, and a mock per test would otherwise build one.
_RELATIVE: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def _relative(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with a relative server URL, so that openapi-core matches any scheme/host/port: the mock serves
    wherever it is bound. A copy; the spec on disk is never changed."""
    cached = _RELATIVE.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = (spec, {**spec, "servers": [{"url": server_base_path(spec) or "/"}], "paths": _relative_paths(spec)})
        _RELATIVE[id(spec)] = cached
    return cached[1]


def _relative_paths(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec's paths with the servers of a path or an operation made relative (their URL's path) too."""

    def relative(node: dict[str, Any]) -> dict[str, Any]:
        servers = node.get("servers")
        if not servers:
            return node
        return {**node, "servers": [{"url": urlsplit(first_server_url(node) or "/").path or "/"}]}

    paths = {}
    for path, item in (spec.get("paths") or {}).items():
        if isinstance(item, dict):
            item = relative(
                {m: relative(o) if m in HTTP_METHODS and isinstance(o, dict) else o for m, o in item.items()}
            )
        paths[path] = item
    return paths


def check_path(request: httpx.Request) -> None:
    """A path whose percent-escapes decode to bytes that are not UTF-8, or to control characters, is refused."""
    raw = request.url.raw_path.split(b"?", 1)[0]
    try:
        text = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the path holds percent-encoded bytes that are not UTF-8 text") from None
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise BadRequest("the path holds percent-encoded control characters")


class SpecMock:
    """Answers requests as the spec describes them.

    Whatever arrives, the answer is never a 5xx unless `Prefer: code=5NN` asked for one: a request that is not
    what the spec accepts (body not UTF-8, not JSON, wrong Content-Type, too large, or failing the schema) gets a
    400 whose body follows the operation's documented 400 schema (else the vendor's generic error body) and
    names the problem; an unknown path 404; a known path with another method 405 with `Allow`.
    """

    def __init__(
        self,
        spec: dict[str, Any] | None = None,
        *,
        job_seconds: float | tuple[float, float] = DEFAULT_JOB_SECONDS,
        results: dict[str, str] | None = None,
        files_origin: str | None = None,
        queue_limit: int | None = None,
        submit_delay: float = 0.0,
        faults: frozenset[str] | set[str] | tuple[str, ...] = (),
    ) -> None:
        """`spec`: the OpenAPI document (a dict, as parsed; default: default_spec()); `job_seconds`: how long a
        generation takes (or a range, each request's duration drawn from its body); `results`: generating
        operation -> the one fetching its result, by label ("POST /text_to_3d": "POST /fetch/{id}"; default:
        default_results()); `files_origin`: where output files are said to be (default: wherever the mock is
        reached); `queue_limit`: how many jobs may be queued at once (None: no limit); `submit_delay`:
        seconds the HTTP server waits, once a job is queued, before it answers (a slow network, for fault
        tests); `faults`: the faults it shows (the names of _mock_options.FAULTS)."""
        self.spec = spec if spec is not None else self.default_spec()
        self.base_path = server_base_path(self.spec)
        self.operations: list[SpecOperation] = spec_operations(self.spec)
        # each operation with the URL paths it is served at (under its own server, where it has one)
        self.routes = [(op, op.served_regex(self.base_path)) for op in self.operations]
        self.validator = openapi_core(_relative(self.spec))
        self._valid: set[tuple[object, ...]] = set()
        self.requests_seen = 0
        results = results if results is not None else self.default_results()
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"no such mock fault: {', '.join(sorted(unknown))} (faults: {', '.join(FAULTS)})")
        self.faults = frozenset(faults)
        self.jobs = Lifecycle(self.operations, results, job_seconds, files_origin, queue_limit, self.faults)
        self.submit_delay = submit_delay

    def default_spec(self) -> dict[str, Any]:
        """The document served when none is given: none here (the package's testing.SpecMock serves its own)."""
        raise TypeError("SpecMock needs the OpenAPI document to serve")

    def default_results(self) -> dict[str, str]:
        """The jobs run when no `results` are given: none here (no job lifecycle)."""
        return {}

    def find(self, method: str, path: str) -> tuple[SpecOperation | None, list[str]]:
        """The operation for method + a request's URL path, and the methods the path allows (empty: no such path)."""
        served = [op for op, regex in self.routes if regex.match(path)]
        match = next((op for op in served if op.method == method.lower()), None)
        return match, [op.method.upper() for op in served]

    def error_body(self, op: SpecOperation | None, status: int, message: str, code: str) -> Any:
        """The body of an error answer: the documented schema's instance with the message laid over its
        string fields `message` / `error_code` where that keeps it valid; else the vendor's generic error body."""
        documented = op.responses.get(status) if op is not None else None
        if op is None or documented is None or documented.schema is None:
            return {"status": "error", "message": message}
        body = response_instance(op, status)
        if isinstance(body, dict):
            properties = documented.schema.get("properties") or {}
            # the message goes in the field the schema declares: `message`, or the vendor's legacy spelling of it,
            # else the `message` of an `error` object (the OpenAI- and Anthropic-compatible APIs' error body)
            declared = next((n for n in ("message", LEGACY_SPELLINGS["message"]) if n in properties), "message")
            nested = (properties.get("error") or {}).get("properties") or {}
            if declared in properties or "message" not in nested:
                changes: list[tuple[str, Any]] = [(declared, message)]
            else:
                changes = [("error", {**(body.get("error") or {}), "message": message})]
            for name, value in (*changes, ("error_code", code)):
                candidate = {**body, name: value}
                if name in properties and is_valid(candidate, documented.schema, op.openapi_version):
                    body = candidate
        return body

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests_seen += 1
        path = request.url.path
        if self.jobs and path.startswith(FILES_PATH):
            return self.jobs.file(request)
        if path == SUBMISSIONS_PATH and request.method == "GET":
            return self._json(200, self.jobs.submissions)
        op, allowed = self.find(request.method, path)
        if op is None:
            if not allowed:
                return self._json(404, self.error_body(None, 404, f"no operation at {path}", "not_found"))
            message = f"{request.method} is not allowed on {path}; allowed: {', '.join(allowed)}"
            answer = self._json(405, self.error_body(None, 405, message, "method_not_allowed"))
            answer.headers["Allow"] = ", ".join(allowed)
            return answer
        try:
            self.validate(op, request)
        except BadRequest as exc:
            return self._json(400, self.error_body(op, 400, f"Invalid request to {op.label}: {exc}", "invalid_request"))
        except SecurityValidationError:
            # (openapi-core's message would not say which schemes; none of it holds a value)
            message = f"Invalid request to {op.label}: no credential where its security scheme asks for one"
            return self._json(401, self.error_body(op, 401, message, "unauthorized"))
        except RequestValidationError as exc:
            message = f"Invalid request to {op.label}: {describe_violation(exc)}"
            return self._json(400, self.error_body(op, 400, message, "invalid_request"))
        except Exception as exc:  # openapi-core's own failure on input it did not expect: still the caller's request
            message = f"Invalid request to {op.label}: it could not be validated ({type(exc).__name__})"
            return self._json(400, self.error_body(op, 400, message, "invalid_request"))
        if "echo-500" in self.faults and self._generates(request):
            echoed = request.content.decode(errors="replace")
            return self._json(500, {"status": "error", "message": f"internal error while handling {echoed}"})
        answer = self.answer(op, request)
        if "hang" in self.faults and answer.status_code == 200 and self._generates(request):
            raise Hang()  # (the job is queued; its answer never comes)
        return answer

    def validate(self, op: SpecOperation, request: httpx.Request) -> None:
        """Raise BadRequest or openapi-core's error unless the request is what the spec accepts.

        Validation is a function of the request's bytes alone (method, target, headers, body), and openapi-core
        takes about a millisecond a request: a request byte for byte the same as one found valid before (a client's
        polls, a load test's thousand calls) is not validated again. Only valid requests are remembered, a bounded
        number of them, each by its body's digest (a body may hold up to a megabyte)."""
        key = (
            request.method,
            request.url.raw_path,
            tuple(request.headers.raw),
            hashlib.sha256(request.content).digest(),
        )
        if key in self._valid:
            return
        check_path(request)
        self.check_body(op, request)
        self.validator.validate_request(HttpxOpenAPIRequest(request))
        if len(self._valid) >= REMEMBERED_VALID_REQUESTS:
            self._valid.clear()
        self._valid.add(key)

    def check_body(self, op: SpecOperation, request: httpx.Request) -> None:
        """What openapi-core does not say clearly (or at all): size, encoding, JSON syntax, Content-Type."""
        body = request.content
        if len(body) > MAX_BODY_BYTES:
            raise BadRequest(f"the body has {len(body)} bytes; at most {MAX_BODY_BYTES} are accepted")
        if op.request_content_type is None:
            return
        sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not body and not sent:
            return  # no body at all: openapi-core says whether one is required
        if sent != op.request_content_type.lower():
            shown = repr(sent[:100]) if sent else "missing"
            raise BadRequest(f"Content-Type is {shown}; the spec expects {op.request_content_type!r}")
        if op.request_content_type == "application/json" or op.request_content_type.endswith("+json"):
            try:
                json.loads(body.decode("utf-8"))
            except UnicodeDecodeError:
                raise BadRequest("the body is not UTF-8 text") from None
            except ValueError:
                raise BadRequest("the body is not valid JSON") from None

    def answer(self, op: SpecOperation, request: httpx.Request) -> httpx.Response:
        """The answer to a valid request: the status Prefer asked for (else the default one), a body valid for it."""
        match = PREFER_CODE.search(request.headers.get("prefer", ""))
        if match is None and self.jobs and self.jobs.handles(op):
            origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
            answer = self.jobs.answer(op, request, origin, self.base_path)
            if answer is not None:
                return answer
        status = int(match.group(1)) if match and 100 <= int(match.group(1)) <= 599 else op.default_status()
        documented = op.responses.get(status)
        if documented is None:
            body = {"status": "error", "message": f"mock: status {status} is not documented for {op.label}"}
            return self._json(status, body)
        if documented.schema is None:
            return httpx.Response(status)
        return self._json(status, response_instance(op, status), documented.content_type)

    @staticmethod
    def _json(status: int, body: Any, content_type: str | None = None) -> httpx.Response:
        return httpx.Response(
            status,
            content=json.dumps(body).encode(),
            headers={"content-type": content_type or "application/json"},
        )

    def _generates(self, request: httpx.Request) -> bool:
        op = self.find(request.method, request.url.path)[0]
        return op is not None and op.label in self.jobs.generating

    def transport(self) -> httpx.MockTransport:
        """An in-process transport for httpx.Client and httpx.AsyncClient alike."""

        def handle(request: httpx.Request) -> httpx.Response:
            try:
                return self.handle(request)
            except Hang:
                raise httpx.ReadTimeout("the mock never answers (hang)", request=request) from None

        return httpx.MockTransport(handle)

    def asgi_app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            # The URL as it came (percent-encoded): decoded, a path may hold what httpx refuses in a URL.
            raw_path = request.scope.get("raw_path") or request.url.path.encode()
            query = request.scope.get("query_string") or b""
            try:
                url = httpx.URL(str(request.base_url).rstrip("/")).copy_with(
                    raw_path=raw_path + (b"?" + query if query else b"")
                )
                outgoing = httpx.Request(
                    request.method, url, headers=list(request.headers.items()), content=await request.body()
                )
            except Exception as exc:  # whatever the request holds, it is the caller's: a 400, not a 500
                message = f"the request could not be read ({type(exc).__name__})"
                answer = self._json(400, self.error_body(None, 400, message, "invalid_request"))
            else:
                try:
                    answer = self.handle(outgoing)
                except Hang:
                    await asyncio.sleep(HANG_SECONDS)
                    answer = self._json(504, {"status": "error", "message": "mock: hung"})
                if self.submit_delay and answer.status_code == 200 and self._generates(outgoing):
                    await asyncio.sleep(self.submit_delay)
            return Response(answer.content, status_code=answer.status_code, headers=dict(answer.headers))

        methods = [m.upper() for m in HTTP_METHODS]
        return Starlette(routes=[Route("/{path:path}", endpoint, methods=methods)])


HANG_SECONDS = 3600.0  # how long the served mock holds a hung request (the client's timeout ends it first)


def bind(host: str, port: int) -> socket.socket:
    """Bind first, so that port 0 (ephemeral) is known before uvicorn starts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it, uvicorn's separate writes of headers and body meet
    # Nagle's algorithm and the client's delayed ACK: every response waited for the delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve(mock: SpecMock, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve the mock over HTTP until SIGINT or SIGTERM; the first line printed is its base URL."""
    try:
        import uvicorn  # imported here: the in-process transport does not need it
    except ImportError as missing:  # (the testing extra)
        raise ImportError(TESTING_EXTRA) from missing

    class AnnouncingServer(uvicorn.Server):
        """Prints the base URL once uvicorn is serving (and has installed its signal handlers): the first
        line of output is what scripts and tests wait for, and a signal sent after it stops cleanly."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            print(f"http://{host}:{bound_port}{mock.base_path}", flush=True)

    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    # A stop waits at most a second for the requests in flight: a hung one (the `hang` fault) never ends by itself.
    config = uvicorn.Config(
        mock.asgi_app(), log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=1
    )
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the handler it found:
    # make both of those a normal exit (status 0), so a stopped mock is not reported as a crash.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt):
        AnnouncingServer(config).run(sockets=[sock])


@contextlib.contextmanager
def running_server(command: list[str], timeout: float = 15.0, cwd: str | None = None) -> Iterator[str]:
    """Run a mock server's command (one that serves and prints its base URL first) as a child process and yield
    the URL; always stop it.

    The child is stopped with SIGTERM (uvicorn's clean shutdown), then killed if it lingers, whether
    the body of the with-block succeeded or not.
    """
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        # Waiting on readline is bounded by the child: it prints the URL or exits (EOF) on failure.
        url = child.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"mock server did not start (exit code {child.wait(timeout)})")
        yield url
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if child.stdout is not None:
            child.stdout.close()


def served_mock(spec: dict[str, Any], results: dict[str, str], args: argparse.Namespace) -> SpecMock:
    """The mock add_mock_options' parsed options describe."""
    return SpecMock(
        spec,
        results=results,
        job_seconds=args.job_seconds,
        queue_limit=args.queue_limit or None,
        submit_delay=args.submit_delay,
        faults=tuple(args.fault),
    )
