"""Checking a downloaded model file by what it is, before it is kept: the format asked for (a request's
output_format) and the file's own bytes -- never the URL's extension alone. A file whose length matches
Content-Length may still be an error page served as a model, or truncated at the source.

  * glb: a binary glTF 2.0 file: the header's magic and version, its declared length equal to the file's, every
    chunk's length within the file, a first chunk of type JSON that parses as a JSON object.
  * obj: text (UTF-8) with at least one vertex line (`v x y z`).
  * stl: binary (an 80-byte header, a triangle count n, 84 + 50 n bytes in all) or ASCII (`solid` ... facets with
    vertices ... `endsolid`).
  * ply: a `ply` header with a `format` line and `end_header`; element counts that fit the file's size when the
    body is binary (exactly, when no element has a list property), enough lines when it is ASCII.

An HTML or JSON body (an "Access denied" page, an API error) is refused whatever it is served as. A file of a format
this module cannot check is kept and reported as unverified, never as verified. Every check streams: memory stays
bounded whatever the file's size. Why not a library: pygltflib, trimesh and plyfile read whole files into memory and
bring their own dependencies; the checks a download needs are each container's structure, over the standard library.
"""

from __future__ import annotations

import codecs
import json
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

GLB_MAGIC = b"glTF"
GLB_VERSION = 2
GLB_JSON_CHUNK = 0x4E4F534A  # "JSON", little-endian
_HEADER = struct.Struct("<4sII")
_CHUNK = struct.Struct("<II")
_OBJ_VERTEX = re.compile(rb"^[ \t]*v[ \t]+\S+[ \t]+\S+[ \t]+\S+", re.MULTILINE)
_CHUNK_BYTES = 1 << 16
_HEAD_BYTES = 4096
_PLY_HEADER_LIMIT = 1 << 16
_PLY_SIZES = {
    "char": 1,
    "uchar": 1,
    "int8": 1,
    "uint8": 1,
    "short": 2,
    "ushort": 2,
    "int16": 2,
    "uint16": 2,
    "int": 4,
    "uint": 4,
    "int32": 4,
    "uint32": 4,
    "float": 4,
    "float32": 4,
    "double": 8,
    "float64": 8,
}


@dataclass(frozen=True)
class Verdict:
    """What a file was found to be: its format (None: unknown), whether its bytes were checked, what is wrong."""

    format: str | None
    verified: bool
    problem: str | None = None


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            yield chunk


