"""The mock's generation lifecycle: a generating operation queues a job, the fetching operation reports it.

Which operations generate and which fetch their result is the reviewed operation table's (the package's JOB_RESULTS,
unless the mock is told otherwise). A generating call answers "processing" with a fresh id and an eta (the job's
duration); fetching that id answers "processing" with the eta counting down until the job is due, then "success"
with output URLs the mock serves itself (GET /_files/<id>/model.<format>: a small valid file in the requested
output_format, a binary glTF for glb). An id the mock never issued gets the operation's documented 404 -- except the
one a spec-driven caller would send, the spec's own instance of the path parameter: it names a finished job, so that
calling every operation from the spec alone succeeds. Bodies are the spec's instances of the answer's processing /
success variants, with the job's facts laid over the fields they have.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import secrets
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from ..core.vendor_facts import (
    CREDENTIAL_FIELDS,
    ETA_FIELD,
    FORMAT_FIELD,
    JOB_ID_FIELD,
    OUTPUT_FIELD,
    PROCESSING_STATUS,
    SUCCESS_STATUS,
)
from . import meshes
from .instances import valid_instance
from .mock_options import DEFAULT_JOB_SECONDS, DEFAULT_QUEUE_LIMIT
from .spec_reading import SpecOperation

FILES_PATH = "/_files/"
SUBMISSIONS_PATH = "/_mock/submissions"  # GET: every generating request the mock accepted (bodies, key left out)


def job_duration(job_seconds: float | tuple[float, float], body: bytes) -> float:
    """How long a job takes: `job_seconds`, or for a range (low, high) a duration within it drawn from the request
    body's digest (the same request always takes the same time, so a benchmark knows its ideal)."""
    if not isinstance(job_seconds, tuple):
        return job_seconds
    low, high = job_seconds
    share = int.from_bytes(hashlib.sha256(body).digest()[:4], "big") / 2**32
    return low + (high - low) * share


def glb_head(document: dict[str, Any], binary_length: int) -> bytes:
    """A binary glTF 2.0 file up to its BIN chunk's data: the header, the JSON chunk (`document`) and the BIN chunk's
    header, for a BIN chunk of `binary_length` bytes (a multiple of 4: chunks are 4-byte aligned)."""
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    chunks_length = 8 + len(text) + 8 + binary_length
    return (
        struct.pack("<4sII", b"glTF", 2, 12 + chunks_length)
        + struct.pack("<I4s", len(text), b"JSON")
        + text
        + struct.pack("<I4s", binary_length, b"BIN\0")
    )


# A real mesh in every format the API writes (meshes.py): a viewer shows a shape.
MODEL_FILES: dict[str, bytes] = {"glb": meshes.glb(), "obj": meshes.obj(), "stl": meshes.stl(), "ply": meshes.ply()}


@dataclass(frozen=True)
class Job:
    id: str
    output_format: str
    due: float  # time.monotonic()
    created: float = 0.0

    def __post_init__(self) -> None:
        if not self.created:
            object.__setattr__(self, "created", time.monotonic())


def variant(schema: dict[str, Any] | None, status: str) -> dict[str, Any] | None:
    """The schema (or oneOf/anyOf variant) of an answer whose `status` enum holds this value."""
    if not isinstance(schema, dict):
        return None
    for candidate in [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]:
        enum = ((candidate.get("properties") or {}).get("status") or {}).get("enum") or []
        if status in enum:
            return candidate  # type: ignore[no-any-return]
    return None


