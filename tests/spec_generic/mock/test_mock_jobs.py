"""The mock runs a generation's lifecycle for the operations the reviewed table names: processing with a fresh id
and an eta counting down, then success with output files it serves itself (a real binary glTF for glb); an id it
never issued is the documented 404; `Prefer: code=` still answers the status asked for."""

from __future__ import annotations

import json
import struct
import time

import httpx
import pytest

from enterprise3d_devkit.spec.instances import is_valid
from enterprise3d_devkit.spec.operations import Operation, server_base_url
from modelslab_enterprise_3d.core.vendor_facts import (
    ETA_FIELD,
    JOB_ID_FIELD,
    OUTPUT_FIELD,
    PROCESSING_STATUS,
    SUCCESS_STATUS,
)
from modelslab_enterprise_3d.testing import SpecMock
from tests.support.generation import GENERATING, fetching, mock
from tests.support.spec_cases import SPEC, op_id

pytestmark = pytest.mark.skipif(not GENERATING, reason="the spec has no generating operation")
BASE = server_base_url(SPEC)


def submit(jobs: SpecMock, op: Operation, **fields: object) -> httpx.Response:
    body = {"key": "k", **request_fields(op), **fields}
    return jobs.handle(httpx.Request(op.method.upper(), BASE + op.path, json=body))


def request_fields(op: Operation) -> dict[str, object]:
    from enterprise3d_devkit.spec.instances import request_instance

    instance = request_instance(op)
    return {k: v for k, v in instance.items() if v is not None} if isinstance(instance, dict) else {}


def fetch(jobs: SpecMock, op: Operation, job_id: str, **headers: str) -> httpx.Response:
    path = fetching(op).path.replace("{" + fetching(op).path_parameters[0]["name"] + "}", job_id)
    request = httpx.Request(fetching(op).method.upper(), BASE + path, json={"key": "k"}, headers=headers)
    return jobs.handle(request)


def valid(op: Operation, answer: httpx.Response) -> bool:
    documented = op.responses[answer.status_code]
    return documented.schema is not None and is_valid(answer.json(), documented.schema, op.openapi_version)


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_a_job_is_processing_with_its_eta_counting_down_then_done_with_files_the_mock_serves(op: Operation) -> None:
    jobs = mock(job_seconds=0.3)
    queued = submit(jobs, op, output_format="glb")
    assert queued.status_code == 200 and valid(op, queued)
    body = queued.json()
    assert (
        body["status"] == PROCESSING_STATUS and body[JOB_ID_FIELD] and body[ETA_FIELD] == pytest.approx(0.3, abs=0.05)
    )
    assert submit(jobs, op).json()[JOB_ID_FIELD] != body[JOB_ID_FIELD], "every job gets a fresh id"
    time.sleep(0.1)
    later = fetch(jobs, op, body[JOB_ID_FIELD])
    assert valid(fetching(op), later) and later.json()["status"] == PROCESSING_STATUS
    assert later.json()[ETA_FIELD] < body[ETA_FIELD], "the eta counts down"
    time.sleep(0.25)
    done = fetch(jobs, op, body[JOB_ID_FIELD])
    assert valid(fetching(op), done) and done.json()["status"] == SUCCESS_STATUS
    (url,) = done.json()[OUTPUT_FIELD]
    model = jobs.handle(httpx.Request("GET", url))
    assert model.status_code == 200 and url.endswith(".glb")
    magic, version, length = struct.unpack("<4sII", model.content[:12])
    assert (magic, version, length) == (b"glTF", 2, len(model.content))
    chunk_length, chunk_type = struct.unpack("<I4s", model.content[12:20])
    assert chunk_type == b"JSON" and json.loads(model.content[20 : 20 + chunk_length])["asset"]["version"] == "2.0"


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_a_file_is_not_served_before_its_job_is_done_and_each_format_is_its_own(op: Operation) -> None:
    jobs = mock(job_seconds=0.05)
    formats = {"obj": b"\nv ", "stl": b"", "ply": b"ply\n"}  # (a binary STL has no marker: its length says it)
    queued = {fmt: submit(jobs, op, output_format=fmt).json() for fmt in formats}
    (early,) = queued["obj"]["future_links"]
    assert jobs.handle(httpx.Request("GET", early)).status_code == 404
    time.sleep(0.1)
    for fmt, start in formats.items():
        (url,) = fetch(jobs, op, queued[fmt][JOB_ID_FIELD]).json()[OUTPUT_FIELD]
        content = jobs.handle(httpx.Request("GET", url)).content
        assert url.endswith(f".{fmt}") and start in content
        if fmt == "stl":  # a binary STL: an 80-byte header, the triangle count, 50 bytes a triangle
            assert len(content) == 84 + 50 * int.from_bytes(content[80:84], "little") > 84


@pytest.mark.parametrize("op", GENERATING, ids=op_id)
def test_an_id_the_mock_never_issued_is_the_documented_404_and_prefer_still_works(op: Operation) -> None:
    jobs = mock()
    answer = fetch(jobs, op, "never-issued")
    assert answer.status_code == 404 and valid(fetching(op), answer)
    for status in sorted(op.responses):
        asked = jobs.handle(
            httpx.Request(
                op.method.upper(),
                BASE + op.path,
                json={"key": "k", **request_fields(op)},
                headers={"Prefer": f"code={status}"},
            )
        )
        assert asked.status_code == status
