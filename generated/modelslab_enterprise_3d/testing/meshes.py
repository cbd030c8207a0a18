"""The model files the mock serves: one small real mesh (an icosphere of 320 triangles) in each format the API writes
-- binary glTF, OBJ, binary STL and ASCII PLY -- so that a viewer shows a shape, not a placeholder."""

from __future__ import annotations

import functools
import json
import math
import struct

Vertex = tuple[float, float, float]
Face = tuple[int, int, int]


@functools.cache
def icosphere(subdivisions: int = 2) -> tuple[tuple[Vertex, ...], tuple[Face, ...]]:
    """A unit sphere: an icosahedron whose triangles are split in four `subdivisions` times (20 * 4**n triangles)."""
    t = (1 + math.sqrt(5)) / 2
    corners: list[Vertex] = [(-1.0, t, 0.0), (1.0, t, 0.0), (-1.0, -t, 0.0), (1.0, -t, 0.0), (0.0, -1.0, t)]
    corners += [(0.0, 1.0, t), (0.0, -1.0, -t), (0.0, 1.0, -t), (t, 0.0, -1.0), (t, 0.0, 1.0), (-t, 0.0, -1.0)]
    corners += [(-t, 0.0, 1.0)]
    vertices: list[Vertex] = [_unit(v) for v in corners]
    faces: list[Face] = [
        (0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4), (11, 10, 2), (10, 7, 6),
        (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8), (3, 8, 9), (4, 9, 5), (2, 4, 11), (6, 2, 10),
        (8, 6, 7), (9, 8, 1),
    ]  # fmt: skip
    for _ in range(subdivisions):
        middles: dict[tuple[int, int], int] = {}
        split: list[Face] = []
        for a, b, c in faces:
            ab, bc, ca = (_middle(vertices, middles, x, y) for x, y in ((a, b), (b, c), (c, a)))
            split += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        faces = split
    return tuple(vertices), tuple(faces)


def _middle(vertices: list[Vertex], middles: dict[tuple[int, int], int], a: int, b: int) -> int:
    """The index of the point on the sphere halfway between vertices a and b (added once, shared by both faces)."""
    key = (min(a, b), max(a, b))
    if key not in middles:
        va, vb = vertices[a], vertices[b]
        vertices.append(_unit(((va[0] + vb[0]) / 2, (va[1] + vb[1]) / 2, (va[2] + vb[2]) / 2)))
        middles[key] = len(vertices) - 1
    return middles[key]


def _unit(v: tuple[float, float, float]) -> Vertex:
    length = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
    return (v[0] / length, v[1] / length, v[2] / length)


def glb(generator: str = "modelslab-enterprise-3d mock") -> bytes:
    """The sphere as binary glTF 2.0: positions, normals (a unit sphere's are its positions) and indices."""
    vertices, faces = icosphere()
    positions = b"".join(struct.pack("<3f", *v) for v in vertices)
    indices = b"".join(struct.pack("<3H", *f) for f in faces)
    indices += b"\0" * (-len(indices) % 4)
    binary = positions + positions + indices
    count = len(vertices)
    document = {
        "asset": {"version": "2.0", "generator": generator},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2}]}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": count, "type": "VEC3",
             "max": [1, 1, 1], "min": [-1, -1, -1]},
            {"bufferView": 1, "componentType": 5126, "count": count, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5123, "count": 3 * len(faces), "type": "SCALAR"},
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(positions), "target": 34962},
            {"buffer": 0, "byteOffset": len(positions), "byteLength": len(positions), "target": 34962},
            {"buffer": 0, "byteOffset": 2 * len(positions), "byteLength": 6 * len(faces), "target": 34963},
        ],
        "buffers": [{"byteLength": len(binary)}],
    }  # fmt: skip
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    total = 12 + 8 + len(text) + 8 + len(binary)
    head = struct.pack("<4sII", b"glTF", 2, total) + struct.pack("<I4s", len(text), b"JSON") + text
    return head + struct.pack("<I4s", len(binary), b"BIN\0") + binary


def obj() -> bytes:
    vertices, faces = icosphere()
    lines = ["# modelslab-enterprise-3d mock: an icosphere"]
    lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in vertices]
    lines += [f"vn {x:.6f} {y:.6f} {z:.6f}" for x, y, z in vertices]
    lines += [f"f {a + 1}//{a + 1} {b + 1}//{b + 1} {c + 1}//{c + 1}" for a, b, c in faces]
    return ("\n".join(lines) + "\n").encode()


def stl() -> bytes:
    """Binary STL: an 80-byte header, the triangle count, then each triangle's normal and corners."""
    vertices, faces = icosphere()
    body = b""
    for a, b, c in faces:
        corners = (vertices[a], vertices[b], vertices[c])
        normal = _unit(tuple(sum(corner[i] for corner in corners) / 3 for i in range(3)))  # type: ignore[arg-type]
        body += struct.pack("<12fH", *normal, *corners[0], *corners[1], *corners[2], 0)
    return b"modelslab-enterprise-3d mock: an icosphere".ljust(80, b" ") + struct.pack("<I", len(faces)) + body


def ply() -> bytes:
    vertices, faces = icosphere()
    header = [
        "ply", "format ascii 1.0", "comment modelslab-enterprise-3d mock: an icosphere",
        f"element vertex {len(vertices)}", "property float x", "property float y", "property float z",
        f"element face {len(faces)}", "property list uchar int vertex_indices", "end_header",
    ]  # fmt: skip
    rows = [f"{x:.6f} {y:.6f} {z:.6f}" for x, y, z in vertices] + [f"3 {a} {b} {c}" for a, b, c in faces]
    return ("\n".join(header + rows) + "\n").encode()


__all__ = ["glb", "icosphere", "obj", "ply", "stl"]
