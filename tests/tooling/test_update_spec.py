"""`make update-spec`: sources from a loopback HTTP server and from temp files, each with its outcome; on every
failure openapi.yaml and generated/ are untouched. Runs on temp copies of the repo."""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

from enterprise3d_devkit.repo.layout import OVERLAY_NAME, PACKAGE
from enterprise3d_devkit.spec.loading import load_spec
from enterprise3d_devkit.spec.overlay import effective_spec
from enterprise3d_devkit.spec_update.update import UpdateError, recognise
from enterprise3d_devkit.spec_update.update import update as update_spec
from tests.support.repo_copies import copy_repo, run, tree_hash
from tests.support.repo_copies import update_spec as update_spec_in_process
from tests.support.servers import FileServer, black_hole
from tests.support.spec_variants import GROWN_PATH, grown_module, grown_spec, unused_name
from tests.support.vendor import VENDOR_BLOCK, VENDOR_PAGE

# Runs a whole pipeline (generation, make, a venv or a nested suite): in make test-corpus, not make test.
pytestmark = pytest.mark.pipeline


def page(*documents: bytes, title: str = "An endpoint") -> bytes:
    """A docs page as the vendor writes them: prose, then each document in a ````yaml fence."""
    blocks = b"".join(b"````yaml POST /x\n" + document + b"\n````\n\n" for document in documents)
    return f"# {title}\n\n> Some prose.\n\n## OpenAPI\n\n".encode() + blocks


def fetch_result_only() -> dict[str, Any]:
    """A second single-endpoint document, as the vendor's fetch-result page would publish it."""
    spec = grown_spec()
    spec["paths"] = {GROWN_PATH: spec["paths"][GROWN_PATH]}
    del spec["components"]["schemas"]["ClearActionResponse"]
    return spec


def dump(spec: dict[str, Any]) -> bytes:
    return yaml.safe_dump(spec, sort_keys=False).encode()


def update(repo: Path, *sources: str) -> tuple[int, str]:
    return update_spec_in_process(repo, *sources)


def snapshot(repo: Path) -> tuple[bytes, str]:
    return (repo / "openapi.yaml").read_bytes(), tree_hash(repo / "generated")


# --- sources that work ---------------------------------------------------------------------------------


def test_the_published_document_reproduces_openapi_yaml_and_reports_no_change(repo: Path, served: FileServer) -> None:
    """The bytes openapi.yaml was taken from (one source is written byte for byte), as a path and as a URL."""
    published = (repo / "openapi.yaml").read_bytes()
    (repo.parent / "published.json").write_bytes(published)
    before = snapshot(repo)
    for source in (str(repo.parent / "published.json"), served.add("openapi.json", published)):
        code, output = update(repo, source)
        assert code == 0, output
        assert snapshot(repo) == before
        assert "byte-identical" in output and "no change" in output


def test_the_vendor_page_gives_its_openapi_block_byte_for_byte() -> None:
    source = recognise(VENDOR_PAGE.name, VENDOR_PAGE.read_bytes())
    assert source.content == VENDOR_BLOCK.read_bytes()


def test_a_raw_yaml_document_over_http(repo: Path, served: FileServer) -> None:
    # A one-operation page: the repository's overlay corrects the whole document, and would be stale here.
    (repo / OVERLAY_NAME).unlink(missing_ok=True)
    code, output = update(repo, served.add("openapi.yaml", VENDOR_BLOCK.read_bytes()))
    assert code == 0, output
    assert (repo / "openapi.yaml").read_bytes() == VENDOR_BLOCK.read_bytes()


def test_a_json_document_is_written_as_published_and_regenerated(repo: Path, served: FileServer) -> None:
    spec = copy.deepcopy(load_spec())
    schema = next(iter(spec["components"]["schemas"].values()))
    note = unused_name(schema["properties"], "note")
    schema["properties"][note] = {"type": "string"}
    published = json.dumps(spec, indent=2).encode()
    before = tree_hash(repo / "generated")
    code, output = update(repo, served.add("openapi.json", published))
    assert code == 0, output
    assert (repo / "openapi.yaml").read_bytes() == published
    assert tree_hash(repo / "generated") != before
    assert f"optional field '{note}' added" in output and "[ok      ]" in output
    assert run(["bash", "generate.sh", "--check"], cwd=repo).returncode == 0