def _head(path: Path, size: int = _HEAD_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def not_a_model(head: bytes) -> str | None:
    """What a file's first bytes show it is when that is a page or a document rather than a model, or None."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<error", b"<title")) or (
        text.startswith(b"<") and b"<html" in text[:_HEAD_BYTES]
    ):
        return "an HTML or XML page, not a model"
    if text.startswith((b"{", b"[")):
        try:
            json.loads(head)
        except ValueError:
            if text.startswith(b'{"') or text.startswith(b"[{"):
                return "a JSON document, not a model"
            return None
        return "a JSON document, not a model"
    return None


def glb_problem(path: Path) -> str | None:
    """What is wrong with a binary glTF file, or None."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return f"not a binary glTF file: {size} bytes, shorter than its 12-byte header"
        magic, version, length = _HEADER.unpack(header)
        if magic != GLB_MAGIC:
            return f"not a binary glTF file: it starts with {magic!r}, not {GLB_MAGIC!r}"
        if version != GLB_VERSION:
            return f"a binary glTF file of version {version}, not {GLB_VERSION}"
        if length != size:
            return f"a truncated or padded binary glTF file: its header says {length} bytes, the file has {size}"
        offset, first = _HEADER.size, True
        while offset < size:
            chunk = handle.read(_CHUNK.size)
            if len(chunk) < _CHUNK.size:
                return f"a broken binary glTF file: a chunk header is cut off at byte {offset}"
            chunk_length, chunk_type = _CHUNK.unpack(chunk)
            end = offset + _CHUNK.size + chunk_length
            if end > size:
                return f"a broken binary glTF file: the chunk at byte {offset} runs past the end of the file"
            if first:
                if chunk_type != GLB_JSON_CHUNK:
                    return "a broken binary glTF file: its first chunk is not the JSON chunk"
                try:
                    document = json.loads(handle.read(chunk_length))
                except (ValueError, UnicodeDecodeError):
                    return "a broken binary glTF file: its JSON chunk does not parse"
                if not isinstance(document, dict):
                    return "a broken binary glTF file: its JSON chunk is not an object"
                first = False
            else:
                handle.seek(chunk_length, 1)
            offset = end
        if first:
            return "a broken binary glTF file: it has no JSON chunk"
    return None


def obj_problem(path: Path) -> str | None:
    """What is wrong with a Wavefront OBJ file, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    vertex, tail = False, b""
    try:
        for chunk in _chunks(path):
            decoder.decode(chunk)
            if not vertex:
                window = tail + chunk
                vertex = _OBJ_VERTEX.search(window) is not None
                tail = window[-200:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "not an OBJ file: it is not text"
    return None if vertex else "an OBJ file without a single vertex"


def stl_problem(path: Path) -> str | None:
    """What is wrong with an STL file (binary or ASCII), or None."""
    size = path.stat().st_size
    head = _head(path, 84)
    if len(head) == 84:
        (count,) = struct.unpack("<I", head[80:84])
        if count > 0 and 84 + 50 * count == size:
            return None  # binary, and its size is what its triangle count says
    if not head.lstrip().lower().startswith(b"solid"):
        if len(head) < 84:
            return f"not an STL file: {size} bytes, shorter than a binary STL's 84-byte header"
        (count,) = struct.unpack("<I", head[80:84])
        return (
            f"not an STL file: as binary it says {count} triangles ({84 + 50 * count} bytes), the file has {size}; "
            "as ASCII it does not start with 'solid'"
        )
    facet = vertex = False
    tail = b""
    for chunk in _chunks(path):
        window = (tail + chunk).lower()
        facet = facet or b"facet" in window
        vertex = vertex or b"vertex" in window
        tail = window[-1024:]
    if not (facet and vertex):
        return "an ASCII STL file without a facet and its vertices"
    if b"endsolid" not in tail:
        return "a truncated ASCII STL file: it does not end with 'endsolid'"
    return None


def ply_problem(path: Path) -> str | None:
    """What is wrong with a PLY file, or None."""
    size = path.stat().st_size
    head = _head(path, _PLY_HEADER_LIMIT)
    end = head.find(b"end_header")
    if not head.startswith(b"ply") or end < 0:
        return "not a PLY file: no 'ply' ... 'end_header' header"
    body_start = head.index(b"\n", end) + 1 if b"\n" in head[end:] else len(head)
    lines = head[:end].decode("ascii", errors="replace").splitlines()
    formats = [line.split() for line in lines if line.startswith("format ")]
    if (
        not formats
        or len(formats[0]) < 2
        or formats[0][1] not in ("ascii", "binary_little_endian", "binary_big_endian")
    ):
        return "a broken PLY file: no 'format ascii|binary_little_endian|binary_big_endian' line"
    elements: list[tuple[int, int, bool]] = []  # (count, fixed row size, has a list property)
    for words in (line.split() for line in lines):
        if words[:1] == ["element"] and len(words) == 3 and words[2].isdigit():
            elements.append((int(words[2]), 0, False))
        elif words[:1] == ["property"] and elements:
            count, row, has_list = elements[-1]
            if len(words) >= 5 and words[1] == "list":
                elements[-1] = (count, row + _PLY_SIZES.get(words[2], 1), True)
            elif len(words) >= 3:
                elements[-1] = (count, row + _PLY_SIZES.get(words[1], 4), has_list)
    if not elements or elements[0][0] == 0:
        return "a PLY file without elements (no vertex)"
    data = size - body_start
    if formats[0][1] == "ascii":
        needed = sum(count for count, _, _ in elements)
        rows = _text_rows(path, body_start)
        return None if rows >= needed else f"a truncated PLY file: {rows} rows of data, its header declares {needed}"
    least = sum(count * row for count, row, _ in elements)
    exact = not any(has_list for _, _, has_list in elements)
    if (exact and data != least) or data < least:
        return f"a truncated or padded PLY file: its header declares {least} bytes of data, the file has {data}"
    return None


def _text_rows(path: Path, start: int) -> int:
    rows, last = 0, b"\n"
    with path.open("rb") as handle:
        handle.seek(start)
        while chunk := handle.read(_CHUNK_BYTES):
            rows += chunk.count(b"\n")
            last = chunk[-1:]
    return rows + (0 if last == b"\n" else 1)


CHECKS: dict[str, Callable[[Path], str | None]] = {
    "glb": glb_problem,
    "obj": obj_problem,
    "stl": stl_problem,
    "ply": ply_problem,
}


def sniff(head: bytes) -> str | None:
    """The model format a file's first bytes show, or None."""
    if head.startswith(GLB_MAGIC):
        return "glb"
    if head.startswith((b"ply\n", b"ply\r\n")):
        return "ply"
    if head.lstrip().lower().startswith(b"solid"):
        return "stl"
    if _OBJ_VERTEX.search(head) or head.lstrip().startswith((b"# ", b"mtllib", b"o ", b"v ")):
        return "obj"
    return None


def verify(path: Path, name: str, expected: str | None = None) -> Verdict:
    """What the file at `path` (to be kept as `name`) is: checked as `expected` (the format asked for), else as
    the format its name's extension says, else as the format its bytes show; unverified when none is known. A file
    whose name says it is something else than a model (a preview image, a video) is checked only by its bytes."""
    head = _head(path)
    page = not_a_model(head)
    if page is not None:
        return Verdict(None, False, page)
    suffix = Path(name).suffix.lower().lstrip(".")
    other = bool(suffix) and suffix not in CHECKS and not suffix.isdigit()
    chosen = None if other else next((f for f in (expected, suffix) if f in CHECKS), None)
    chosen = chosen or sniff(head)
    if chosen is None:
        return Verdict(expected or suffix or None, False)
    return Verdict(chosen, True, CHECKS[chosen](path))


def model_file_problem(path: Path, name: str, expected: str | None = None) -> str | None:
    """What is wrong with the file at `path`, to be kept as `name`, or None."""
    return verify(path, name, expected).problem