def overlaid(schema: dict[str, Any], version: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The spec's instance of `schema` with each fact laid over the field of that name, where the schema has one."""
    body = valid_instance(schema, version)
    body = dict(body) if isinstance(body, dict) else {}
    properties = schema.get("properties") or {}
    body.update({name: value for name, value in facts.items() if name in properties})
    return body


class Lifecycle:
    """Jobs of the generating operations named in `results` (generating label -> fetching label)."""

    def __init__(
        self,
        ops: list[SpecOperation],
        results: dict[str, str],
        job_seconds: float | tuple[float, float] = DEFAULT_JOB_SECONDS,
        files_origin: str | None = None,
        queue_limit: int | None = DEFAULT_QUEUE_LIMIT,
        faults: frozenset[str] = frozenset(),
    ) -> None:
        self.files_origin = files_origin
        self.faults = faults
        self.fetched_done: set[str] = set()  # the jobs whose fetch has answered success
        self.queue_limit = queue_limit
        self.submissions: list[dict[str, Any]] = []  # what each accepted generating request asked (no key)
        self.refusals = 0
        by_label = {op.label: op for op in ops}
        self.generating = {label: by_label[label] for label in results if label in by_label}
        self.fetching = {by_label[f].label: by_label[f] for label, f in results.items() if f in by_label}
        self.job_seconds = job_seconds
        self.jobs: dict[str, Job] = {}
        self.example_ids: set[str] = set()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()  # the HTTP mock serves from several threads
        for op in self.fetching.values():
            for parameter in op.path_parameters[:1]:
                example = parameter.get("example", valid_instance(parameter.get("schema") or {}, op.openapi_version))
                self.jobs[str(example)] = Job(str(example), self._default_format(), due=0.0)
                self.example_ids.add(str(example))

    def _default_format(self) -> str:
        for op in self.generating.values():
            default = ((op.request_schema or {}).get("properties") or {}).get(FORMAT_FIELD, {}).get("default")
            if default is not None:
                return str(default)
        return "glb"

    def __bool__(self) -> bool:
        return bool(self.generating and self.fetching)

    def handles(self, op: SpecOperation) -> bool:
        return op.label in self.generating or op.label in self.fetching

    def answer(self, op: SpecOperation, request: httpx.Request, origin: str, base_path: str) -> httpx.Response | None:
        """The lifecycle's answer to a valid request, or None when the operation is not one of its own."""
        if op.label in self.generating:
            return self._submit(op, request, origin, base_path)
        if op.label in self.fetching:
            return self._fetch(op, request, origin, base_path)
        return None

    def _submit(self, op: SpecOperation, request: httpx.Request, origin: str, base_path: str) -> httpx.Response | None:
        sent = json.loads(request.content or b"{}")
        default = ((op.request_schema or {}).get("properties") or {}).get(FORMAT_FIELD, {}).get("default", "glb")
        output_format = str(sent.get(FORMAT_FIELD, default)) if isinstance(sent, dict) else str(default)
        now = time.monotonic()
        with self._lock:
            running = sorted(job.due for job in self.jobs.values() if job.due > now)
            full = self.queue_limit is not None and len(running) >= self.queue_limit
            if full or "always-429" in self.faults:
                self.refusals += 1
                wait = round(running[len(running) - self.queue_limit] - now, 3) if full and self.queue_limit else 1.0
                if "retry-after-0" in self.faults:
                    wait = 0
                message = f"mock: queue limit reached ({self.queue_limit} requests queued); retry after {wait:g} s"
                answer = _json(429, {"status": "error", "message": message, "retry_after": wait})
                if "retry-after-0" in self.faults:
                    answer.headers["Retry-After"] = "0"
                return answer
            duration = job_duration(self.job_seconds, request.content)
            job = Job(f"{next(self._numbers)}-{secrets.token_hex(4)}", output_format, now + duration)
            self.jobs[job.id] = job
            kept = {k: v for k, v in sent.items() if k not in CREDENTIAL_FIELDS} if isinstance(sent, dict) else {}
            self.submissions.append({"operation": op.label, "id": job.id, "seconds": duration, "body": kept})
        fetch = next(iter(self.fetching.values()))
        fetch_url = origin + re.sub(r"\{[^}]+\}", job.id, fetch.served_path(base_path))
        return self._processing(op, job, origin, fetch_url)

    def _fetch(self, op: SpecOperation, request: httpx.Request, origin: str, base_path: str) -> httpx.Response | None:
        match = op.served_regex(base_path).match(request.url.path)
        job_id = match.group(1) if match and match.groups() else None
        job = self.jobs.get(job_id or "")
        if job is None:
            return _error(op, 404, f"mock: no job with id {job_id!r}")
        if time.monotonic() < job.due:
            fetch_url = str(request.url.copy_with(query=None))
            return self._processing(op, job, origin, fetch_url)
        if "late-failed" in self.faults and job.id in self.fetched_done:
            return _json(200, {"status": "failed", "id": job.id, "message": "mock: the job's result has expired"})
        self.fetched_done.add(job.id)
        schema = variant(op.responses[200].schema if 200 in op.responses else None, SUCCESS_STATUS)
        if schema is None:
            return None  # the spec has no success variant to fill: the mock's plain answer instead
        facts: dict[str, Any] = {
            "status": SUCCESS_STATUS,
            JOB_ID_FIELD: job.id,
            OUTPUT_FIELD: [self._file_url(origin, job)],
        }
        facts |= {
            "proxy_links": [self._file_url(origin, job)],
            "generationTime": round(max(job.due - job.created, 0.0), 3),
        }
        return _json(200, overlaid(schema, op.openapi_version, facts))

    def _processing(self, op: SpecOperation, job: Job, origin: str, fetch_url: str) -> httpx.Response | None:
        schema = variant(op.responses[200].schema if 200 in op.responses else None, PROCESSING_STATUS)
        if schema is None:
            return None  # the spec has no processing variant to fill: the mock's plain answer instead
        eta = round(max(0.0, job.due - time.monotonic()), 3)
        facts: dict[str, Any] = {"status": PROCESSING_STATUS, JOB_ID_FIELD: job.id, ETA_FIELD: eta, OUTPUT_FIELD: []}
        facts |= {"message": "Your request is being processed", "fetch_result": fetch_url}
        facts |= {"future_links": [self._file_url(origin, job)]}
        return _json(200, overlaid(schema, op.openapi_version, facts))

    def _file_url(self, origin: str, job: Job) -> str:
        extension = job.output_format if job.output_format in MODEL_FILES else "bin"
        name = f"m{job.id.replace('-', '')}" if "bare-urls" in self.faults else f"model.{extension}"
        return f"{self.files_origin or origin}{FILES_PATH}{job.id}/{name}"

    def file(self, request: httpx.Request) -> httpx.Response:
        """GET /_files/<id>/model.<format>: the job's model file once the job is done; 404 otherwise."""
        parts = request.url.path[len(FILES_PATH) :].split("/")
        job = self.jobs.get(parts[0]) if len(parts) == 2 else None
        if request.method != "GET" or job is None or time.monotonic() < job.due:
            return _json(404, {"status": "error", "message": "mock: no such file"})
        if "html-model" in self.faults:
            page = b"<!DOCTYPE html><html><head><title>403</title></head><body>Access denied</body></html>"
            return httpx.Response(200, content=page, headers={"content-type": "text/html"})
        content = MODEL_FILES.get(job.output_format, b"mock model\n")
        return httpx.Response(200, content=content, headers={"content-type": "application/octet-stream"})


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def _error(op: SpecOperation, status: int, message: str) -> httpx.Response:
    """A documented error answer: the schema's instance with the message laid over its `message` field."""
    documented = op.responses.get(status)
    if documented is None or documented.schema is None:
        return _json(status, {"status": "error", "message": message})
    return _json(status, overlaid(documented.schema, op.openapi_version, {"message": message}))
