"""Checksums shared by every stage: a file's sha256 and a dataset's fingerprint.

A crunch report names its dataset by fingerprint, and datapolisher refuses a report whose dataset has changed
since, so both must compute the fingerprint the same way — here, once. The fingerprint always hashes the bytes
on disk (never a checksum copied from a metadata file, which may be stale).

>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.parquet").write_bytes(b"x")
>>> dataset_fingerprint(d, [d / "a.parquet"]) == dataset_fingerprint(d, [d / "a.parquet"])
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def dataset_fingerprint(root: Path, files: Iterable[Path]) -> str:
    """sha256 over each file's path relative to ``root`` (posix), its size and its sha256, in path order."""
    root = Path(root)
    entries = []
    for f in files:
        f = Path(f)
        rel = f.relative_to(root).as_posix() if f.is_relative_to(root) else f.as_posix()
        entries.append((rel, f))
    h = hashlib.sha256()
    for rel, f in sorted(entries):
        h.update(f"{rel}\0{f.stat().st_size}\0{file_sha256(f)}\n".encode())
    return h.hexdigest()
