"""Checking a downloaded model file before it is kept: a file whose length matches Content-Length may still be
truncated or corrupt at the source, and an unopenable model is worse than none.

  * `.glb`: a binary glTF 2.0 file: the header's magic and version, its declared length equal to the file's, every
    chunk's length within the file, a first chunk of type JSON that parses as a JSON object.
  * `.obj`: text (UTF-8) with at least one vertex line (`v x y z`).

Other formats are kept as they are. Why not a library: pygltflib (the well-kept glTF library) reads whole files
into memory and brings its own dependencies; the checks a download needs are the container's structure, about
forty lines over the standard library, reading only the header and the JSON chunk.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

GLB_MAGIC = b"glTF"
GLB_VERSION = 2
GLB_JSON_CHUNK = 0x4E4F534A  # "JSON", little-endian
_HEADER = struct.Struct("<4sII")
_CHUNK = struct.Struct("<II")
_OBJ_VERTEX = re.compile(rb"^\s*v\s+\S+\s+\S+\s+\S+", re.MULTILINE)


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
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "not an OBJ file: it is not text"
    if not _OBJ_VERTEX.search(data):
        return "an OBJ file without a single vertex"
    return None


CHECKS = {".glb": glb_problem, ".obj": obj_problem}


def model_file_problem(path: Path, name: str) -> str | None:
    """What is wrong with the file at `path`, to be kept as `name` (its extension says what it should be)."""
    check = CHECKS.get(Path(name).suffix.lower())
    return None if check is None else check(path)