def test_two_pages_merge_the_same_in_either_order(repo: Path, tmp_path: Path, served: FileServer) -> None:
    first = served.add("clear-queue.md", page(dump(load_spec())))
    second = served.add("fetch-result.md", page(dump(fetch_result_only())))
    code, output = update(repo, first, second)
    assert code == 0, output
    merged = (repo / "openapi.yaml").read_bytes()
    assert set(yaml.safe_load(merged)["paths"]) == set(load_spec()["paths"]) | {GROWN_PATH}
    assert (repo / "generated" / PACKAGE / "api" / (grown_module().replace(".", "/") + ".py")).is_file()
    assert f"POST {GROWN_PATH}: added -> {PACKAGE}.api.{grown_module()}.sync" in output

    other = copy_repo(tmp_path / "other")
    code, output = update(other, second, first)
    assert code == 0, output
    assert (other / "openapi.yaml").read_bytes() == merged
    assert tree_hash(other / "generated") == tree_hash(repo / "generated")


# --- sources that fail: a clear message, nothing changed ------------------------------------------------


def conflicting_page() -> bytes:
    spec = fetch_result_only()
    spec["components"]["schemas"]["ErrorResponse"]["properties"]["message"]["description"] = "changed"
    return page(dump(spec))


def unreachable_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connection refused
    return f"http://127.0.0.1:{port}/openapi.yaml"


FAILURES: list[tuple[str, Any, list[str]]] = [
    (
        "merge-conflict",
        lambda s: [s.add("a.md", page(dump(load_spec()))), s.add("b.md", conflicting_page())],
        ["merge conflict", "ErrorResponse", "a.md", "b.md"],
    ),
    (
        "page-without-block",
        lambda s: [s.add("p.md", b'# Clear queue\n\n```json\n{"key": 1}\n```\n')],
        ["p.md", "neither an OpenAPI document nor a page"],
    ),
    (
        "page-with-two-blocks",
        lambda s: [s.add("p.md", page(dump(load_spec()), dump(fetch_result_only())))],
        ["p.md", "2 embedded OpenAPI blocks"],
    ),
    (
        "invalid-spec",
        lambda s: [s.add("bad.yaml", dump({**load_spec(), "info": {"title": "no version"}}))],
        ["bad.yaml", "refused: the file is not a valid OpenAPI", "'version' is a required property"],
    ),
    ("not-found", lambda s: [f"{s.url}/missing.yaml"], ["missing.yaml", "HTTP 404"]),
    ("connection-refused", lambda s: [unreachable_url()], ["cannot be fetched", "ConnectError"]),
    ("missing-file", lambda s: ["/nonexistent/openapi.yaml"], ["/nonexistent/openapi.yaml", "cannot be read"]),
]


@pytest.mark.parametrize(("make_sources", "words"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_failures_name_the_source_and_change_nothing(
    repo: Path, served: FileServer, make_sources: Any, words: list[str]
) -> None:
    before = snapshot(repo)
    with pytest.raises(UpdateError) as caught:  # in-process: these fail before anything is generated
        update_spec(make_sources(served), timeout=1, repo=repo)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in: {caught.value}"
    assert snapshot(repo) == before


def test_a_url_that_never_answers_times_out(repo: Path) -> None:
    before = snapshot(repo)
    with black_hole() as url, pytest.raises(UpdateError, match=r"no answer within 0\.4 s"):
        update_spec([f"{url}/openapi.yaml"], timeout=0.4, repo=repo)
    assert snapshot(repo) == before


def test_a_spec_the_generator_rejects_changes_nothing(repo: Path, served: FileServer) -> None:
    spec = copy.deepcopy(load_spec())
    operation = next(iter(next(iter(spec["paths"].values())).values()))
    operation["responses"]["409"] = {"description": "x", "content": {"application/xml": {"schema": {"type": "object"}}}}
    before = snapshot(repo)
    code, output = update(repo, served.add("xml.yaml", dump(spec)))
    assert code != 0 and "generation failed" in output and "application/xml" in output
    assert "openapi.yaml and generated/ were left unchanged" in output
    assert snapshot(repo) == before
    assert not (repo / ".openapi.yaml.new").exists()


def test_the_vendor_defining_what_an_action_adds_is_reported_for_review(repo: Path, served: FileServer) -> None:
    """The overlay never silently replaces the vendor's newer definition: update-spec names the action to review."""
    effective = effective_spec(repo / "openapi.yaml", repo / OVERLAY_NAME)
    spec = copy.deepcopy(load_spec(repo / "openapi.yaml"))
    added = [path for path in effective["paths"] if path not in spec["paths"]]
    if not added:
        pytest.skip("the overlay adds no operation")
    spec["paths"][added[0]] = copy.deepcopy(effective["paths"][added[0]])  # the vendor now publishes it ...
    for operation in spec["paths"][added[0]].values():
        operation["summary"] = "The vendor's own summary"  # ... in its own words
    code, output = update(repo, served.add("openapi.json", json.dumps(spec).encode()))
    assert code == 0, output
    assert "The vendor's spec now defines what these actions add" in output
    review = next(line for line in output.splitlines() if "REVIEW the action for $.paths" in line)
    assert added[0] in review, review
    assert "REVIEW the action for $.components" not in output, "only the action whose addition the vendor made"
