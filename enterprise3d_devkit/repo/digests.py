"""Content hashes: of bytes, and of a whole directory tree (to tell "nothing changed" from "something did")."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def tree_hash(root: Path) -> str:
    """One hash over every file and folder name and every byte below root (hidden ones included), leaving out
    the bytecode caches Python writes beside modules it imports (whether it does depends on the environment)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if "__pycache__" not in p.relative_to(root).parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
