"""Write a plan's two scripts and apply it: polished parquet plus ``.metadata.json`` with lineage.

The SQL script is the one applied (in-process DuckDB, the same text with the output pointed at a temporary
sibling), and it writes the output's ``.metadata.json`` itself, exactly as ``duckdb < postprocess.sql`` does;
the Polars script is its twin. The input directory is only read. On any failure the temporary output is
removed, so no partial directory is left.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from datagen_contracts import ContractError, clock, load_metadata
from datagen_contracts.files import write_atomic
from datagen_contracts.metadata import DatasetMetadata

from ..dataset import staged_directory
from ..errors import ScriptError
from ..model import DatasetModel
from . import python, sql
from .metadata import template
from .plan import Plan


@dataclass
class PostprocessResult:
    output_dir: Path
    sql_path: Path
    python_path: Path
    plan: Plan
    metadata: DatasetMetadata
    notes: list[str]


def default_output(data_dir: Path) -> Path:
    """``output/`` → ``output_polished/`` beside it."""
    return data_dir.resolve().parent / f"{data_dir.resolve().name}_polished"


def _rel(target: Path, start: Path) -> str:
    return os.path.relpath(target.resolve(), start.resolve())


def write_scripts(
    plan: Plan, metadata: dict[str, Any], data_dir: Path, output_dir: Path, script_dir: Path, header: str
) -> tuple[Path, Path]:
    """``postprocess.sql`` and ``postprocess.py`` in ``script_dir``, with paths relative to it."""
    src, out = _rel(data_dir, script_dir), _rel(output_dir, script_dir)
    sql_text = sql.render(plan, src, out, metadata=metadata, header=header)
    py_text = python.render(plan, src, out, metadata=metadata, header=header)
    return (write_atomic(script_dir / sql.SCRIPT, sql_text.encode()),
            write_atomic(script_dir / "postprocess.py", py_text.encode()))


def run_sql(plan: Plan, metadata: dict[str, Any], data_dir: Path, out_dir: Path, *, script: Path,
            derived_from: str) -> DatasetMetadata:
    """Run the plan's SQL over ``data_dir`` into the existing directory ``out_dir``; return what it described.

    The text is the script's with absolute paths (the module resolves paths against the process, not the
    script) and without the shell's ``.bail on``; it writes ``.metadata.json`` itself, hashing ``script``.
    """
    text = sql.render(plan, str(data_dir.resolve()), str(out_dir.resolve()), metadata=metadata,
                      derived_from=derived_from, script=str(script.resolve()), shell=False)
    con = duckdb.connect(":memory:")
    try:
        if clock.pinned():  # SOURCE_DATE_EPOCH → the script's generated_at
            con.execute("SET VARIABLE source_date_epoch = $e", {"e": int(clock.now().timestamp())})
        con.execute(text)
    except duckdb.Error as exc:
        raise ScriptError(f"post-processing failed, no output written: {exc}") from None
    finally:
        con.close()
    for marker in out_dir.rglob(f"{sql.MARKER}*"):
        marker.unlink()
    try:
        return load_metadata(out_dir)
    except ContractError as exc:  # pragma: no cover - the template comes from the contract's own structs
        raise ScriptError(f"postprocess.sql wrote an invalid .metadata.json: {exc}") from None


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
    metadata = template(plan, model, source_meta, dataset_name)
    sql_path, py_path = write_scripts(plan, metadata, data_dir, output_dir, script_dir, header)
    with staged_directory(output_dir, overwrite=overwrite) as tmp:
        meta = run_sql(plan, metadata, data_dir, tmp, script=sql_path, derived_from=str(data_dir))
        notes = type_changes(plan, data_dir, tmp)
    return PostprocessResult(output_dir, sql_path, py_path, plan, meta, notes)


def type_changes(plan: Plan, data_dir: Path, out_dir: Path) -> list[str]:
    """One note per table whose columns the output stores under another parquet type than the input's: DuckDB,
    which writes every table of the output, has no float16, no fixed-size binary, no INT96 and no DECIMAL past 38
    digits. Values are the same, except such decimals (read as DOUBLE: rounded past 15–17 significant digits),
    which the note calls lossy. (Arrow-only annotations — a time zone's name, a duration's unit, large or
    dictionary strings — are not parquet types and go unsaid; their values are kept.)"""
    con = duckdb.connect(":memory:")
    notes = []
    try:
        for name, rel in plan.tables.items():
            first = plan.parts[name][0] if name in plan.parts else rel
            before, after = _top_kinds(con, data_dir / first), _top_kinds(con, out_dir / plan.output_files(name)[0])
            changed = []
            for column, kind in before.items():
                new = after.get(column)
                if new is None or new == kind:
                    continue
                lossy = kind.startswith("DECIMAL") and not new.startswith("DECIMAL")
                changed.append(f"{column} {kind} → {new}" + (" (LOSSY: rounded to a double)" if lossy else ""))
            if changed:
                notes.append(f"{name}: {len(changed)} column(s) stored under DuckDB's types (same values unless "
                             "marked): " + "; ".join(changed))
    finally:
        con.close()
    return notes


def _top_kinds(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    """The parquet type of each top-level column of a file that is not nested (``DECIMAL(40,0)``, ``FLOAT16``,
    ``FIXED_LEN_BYTE_ARRAY(16)``, else the physical type), from its footer."""
    try:
        rows = con.execute("SELECT name, type, type_length, num_children, converted_type, precision, scale, "
                           "logical_type FROM parquet_schema($f)", {"f": str(path)}).fetchall()
    except duckdb.Error as exc:  # pragma: no cover - both files were just read or written
        raise ScriptError(f"cannot read the parquet schema of {path}: {exc}") from None
    kinds, i = {}, 1

    def skip(at: int) -> int:  # past a column and everything nested in it
        end = at + 1
        for _ in range(rows[at][3] or 0):
            end = skip(end)
        return end

    for _ in range((rows[0][3] or 0) if rows else 0):
        name, physical, length, children, converted, precision, scale, logical = rows[i]
        logical = str(logical or "")
        if not children:
            if converted == "DECIMAL" or logical.startswith("Decimal"):
                kinds[str(name)] = f"DECIMAL({precision},{scale})"
            elif logical.startswith("Float16"):
                kinds[str(name)] = "FLOAT16"
            elif physical == "FIXED_LEN_BYTE_ARRAY":
                kinds[str(name)] = f"FIXED_LEN_BYTE_ARRAY({length})"
            else:
                kinds[str(name)] = str(physical)
        i = skip(i)
    return kinds
