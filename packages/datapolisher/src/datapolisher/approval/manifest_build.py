"""Building a ``.manifest.yaml`` (datagen.manifest/1) from a dataset, its metadata and its crunch report.

Everything the seed's example shows (dataset name, generated_at, generator version, quality score, schema with
tables/columns/types/pk/fk, validation findings and metrics, approval) plus per-file sha256 and bytes, the
provenance of every stage, the crunch report's sha256, the fixes applied, a license and the approval hash.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Any

from datagen_contracts import clock
from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.manifest import (
    FILENAME,
    SIGNED,
    UNSIGNED,
    Approval,
    Findings,
    Manifest,
    ManifestColumn,
    ManifestFile,
    ManifestSchema,
    ManifestTable,
    Provenance,
    StageRun,
    Validation,
    approval_hash,
    signed_message,
)
from datagen_contracts.metadata import DatasetMetadata
from datagen_contracts.report import CrunchReport

from .. import __about__
from ..dataset import directory_files
from ..errors import InputError
from ..issues import count_by_severity
from ..model import DatasetModel, build_model

DEFAULT_LICENSE = "CC0-1.0"

_ARROW = {
    "BIGINT": "int64", "INTEGER": "int32", "SMALLINT": "int16", "TINYINT": "int8", "HUGEINT": "int128",
    "UBIGINT": "uint64", "UINTEGER": "uint32", "DOUBLE": "double", "FLOAT": "float", "VARCHAR": "string",
    "BOOLEAN": "bool", "DATE": "date32", "TIMESTAMP": "timestamp[us]", "TIMESTAMP_NS": "timestamp[ns]",
    "TIMESTAMP WITH TIME ZONE": "timestamp[us, tz=UTC]", "BLOB": "binary", "TIME": "time64[us]",
}


def arrow_type(duckdb_type: str) -> str:
    """DuckDB's type name as the Arrow name the metadata uses (``BIGINT`` → ``int64``)."""
    return _ARROW.get(duckdb_type.upper(), duckdb_type.lower())


def now_utc() -> str:
    return clock.utc_stamp()


def _mtime_utc(paths: list[Path]) -> str:
    if clock.pinned():  # SOURCE_DATE_EPOCH: file times are not part of a reproducible output
        return clock.utc_stamp()
    newest = max(p.stat().st_mtime for p in paths)
    return clock.utc_stamp(dt.datetime.fromtimestamp(newest, dt.UTC))


def manifest_files(data_dir: Path) -> list[ManifestFile]:
    """Every file of the directory (parquet, ``.metadata.json``, anything else, hidden ones included) but the
    manifest itself, with bytes and sha256 — so ``verify`` can report any file added later. A symlink is refused:
    an approval covers what is in the directory, not what a link points at."""
    entries = directory_files(data_dir)
    links = [rel for rel, is_link in entries if is_link]
    if links:
        raise InputError(f"refusing to approve {data_dir}: it holds symlinks ({', '.join(links[:5])}); "
                         "copy the files they point at into the directory instead")
    files = [data_dir / rel for rel, _ in entries if rel != FILENAME]
    return [
        ManifestFile(path=f.relative_to(data_dir).as_posix(), bytes=f.stat().st_size, sha256=file_sha256(f))
        for f in sorted(files)
    ]


def _schema_tables(model: DatasetModel, meta: DatasetMetadata | None) -> list[ManifestTable]:
    tables = []
    for name in model.topological():
        t = model.tables[name]
        info = meta.table(name) if meta else None
        declared = {c.name: c for c in info.columns} if info else {}
        fks = {e.column: f"{e.parent}.{e.parent_column}" for e in model.edges_from(name)}
        cols = [
            ManifestColumn(
                name=c, type=declared[c].arrow_type if c in declared else arrow_type(typ),
                nullable=t.nullable.get(c, c != t.pk), pk=c == t.pk, fk=fks.get(c),
            )
            for c, typ in t.columns.items()
        ]
        tables.append(ManifestTable(name=name, rows=t.rows, columns=cols))
    return tables


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}%"


def _validation(report: CrunchReport, report_path: Path, report_sha256: str) -> Validation:
    m = report.metrics
    metrics = {k: v for k, v in {
        "fk_integrity": _pct(m.fk_integrity), "temporal_violations": _pct(m.temporal_violations),
        "null_rate": _pct(m.null_rate), "duplicate_rate": _pct(m.duplicate_rate),
        "tables_analyzed": str(m.tables_analyzed), "total_rows": str(m.total_rows),
    }.items() if v is not None}
    return Validation(
        datacruncher_version=report.tool.version, analyzed_by=list(report.personas),
        findings=Findings(**count_by_severity(report.issues)), metrics=metrics,
        crunch_report=report_path.name, crunch_report_sha256=report_sha256,
    )


