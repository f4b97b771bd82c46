"""``datapolisher verify DIR``: does the dataset still match its ``.manifest.yaml``, and is the approval intact?

Checks the manifest parses, every listed file exists with its bytes and sha256, no unlisted parquet file
appeared, and the approval hash still covers the manifest (so an edited manifest fails too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from datagen_contracts import ContractError, load_manifest
from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.manifest import FILENAME, approval_hash

from .dataset import data_files
from .errors import InputError


@dataclass
class VerifyResult:
    directory: Path
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(directory: Path) -> VerifyResult:
    """Every mismatch between ``directory`` and its manifest, as readable lines (none means verified)."""
    path = directory / FILENAME
    if not directory.is_dir():
        raise InputError(f"not a directory: {directory}")
    if not path.is_file():
        raise InputError(f"no {FILENAME} in {directory} (approve it first: datapolisher polish --path approve)")
    result = VerifyResult(directory)
    try:
        manifest = load_manifest(path)
    except ContractError as exc:
        result.problems.append(f"manifest unreadable: {exc}")
        return result
    if manifest.approval is None or not manifest.approval.approved:
        result.problems.append("the manifest carries no approval")
    elif approval_hash(manifest) != manifest.approval.hash:
        result.problems.append("approval hash mismatch: the manifest was edited after approval")
    listed = set()
    for f in manifest.files:
        listed.add(f.path)
        target = directory / f.path
        result.files_checked += 1
        if not target.is_file():
            result.problems.append(f"missing file: {f.path}")
        elif target.stat().st_size != f.bytes:
            result.problems.append(f"size mismatch: {f.path} ({target.stat().st_size} bytes, manifest {f.bytes})")
        elif file_sha256(target) != f.sha256:
            result.problems.append(f"checksum mismatch: {f.path}")
    try:
        present = data_files(directory)
    except InputError:
        present = []
    for extra in present:
        rel = extra.relative_to(directory).as_posix()
        if rel not in listed:
            result.problems.append(f"unlisted file: {rel}")
    return result
