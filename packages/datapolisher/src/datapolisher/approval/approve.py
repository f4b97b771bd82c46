"""Path 3 — approve: sign off a dataset with a ``.manifest.yaml``, refusing while critical issues remain.

Without an output directory the manifest is written into the approved dataset's own directory (the only file
datapolisher ever adds there). With one, the data is copied there, each copy checked against its source's
sha256, and the manifest written beside it — through a temporary sibling, renamed when complete.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from datagen_contracts import dump_manifest
from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.manifest import FILENAME, Manifest, StageRun
from datagen_contracts.metadata import FILENAME as METADATA_FILENAME

from ..dataset import data_files, staged_directory
from ..errors import CriticalIssuesError, InputError, ScriptError
from ..inputs import PolishInputs
from .manifest_build import build_manifest


@dataclass
class ApproveResult:
    manifest_path: Path
    manifest: Manifest


def critical_issues(inputs: PolishInputs) -> list[str]:
    return [f"{i.id}: {i.finding}" for i in inputs.report.issues if i.severity == "critical"]


def _copy_verified(src_dir: Path, dst_dir: Path) -> None:
    files = data_files(src_dir)
    if (src_dir / METADATA_FILENAME).is_file():
        files.append(src_dir / METADATA_FILENAME)
    for f in files:
        rel = f.relative_to(src_dir)
        (dst_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dst_dir / rel)
        if file_sha256(dst_dir / rel) != file_sha256(f):
            raise ScriptError(f"copy of {rel} does not match its source; nothing was written")


def approve(
    inputs: PolishInputs,
    *,
    output_dir: Path | None = None,
    force: bool = False,
    reason: str | None = None,
    license: str | None = None,
    fixes: list[str] | None = None,
    stages: list[StageRun] | None = None,
    approved_by: str | None = None,
    overwrite: bool = False,
    sign_key: Path | None = None,
) -> ApproveResult:
    """Write the manifest (signed with the Ed25519 key at ``sign_key`` when given); raise
    :class:`CriticalIssuesError` while critical issues remain."""
    if force and not (reason and reason.strip()):
        raise InputError("--force needs --reason TEXT: the reason is recorded in the manifest")
    signing_key = None
    if sign_key is not None:  # read before anything is written: a bad key loses nothing
        from .signing import load_private_key

        signing_key = load_private_key(sign_key)
    critical = critical_issues(inputs)
    if critical and not force:
        listed = "\n".join(f"  - {c}" for c in critical[:10])
        raise CriticalIssuesError(
            f"{len(critical)} critical issue(s) remain, refusing to approve:\n{listed}\n"
            "fix them (datapolisher polish --auto) or override with --force --reason TEXT"
        )
    notes = []
    if critical:
        notes.append(f"approved with {len(critical)} critical issue(s) by override")
    if inputs.stale_forced:
        notes.append("the dataset changed after the crunch report was made (fingerprint mismatch forced)")

    def make(data_dir: Path) -> Manifest:
        return build_manifest(
            data_dir=data_dir, report=inputs.report, report_path=inputs.report_path,
            report_sha256=inputs.report_sha256, metadata=inputs.metadata, schema_path=inputs.schema_path,
            license=license, fixes=fixes, stages=stages, approved_by=approved_by, notes="; ".join(notes),
            force_reason=reason.strip() if force and reason else None, signing_key=signing_key,
        )

    if output_dir is None:
        manifest = make(inputs.data_dir)
        path = inputs.data_dir / FILENAME
        dump_manifest(manifest, path)
        return ApproveResult(path, manifest)
    if output_dir.resolve() == inputs.data_dir.resolve():
        raise InputError("-o for approve must be a new directory (omit -o to approve the dataset in place)")
    with staged_directory(output_dir, overwrite=overwrite) as tmp:
        _copy_verified(inputs.data_dir, tmp)
        manifest = make(tmp)
        dump_manifest(manifest, tmp / FILENAME)
    return ApproveResult(output_dir / FILENAME, manifest)