def _stages(meta: DatasetMetadata | None, report: CrunchReport, report_sha256: str, extra: list[StageRun]) -> list[StageRun]:
    stages = []
    if meta is not None and meta.generator.name != "datapolisher":
        stages.append(StageRun(stage="generate", tool=meta.generator.name, version=meta.generator.version,
                               at=meta.generated_at))
    if meta is not None and meta.lineage is not None:
        stages.append(StageRun(stage="polish:postprocess", tool=meta.generator.name, version=meta.generator.version,
                               at=meta.generated_at, command=meta.lineage.script,
                               output_sha256=meta.lineage.script_sha256))
    stages += extra
    stages.append(StageRun(stage="crunch", tool=report.tool.name, version=report.tool.version,
                           at=report.analysis_date, output_sha256=report_sha256))
    return stages


def build_manifest(
    *,
    data_dir: Path,
    report: CrunchReport,
    report_path: Path,
    report_sha256: str,
    metadata: DatasetMetadata | None,
    schema_path: Path | None = None,
    license: str | None = None,
    fixes: list[str] | None = None,
    stages: list[StageRun] | None = None,
    approved_by: str | None = None,
    notes: str = "",
    force_reason: str | None = None,
    signing_key: Any = None,
) -> Manifest:
    """A complete manifest for ``data_dir``: its approval hash covers everything else; with ``signing_key`` (an
    Ed25519 private key, :mod:`datapolisher.approval.signing`) the hash is also signed, else it says "unsigned"."""
    model = build_model(data_dir, metadata, report)
    files = manifest_files(data_dir)
    schema_sha = file_sha256(schema_path) if schema_path else (metadata.schema.sha256 if metadata and metadata.schema else None)
    source = str(schema_path) if schema_path else (metadata.schema.path if metadata and metadata.schema else None)
    fixes_applied = list(metadata.lineage.steps) if metadata and metadata.lineage else []
    fixes_applied += [f for f in fixes or [] if f not in fixes_applied]
    when = now_utc()
    approve = StageRun(stage="approve", tool="datapolisher", version=__about__.__version__, at=when)
    manifest = Manifest(
        dataset_name=metadata.dataset_name if metadata else data_dir.resolve().name,
        generated_at=metadata.generated_at if metadata else _mtime_utc([data_dir / f.path for f in files]),
        generator_version=metadata.generator.version if metadata else None,
        quality_score=f"{round(report.quality_score)}/100",
        license=license or DEFAULT_LICENSE,
        schema=ManifestSchema(source=source, sha256=schema_sha, seed=metadata.seed if metadata else None,
                              tables=_schema_tables(model, metadata)),
        files=files,
        provenance=Provenance(
            generator=metadata.generator.name if metadata else None,
            generator_version=metadata.generator.version if metadata else None,
            schema_sha256=schema_sha, seed=metadata.seed if metadata else None,
            scenario=metadata.scenario.name if metadata and metadata.scenario else None,
            stages=[*_stages(metadata, report, report_sha256, stages or []), approve],
        ),
        validation=_validation(report, report_path, report_sha256),
        fixes_applied=fixes_applied,
        approval=Approval(
            approved=True, approved_by=approved_by or _user(), approved_at=when,
            notes=notes or "Dataset meets quality standards for production use",
            forced=force_reason is not None, force_reason=force_reason,
        ),
    )
    return seal(manifest, signing_key)


def seal(manifest: Manifest, signing_key: Any = None) -> Manifest:
    """Set the approval's protection, hash and (with a key) signature."""
    import msgspec

    from .signing import public_key_text, sign_message

    assert manifest.approval is not None
    approval = msgspec.structs.replace(
        manifest.approval, protection=UNSIGNED if signing_key is None else SIGNED,
        public_key=None if signing_key is None else public_key_text(signing_key), signature=None)
    manifest = msgspec.structs.replace(manifest, approval=approval)
    digest = approval_hash(manifest)
    signature = None if signing_key is None else sign_message(signing_key, signed_message(digest))
    return msgspec.structs.replace(manifest, approval=msgspec.structs.replace(approval, hash=digest,
                                                                              signature=signature))


def _user() -> str:
    try:
        return f"{getpass.getuser()} (datapolisher {__about__.__version__})"
    except (KeyError, OSError):  # no user name in some containers
        return f"datapolisher {__about__.__version__}"
