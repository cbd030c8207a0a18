"""`make update-spec [SOURCE="<url-or-path> [...]"]`: take the vendor's spec, regenerate, report what changed.

    python -m enterprise3d_devkit.spec_update.update [SOURCE ...] [--timeout 30]

Without SOURCE, the sources recorded in openapi.lock.yaml are taken again: when their bytes are unchanged,
nothing at all changes (exit 0, and it says so). With SOURCE, they replace the record
(enterprise3d_devkit/spec/record.py).

Each SOURCE (http(s) URL or local path) is either an OpenAPI document (YAML or JSON) or one of the
vendor's documentation pages, a Markdown page that embeds exactly one OpenAPI document in a fenced
```yaml block (extracted byte for byte). One source is written to openapi.yaml byte for byte as
published; several are merged -- paths united, components and tags defined twice must be identical,
info / servers / security must agree -- and written deterministically (sorted keys, same bytes for the
same sources in any order). The result is validated, the client regenerated with the same atomic
generate.sh, and a report of what changed for users is printed (enterprise3d_devkit/spec/diff.py).

Any failure leaves openapi.yaml and generated/ exactly as they were, and names the source and the problem.

A mirror (`MODELSLAB_SPEC_MIRROR="<URL prefix>=<replacement prefix> ..."`, as git's `insteadOf`) fetches a source
from elsewhere -- a proxy, a checkout of the vendor's docs repository, a loopback server in the tests -- while the
record and the report keep naming the source itself.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from enterprise3d_devkit.release.version import (
    bump_kind,
    markdown_report,
    next_version,
    prepend_changelog,
    read_version,
    version_heading,
    write_version,
)
from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.digests import tree_hash
from enterprise3d_devkit.repo.generate_sh import run_generate_sh
from enterprise3d_devkit.repo.layout import OVERLAY_NAME, PACKAGE, REPO, SPEC_PATH
from enterprise3d_devkit.spec.diff import report
from enterprise3d_devkit.spec.loading import SpecError, load_spec
from enterprise3d_devkit.spec.overlay import AppliedAction, OverlayError, apply_overlay, load_overlay
from enterprise3d_devkit.spec.record import RECORD_NAME, new_record, read_record, recorded_name, write_record
from enterprise3d_devkit.spec.validation import check_spec

# A fenced block: an opening fence of 3+ backticks or tildes, an info string, the body, the same fence.
FENCE = re.compile(
    rb"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL
)
MERGED_TOP_LEVEL = ("openapi", "info", "servers", "security", "tags", "paths", "components")


class UpdateError(Exception):
    """An update that did not happen; `proposed`: the overlay actions that would repair a refused document."""

    def __init__(self, message: str, proposed: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.proposed = proposed or []


@dataclass(frozen=True)
class Source:
    name: str  # as the user gave it
    content: bytes  # the OpenAPI document, byte for byte as published
    document: dict[str, Any]


MIRROR_ENV = "MODELSLAB_SPEC_MIRROR"


def mirrored(source: str, mirrors: str | None = None) -> str:
    """Where to fetch `source` from: the replacement of the longest mirror prefix it starts with, else itself."""
    pairs = [
        entry.split("=", 1) for entry in (mirrors if mirrors is not None else os.environ.get(MIRROR_ENV, "")).split()
    ]
    matches = [
        (prefix, replacement) for prefix, replacement in (p for p in pairs if len(p) == 2) if source.startswith(prefix)
    ]
    if not matches:
        return source
    prefix, replacement = max(matches, key=lambda pair: len(pair[0]))
    return replacement + source[len(prefix) :]


def fetch(source: str, timeout: float) -> bytes:
    """The bytes of a source (a URL or a path), fetched from its mirror if one is set."""
    location = mirrored(source)
    try:
        return _fetch(location, timeout)
    except UpdateError as exc:
        if location == source:
            raise
        raise UpdateError(f"{source} (from its mirror {location}): {str(exc).removeprefix(location + ': ')}") from exc


def _fetch(source: str, timeout: float) -> bytes:
    if source.startswith(("http://", "https://")):
        try:
            response = httpx.get(source, timeout=timeout, follow_redirects=True)
        except httpx.TimeoutException as exc:
            raise UpdateError(f"{source}: no answer within {timeout:g} s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise UpdateError(f"{source}: cannot be fetched: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise UpdateError(f"{source}: HTTP {response.status_code} instead of the document")
        return response.content
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise UpdateError(f"{source}: cannot be read: {exc.strerror}") from exc


def _as_openapi(content: bytes) -> dict[str, Any] | None:
    try:
        document = yaml_codec.load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml_codec.YAMLError):
        return None
    return document if isinstance(document, dict) and "openapi" in document else None


def recognise(name: str, content: bytes) -> Source:
    """An OpenAPI document as it is, or the one OpenAPI block of a documentation page."""
    document = _as_openapi(content)
    if document is not None:
        return Source(name, content, document)
    # The block's text up to its last non-blank line: the vendor's pages put a blank line before the
    # closing fence that the published document (e.g. ../shared/upstream/clear_queue.openapi.yaml) does not have.
    blocks = [
        match["body"].rstrip(b" \t\r\n") + b"\n"
        for match in FENCE.finditer(content)
        if match["info"].split(b" ")[0].lower() in {b"yaml", b"yml", b"json"} and _as_openapi(match["body"])
    ]
    if not blocks:
        raise UpdateError(f"{name}: neither an OpenAPI document nor a page with an embedded OpenAPI block")
    if len(blocks) > 1:
        raise UpdateError(f"{name}: {len(blocks)} embedded OpenAPI blocks; expected exactly one")
    document = _as_openapi(blocks[0])
    assert document is not None
    return Source(name, blocks[0], document)


def _merge_named(kind: str, merged: dict[str, Any], owners: dict[str, str], items: dict[str, Any], source: str) -> None:
    for name, value in items.items():
        if name in merged and merged[name] != value:
            raise UpdateError(f"merge conflict: {kind} {name!r} differs between {owners[name]} and {source}")
        merged.setdefault(name, value)
        owners.setdefault(name, source)


def merge(sources: list[Source]) -> dict[str, Any]:
    """One document from several; order-independent, or an UpdateError naming the conflict."""
    ordered = sorted(sources, key=lambda s: s.content)  # the same result whatever order they came in
    first = ordered[0]
    merged: dict[str, Any] = {}
    for key in ("openapi", "info", "servers", "security"):
        values = {yaml.safe_dump(s.document.get(key), sort_keys=True): s.name for s in ordered}
        if len(values) > 1:
            names = sorted(values.values())
            raise UpdateError(f"merge conflict: '{key}' differs between {names[0]} and {names[1]}")
        if key in first.document:
            merged[key] = first.document[key]
    extra = sorted({k for s in ordered for k in s.document} - set(MERGED_TOP_LEVEL))
    if extra:
        raise UpdateError(f"cannot merge top-level field(s) {extra}: only {list(MERGED_TOP_LEVEL)} are merged")
    tags: dict[str, Any] = {}
    tag_owners: dict[str, str] = {}
    paths: dict[str, Any] = {}
    path_owners: dict[str, str] = {}
    components: dict[str, dict[str, Any]] = {}
    component_owners: dict[str, dict[str, str]] = {}
    for source in ordered:
        document = source.document
        _merge_named("tag", tags, tag_owners, {t["name"]: t for t in document.get("tags") or []}, source.name)
        for path, item in (document.get("paths") or {}).items():
            operations = {f"{method.upper()} {path}": value for method, value in item.items()}
            _merge_named("operation", paths, path_owners, operations, source.name)
        for section, entries in (document.get("components") or {}).items():
            _merge_named(
                f"component {section}",
                components.setdefault(section, {}),
                component_owners.setdefault(section, {}),
                entries or {},
                source.name,
            )
    if tags:
        merged["tags"] = [tags[name] for name in sorted(tags)]
    merged["paths"] = {}
    for key in sorted(paths):
        method, path = key.split(" ", 1)
        merged["paths"].setdefault(path, {})[method.lower()] = paths[key]
    if components:
        merged["components"] = components
    return merged


def dump(document: dict[str, Any]) -> bytes:
    return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=120).encode("utf-8")


def regenerate(repo: Path, spec_file: Path) -> None:
    overlay = repo / OVERLAY_NAME
    result = run_generate_sh(
        "--spec", str(spec_file), *(["--overlay", str(overlay)] if overlay.exists() else []), repo=repo
    )
    if result.returncode != 0:
        raise UpdateError(f"generation failed, nothing was changed:\n{result.stdout}{result.stderr}")


def update(
    source_names: list[str] | None,
    timeout: float,
    repo: Path = REPO,
    markdown: Path | None = None,
    propose: Path | None = None,
) -> str:
    """Fetch, check, write openapi.yaml, regenerate the repo at `repo`, record the sources, move the version and
    the changelog; the report (also as Markdown to `markdown`), or an UpdateError. No source names: the recorded
    ones again (unchanged bytes and an up-to-date generated/ change nothing at all). A refused document's proposed
    repairs (enterprise3d_devkit.spec.repairs) are written to `propose` as an overlay, when given."""
    spec_path = repo / SPEC_PATH.name
    previous = read_record(repo)
    if not source_names:
        if previous is None or not previous.sources:
            raise UpdateError(f"no SOURCE given and no sources recorded in {RECORD_NAME}")
        source_names = [s.source if "://" in s.source else str(repo / s.source) for s in previous.sources]
    fetched = [(name, fetch(name, timeout)) for name in source_names]
    label = " + ".join(recorded_name(name, repo) for name in source_names)
    old_bytes = spec_path.read_bytes() if spec_path.exists() else b""
    unchanged = previous is not None and previous == new_record(fetched, old_bytes, previous, repo)
    if unchanged and run_generate_sh("--check", repo=repo).returncode == 0:
        message = (
            f"openapi.yaml is unchanged: the recorded sources ({label}) still give the same bytes; nothing was changed."
        )
        if markdown is not None:
            markdown.write_text(f"{message}\n", encoding="utf-8")
        return message
    sources = [recognise(name, content) for name, content in fetched]
    content = sources[0].content if len(sources) == 1 else dump(merge(sources))
    overlay_path = repo / OVERLAY_NAME
    overlay = None
    applied: list[AppliedAction] = []
    new: dict[str, Any] | None = None
    try:
        overlay = load_overlay(overlay_path) if overlay_path.exists() else None
        new = load_spec(content)
        if overlay is not None:  # the reviewed corrections, before validation: a stale one fails the update
            new, applied = apply_overlay(new, overlay)
        check_spec(new)
    except SpecError as exc:
        from enterprise3d_devkit.spec import repairs  # (only a refusal needs it: it imports the schema validators)

        actions = repairs.proposed_for(new)
        if propose is not None and actions:
            propose.write_text(repairs.render(actions, label), encoding="utf-8")
        proposal = repairs.proposal_text(actions, label)
        raise UpdateError(
            f"{label}: refused: the file {exc.what} (at {exc.where})" + (f"\n{proposal}" if proposal else ""),
            actions,
        ) from exc
    except OverlayError as exc:
        raise UpdateError(f"{label}: {exc}") from exc
    old = yaml_codec.load(old_bytes) if old_bytes else {}
    if overlay is not None and isinstance(old, dict) and old:
        # The overlay was written for the new spec; where it does not fit the old one, compare as published.
        with contextlib.suppress(OverlayError):
            old = apply_overlay(old, overlay)[0]
    generated = repo / "generated" / PACKAGE
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before" / PACKAGE
        if generated.exists():
            shutil.copytree(generated, before)
        # The new spec is generated from a temp file; openapi.yaml is replaced only once that has worked.
        staged = spec_path.parent / f".{spec_path.name}.new"
        staged.write_bytes(content)
        try:
            regenerate(repo, staged)
            os.replace(staged, spec_path)
            write_record(new_record(fetched, content, previous, repo), repo)
        finally:
            staged.unlink(missing_ok=True)
        text, changes, breakages = report(
            old if isinstance(old, dict) else {},
            new,
            "openapi.yaml (before)",
            f"openapi.yaml from {label}",
            old_package=before if before.exists() else None,
            new_package=generated,
        )
        package_changed = not before.exists() or tree_hash(before) != tree_hash(generated)
    previous_version = read_version(repo)
    kind = bump_kind(changes, breakages, package_changed)
    version = next_version(previous_version, kind) if kind else previous_version
    heading = version_heading(version, previous_version) if kind else f"## {version} (unchanged)"
    entry = markdown_report(heading, [recorded_name(name, repo) for name in source_names], changes, breakages, applied)
    if kind:
        write_version(version, repo)
        regenerate(repo, spec_path)  # its _version.py (the generator's output comes from the cache)
        prepend_changelog(entry + "\n", repo)
    if markdown is not None:
        markdown.write_text(entry, encoding="utf-8")
    what = "is unchanged (byte-identical)" if content == old_bytes else "was updated"
    corrections = ""
    if applied:
        lines = "\n".join(action.line() for action in applied)
        corrections = f"\n\nOverlay {OVERLAY_NAME} applied ({len(applied)} action(s)):\n{lines}"
        reviews = [action.review() for action in applied if action.overlaps]
        if reviews:
            corrections += "\n\nThe vendor's spec now defines what these actions add:\n" + "\n".join(reviews)
    moved = (
        f"version {previous_version} -> {version} ({kind}), CHANGELOG.md updated"
        if kind
        else f"version {version} (no change)"
    )
    return f"openapi.yaml {what} from {label}; generated/ regenerated; {moved}.{corrections}\n\n{text}"


def main(argv: list[str] | None = None, repo: Path = REPO) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "sources", nargs="*", help=f"URLs or paths of OpenAPI documents or docs pages (none: those in {RECORD_NAME})"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a URL (default 30)")
    parser.add_argument("--markdown", type=Path, help="also write the report as Markdown to this file (a PR body)")
    parser.add_argument(
        "--propose", type=Path, help="when the document is refused, write the repairs proposed for it to this file"
    )
    args = parser.parse_args(argv)
    try:
        print(update(args.sources, args.timeout, repo=repo, markdown=args.markdown, propose=args.propose))
    except UpdateError as exc:
        print(f"update-spec: {exc}\nupdate-spec: openapi.yaml and generated/ were left unchanged.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
