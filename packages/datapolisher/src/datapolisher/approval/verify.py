"""``datapolisher verify DIR``: does the dataset still match its ``.manifest.yaml``, and is the approval intact?

Checks the manifest parses, is byte for byte the form approval wrote (so even an edit YAML reads the same,
``false`` → ``False``, fails and is named by line), its approval hash still covers its content, every listed
file exists with its bytes and sha256, no unlisted parquet file appeared, and its schema's claims — each
table's rows, columns and their kinds of type — hold for the data, so an edited claim is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from datagen_contracts import ContractError, load_manifest
from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.manifest import (
    FILENAME,
    SIGNED,
    UNSIGNED,
    Approval,
    Manifest,
    approval_hash,
    dumps_manifest,
    signed_message,
)

from ..dataset import directory_files
from ..errors import InputError
from ..model import build_model
from .export import type_kind
from .manifest_build import arrow_type

_FILE_PROBLEMS = ("missing file", "size mismatch", "checksum mismatch", "unlisted file", "outside the directory",
                  "symlink")


@dataclass
class VerifyResult:
    directory: Path
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)
    protection: str = UNSIGNED  # what the approval's check proved, in words

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(directory: Path, *, public_key: Path | None = None) -> VerifyResult:
    """Every mismatch between ``directory`` and its manifest, as readable lines (none means verified).

    With ``public_key`` (a key the caller trusts) the approval must carry a valid Ed25519 signature by it.
    """
    path = directory / FILENAME
    if not directory.is_dir():
        raise InputError(f"not a directory: {directory}")
    if not path.is_file():
        raise InputError(f"no {FILENAME} in {directory} (approve it first: datapolisher polish --path approve)")
    trusted = None
    if public_key is not None:
        from .signing import load_public_key

        trusted = load_public_key(public_key)
    result = VerifyResult(directory)
    try:
        manifest = load_manifest(path)
    except ContractError as exc:
        result.problems.append(f"manifest unreadable: {exc}")
        return result
    if manifest.approval is None or not manifest.approval.approved:
        result.problems.append("the manifest carries no approval")
    elif approval_hash(manifest) != manifest.approval.hash:
        result.problems.append("approval hash mismatch: the manifest's content was edited after approval")
    else:
        result.protection, problems = _check_seal(manifest.approval, trusted)
        result.problems += problems
    result.problems += _layout_edits(path.read_bytes(), dumps_manifest(manifest))
    listed = set()
    root = directory.resolve()
    for f in manifest.files:
        listed.add(f.path)
        target = directory / f.path
        if not _confined(f.path, root):
            result.problems.append(f"outside the directory: the manifest lists {f.path!r}; it was not read")
            continue
        result.files_checked += 1
        if not target.is_file():
            result.problems.append(f"missing file: {f.path}")
        elif target.stat().st_size != f.bytes:
            result.problems.append(f"size mismatch: {f.path} ({target.stat().st_size} bytes, manifest {f.bytes})")
        elif file_sha256(target) != f.sha256:
            result.problems.append(f"checksum mismatch: {f.path}")
    for rel, is_link in directory_files(directory):
        if is_link:
            result.problems.append(f"symlink in the approved directory: {rel} (never followed)")
        elif rel not in listed and rel != FILENAME:
            result.problems.append(f"unlisted file: {rel}")
    if not any(p.startswith(_FILE_PROBLEMS) for p in result.problems):  # else the data is not what was signed
        result.problems += _false_claims(manifest, directory)
    return result


def _confined(rel: str, root: Path) -> bool:
    """A manifest path names a file inside the directory: relative, no '..', no symlink leading out."""
    p = Path(rel)
    if p.is_absolute() or ".." in p.parts or not rel or "\\" in rel:
        return False
    return (root / p).resolve().is_relative_to(root)


def _check_seal(approval: Approval, trusted: object | None) -> tuple[str, list[str]]:
    """What protects an intact approval, and the problems with its signature (if any)."""
    from .signing import public_key_text, verify_message

    signed = approval.signature is not None
    if approval.protection != (SIGNED if signed else UNSIGNED):
        return UNSIGNED, [f"the manifest says its approval is protected by {approval.protection!r}, "
                          f"but it is {'signed' if signed else 'unsigned'}"]
    if trusted is None:
        if signed:
            return (f"{SIGNED} by key {approval.public_key}, NOT checked against a key you trust "
                    "(pass --public-key)"), []
        return f"{UNSIGNED}: proves no accidental change, not who approved (sign with --sign-key)", []
    if not signed:
        return UNSIGNED, ["--public-key given, but the approval is unsigned (integrity hash only)"]
    if approval.public_key != public_key_text(trusted) or not verify_message(
            trusted, signed_message(approval.hash), approval.signature or ""):
        return UNSIGNED, ["signature invalid: the approval was not signed by the given public key"]
    return f"{SIGNED} verified with the given public key", []


def _layout_edits(written: bytes, canonical: bytes) -> list[str]:
    """An edit that leaves the content equal (``false`` → ``False``, a space) still differs from approval's bytes."""
    if written == canonical:
        return []
    ours, theirs = canonical.decode("utf-8", "replace").splitlines(), written.decode("utf-8", "replace").splitlines()
    n = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs)))
    line = theirs[n] if n < len(theirs) else "<end of file>"
    signed = ours[n] if n < len(ours) else "<end of file>"
    return [f"manifest edited at line {n + 1}: {line.strip()!r} (approval wrote {signed.strip()!r})"]


def _false_claims(manifest: Manifest, directory: Path) -> list[str]:
    """The manifest's schema section against the data: rows, column names and kinds of type per table."""
    try:
        model = build_model(directory)
    except InputError:
        return []
    except duckdb.Error as exc:
        return [f"the data cannot be read: {str(exc).splitlines()[0]}"]
    problems = []
    for table in manifest.schema.tables:
        actual = model.tables.get(table.name)
        if actual is None:
            problems.append(f"manifest describes table {table.name}, the data has no such table")
            continue
        if table.rows != actual.rows:
            problems.append(f"manifest says {table.name} has {table.rows} rows, the data has {actual.rows}")
        claimed = [c.name for c in table.columns]
        if claimed != list(actual.columns):
            problems.append(f"manifest lists columns {claimed} for {table.name}, the data has {list(actual.columns)}")
            continue
        for c in table.columns:
            held = arrow_type(actual.columns[c.name])
            if type_kind(c.type) != type_kind(held):
                problems.append(f"manifest types {table.name}.{c.name} as {c.type}, the data holds {held}")
    return problems
