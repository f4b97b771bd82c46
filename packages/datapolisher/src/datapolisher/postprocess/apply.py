"""Write a plan's two scripts and apply it: polished parquet plus ``.metadata.json`` with lineage.

The SQL script is the one applied (in-process DuckDB, the same text with the output pointed at a temporary
sibling); the Polars script is its twin. The input directory is only read. On any failure the temporary
output is removed, so no partial directory is left.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from datagen_contracts import dump_metadata
from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.metadata import (
    ColumnInfo,
    DatasetMetadata,
    FileInfo,
    ForeignKey,
    GeneratorInfo,
    Lineage,
    TableInfo,
)

from .. import __about__
from ..dataset import fingerprint, staged_directory
from ..errors import ScriptError
from ..model import DatasetModel, build_model
from . import python, sql
from .plan import Plan


@dataclass
class PostprocessResult:
    output_dir: Path
    sql_path: Path
    python_path: Path
    plan: Plan
    metadata: DatasetMetadata


def default_output(data_dir: Path) -> Path:
    """``output/`` → ``output_polished/`` beside it."""
    return data_dir.resolve().parent / f"{data_dir.resolve().name}_polished"


def _rel(target: Path, start: Path) -> str:
    return os.path.relpath(target.resolve(), start.resolve())


def write_scripts(plan: Plan, data_dir: Path, output_dir: Path, script_dir: Path, header: str) -> tuple[Path, Path]:
    from datagen_contracts._io import write_atomic

    src, out = _rel(data_dir, script_dir), _rel(output_dir, script_dir)
    sql_path = write_atomic(script_dir / "postprocess.sql", sql.render(plan, src, out, header=header).encode())
    py_path = write_atomic(script_dir / "postprocess.py", python.render(plan, src, out, header=header).encode())
    return sql_path, py_path


def run_sql(plan: Plan, data_dir: Path, out_dir: Path) -> None:
    """Run the plan's SQL over ``data_dir`` writing into the existing directory ``out_dir``."""
    script = sql.render(plan, str(data_dir.resolve()), str(out_dir.resolve()))
    con = duckdb.connect(":memory:")
    try:
        con.execute(script)
    except duckdb.Error as exc:
        raise ScriptError(f"post-processing failed, no output written: {exc}") from None
    finally:
        con.close()
    for marker in out_dir.glob(f"{sql.MARKER}*"):
        marker.unlink()


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def polished_metadata(
    out_dir: Path, source: DatasetModel, source_meta: DatasetMetadata | None, lineage: Lineage, name: str
) -> DatasetMetadata:
    """Metadata of the polished data: the source's declarations carried over, files and types re-read."""
    model = build_model(out_dir)
    tables = []
    for tname, t in sorted(model.tables.items()):
        src = source.tables.get(tname)
        fks = [ForeignKey(column=e.column, references_table=e.parent, references_column=e.parent_column)
               for e in source.edges_from(tname)]
        fk_of = {f.column: f"{f.references_table}.{f.references_column}" for f in fks}
        old = source_meta.table(tname) if source_meta is not None else None
        roles = {c.name: c.role for c in old.columns} if old is not None else {}
        columns = [
            ColumnInfo(name=c, arrow_type=typ, nullable=src.nullable.get(c, True) if src else True,
                       primary_key=src is not None and c == src.pk, foreign_key=fk_of.get(c), role=roles.get(c))
            for c, typ in t.columns.items()
        ]
        files = [FileInfo(path=f.relative_to(out_dir).as_posix(), rows=t.rows, bytes=f.stat().st_size,
                          sha256=file_sha256(f)) for f in t.source.files]
        tables.append(TableInfo(
            name=tname, kind=old.kind if old is not None else "table", rows=t.rows, files=files, columns=columns,
            primary_key=src.pk if src else None, foreign_keys=fks, parents=sorted({f.references_table for f in fks}),
            time_columns=[c for c in t.columns if t.is_time(c)], created_at_column=src.created_at if src else None,
        ))
    base = dict(seed=None, schema=None, scenario=None, context={}, timeframe=None)
    if source_meta is not None:
        base = dict(seed=source_meta.seed, schema=source_meta.schema, scenario=source_meta.scenario,
                    context=source_meta.context, timeframe=source_meta.timeframe)
    return DatasetMetadata(
        dataset_name=name, generator=GeneratorInfo(name="datapolisher", version=__about__.__version__),
        generated_at=_now(), tables=tables, lineage=lineage, **base,
    )


def apply_plan(
    plan: Plan,
    model: DatasetModel,
    *,
    data_dir: Path,
    output_dir: Path,
    script_dir: Path,
    source_meta: DatasetMetadata | None,
    dataset_name: str,
    header: str = "",
    overwrite: bool = False,
) -> PostprocessResult:
    """Write both scripts into ``script_dir``, apply the plan, write ``output_dir`` atomically."""
    if output_dir.resolve() == data_dir.resolve():
        raise ScriptError("the output directory must differ from the input directory (inputs are never modified)")
    sql_path, py_path = write_scripts(plan, data_dir, output_dir, script_dir, header)
    lineage = Lineage(
        derived_from=str(data_dir), derived_from_fingerprint=fingerprint(data_dir), script=str(sql_path),
        script_sha256=file_sha256(sql_path), steps=plan.fixes,
    )
    with staged_directory(output_dir, overwrite=overwrite) as tmp:
        run_sql(plan, data_dir, tmp)
        meta = polished_metadata(tmp, model, source_meta, lineage, dataset_name)
        dump_metadata(meta, tmp / ".metadata.json")
    return PostprocessResult(output_dir, sql_path, py_path, plan, meta)
