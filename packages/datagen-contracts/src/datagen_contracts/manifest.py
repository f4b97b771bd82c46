"""``.manifest.yaml`` — datapolisher's sign-off of a dataset.

It carries everything in the seed's example (dataset name, generated_at, generator version, quality score, schema
with tables/columns/types/pk/fk, validation findings and metrics, approval) plus per-file checksums, provenance,
the crunch report's sha256, fixes applied, a license and an approval hash over all of the above, so that any
later edit invalidates the approval. Humans read and may edit it, so unknown keys are rejected.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from . import files

CONTRACT = "datagen.manifest/1"
FILENAME = ".manifest.yaml"


class _Strict(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    pass


class ManifestColumn(_Strict, kw_only=True):
    name: str
    type: str
    nullable: bool = True
    pk: bool = False
    fk: str | None = None  # "table.column"


class ManifestTable(_Strict, kw_only=True):
    name: str
    rows: int
    columns: list[ManifestColumn] = msgspec.field(default_factory=list)


class ManifestSchema(_Strict, kw_only=True):
    source: str | None = None
    sha256: str | None = None
    seed: int | None = None
    tables: list[ManifestTable] = msgspec.field(default_factory=list)


class ManifestFile(_Strict, kw_only=True):
    path: str
    bytes: int
    sha256: str


class StageRun(_Strict, kw_only=True):
    stage: str  # "generate", "crunch", "polish:schema", "polish:postprocess", "approve"
    tool: str
    version: str
    at: str | None = None
    command: str | None = None
    output_sha256: str | None = None


class Provenance(_Strict, kw_only=True):
    generator: str | None = None
    generator_version: str | None = None
    schema_sha256: str | None = None
    seed: int | None = None
    scenario: str | None = None
    stages: list[StageRun] = msgspec.field(default_factory=list)


class Findings(_Strict, kw_only=True, omit_defaults=False):  # zero counts are information
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0


class Validation(_Strict, kw_only=True):
    datacruncher_version: str | None = None
    analyzed_by: list[str] = msgspec.field(default_factory=list)
    findings: Findings = msgspec.field(default_factory=Findings)
    metrics: dict[str, str] = msgspec.field(default_factory=dict)  # e.g. fk_integrity: "100.0%"
    crunch_report: str | None = None
    crunch_report_sha256: str | None = None


class Approval(_Strict, kw_only=True):
    approved: bool
    approved_by: str
    approved_at: str
    notes: str = ""
    forced: bool = False
    force_reason: str | None = None
    hash: str = ""  # sha256 over the canonical manifest without this field and the signature
    # what protects the approval, said plainly: "integrity hash, unsigned" (anyone who can write the directory
    # can recompute the hash after an edit) or "ed25519 signature" (only the holder of the private key can sign)
    protection: str | None = None
    public_key: str | None = None  # the signer's Ed25519 public key, base64 of its 32 raw bytes
    signature: str | None = None  # base64 Ed25519 signature of signed_message(hash); not covered by the hash


UNSIGNED = "integrity hash, unsigned"
SIGNED = "ed25519 signature"


def signed_message(hash_hex: str) -> bytes:
    """The bytes an approval signature covers: the contract tag and the approval hash (domain-separated, so a
    signature made for anything else never verifies here).

    >>> signed_message("ab")
    b'datagen.manifest/1 approval ab'
    """
    return f"{CONTRACT} approval {hash_hex}".encode()


class Manifest(_Strict, kw_only=True, omit_defaults=False):
    contract: str = CONTRACT
    dataset_name: str
    generated_at: str | None = None
    generator_version: str | None = None
    quality_score: str | None = None  # "95/100", as in the seed
    license: str | None = None
    schema: ManifestSchema = msgspec.field(default_factory=ManifestSchema)
    files: list[ManifestFile] = msgspec.field(default_factory=list)
    provenance: Provenance = msgspec.field(default_factory=Provenance)
    validation: Validation = msgspec.field(default_factory=Validation)
    fixes_applied: list[str] = msgspec.field(default_factory=list)
    extra: dict[str, Any] = msgspec.field(default_factory=dict)
    approval: Approval | None = None


def approval_hash(manifest: Manifest) -> str:
    """sha256 over the canonical JSON of the manifest with the approval's own hash and signature blanked.

    >>> m = Manifest(dataset_name="d", approval=Approval(approved=True, approved_by="x", approved_at="t"))
    >>> approval_hash(m) == approval_hash(msgspec.structs.replace(m, approval=msgspec.structs.replace(
    ...     m.approval, hash="anything")))
    True
    """
    blank = manifest
    if manifest.approval is not None:
        blank = msgspec.structs.replace(manifest, approval=msgspec.structs.replace(manifest.approval, hash="",
                                                                                   signature=None))
    return hashlib.sha256(msgspec.json.encode(blank, order="sorted")).hexdigest()


def loads_manifest(data: bytes) -> Manifest:
    return files.load_tagged(data, Manifest, CONTRACT, FILENAME, yaml=True)


def dumps_manifest(manifest: Manifest) -> bytes:
    return files.encode_yaml(manifest)


def load_manifest(path: files.PathLike) -> Manifest:
    from pathlib import Path

    p = Path(path)
    if p.is_dir():
        p = p / FILENAME
    return files.load_tagged(p, Manifest, CONTRACT, "manifest", yaml=True)


def dump_manifest(manifest: Manifest, path: files.PathLike) -> None:
    files.write_atomic(path, dumps_manifest(manifest))
