"""Render a plan as a standalone DuckDB script: ``duckdb < postprocess.sql``.

The script loads every table into memory, applies each fix as a ``CREATE OR REPLACE TABLE`` (commented with
the issues it addresses), and writes the output only once every fix has succeeded. Identifiers are always
quoted, so a table named ``order`` or a column named ``unit price`` works.
"""

from __future__ import annotations

import json
import re
from typing import Any

from datagen_contracts.metadata import FILENAME as METADATA
from datagen_contracts.text import comment
from datagen_contracts.text import quote_ident as q
from datagen_contracts.text import quote_literal as lit

from .ops import BY_OP
from .plan import Plan, Step, describe

MARKER = "_postprocess"  # DuckDB's COPY … PER_THREAD_OUTPUT creates the output directory, leaving this marker
SCRIPT = "postprocess.sql"


ROUNDING = (
    "",
    "-- Money rounds half away from zero on the value as written (2.005 -> 2.01), in plain IEEE arithmetic that every",
    "-- DuckDB version and postprocess.py compute alike (round() does not: DuckDB 2 rounds the binary 2.00499999...",
    "-- down, DuckDB 1 rounded it up); the 1e-9 nudge absorbs that representation error, far below a cent.",
    "CREATE OR REPLACE TEMP MACRO round_half_away(x, decimals) AS",
    "    sign(x::DOUBLE) * floor(abs(x::DOUBLE) * pow(10, decimals) + 0.5 + 1e-9) / pow(10, decimals);",
)


_SHELL_DROPS = (
    "-- Note: a table or column name here holds a carriage return or a NUL, which the DuckDB shell drops from what it reads:",
    "-- `duckdb < postprocess.sql` then stops at that name (nothing is written). Run it through DuckDB's Python",
    "-- module (datapolisher does) or use postprocess.py.",
)


def _table_sql(step: Step) -> str:
    return BY_OP[step.op].sql(step)


def _json(value: Any) -> str:
    """A JSON literal for the script (compact, keys in the template's order)."""
    return lit(json.dumps(value, ensure_ascii=False, separators=(",", ":"))) + "::JSON"


def _glob_one(path: str) -> str:
    """``path`` as a glob matching only itself, so a missing file reads as no rows instead of an error."""
    return f"{path[:-1]}[{path[-1]}]"


def _guard(plan: Plan, out: str) -> list[str]:
    refusal = f"{out}/ already exists and was not written by this script: remove it or choose another output"
    written_steps = "json(TRY_CAST(content AS JSON) -> '$.lineage.steps')"
    return [
        "",
        f"-- Refuse an existing {comment(out)}/ that this script did not write (its .metadata.json would list other steps).",
        "-- Over its own earlier output it writes everything again, .metadata.json included (SQL cannot skip).",
        "CREATE TEMP TABLE __output_check AS SELECT CASE",
        f"    WHEN (SELECT count(*) FROM glob({lit(out + '/*')})) > 0",
        f"     AND (SELECT {written_steps} FROM read_text({lit(_glob_one(out + '/' + METADATA))}))",
        f"         IS DISTINCT FROM json({_json(plan.fixes)})",
        f"    THEN error({lit(refusal)}) END AS refused;",
    ]


def _relative(column: str, src: str) -> str:
    """SQL for a globbed file's path relative to the input directory ``src``."""
    prefix = re.sub(r"^(\./)+", "", src) + "/"
    return f"regexp_replace({column}, '^(\\./)+', '')[{len(prefix) + 1}:]"


#: the column a table of parts carries through the fixes: the part (relative to the input) each row came from
PART = "__part"


def _load(name: str, rel: str, src: str) -> str:
    """Load a table; a directory of part files skips hidden parts (``.x``, ``_x``) as datacruncher does, reads
    parts that add columns or widen a type by name (every part is written back with the union of the columns),
    and keeps each row's part in :data:`PART` so the output writes it back there."""
    if "*" not in rel:
        return f"CREATE TABLE {q(name)} AS SELECT * FROM read_parquet({lit(src + '/' + rel)});"
    return (f"CREATE TABLE {q(name)} AS SELECT * EXCLUDE (__file), {_relative('__file', src)} AS {PART} "
            f"FROM read_parquet({lit(src + '/' + rel)}, filename = '__file', union_by_name = true)\n"
            f"    WHERE NOT regexp_matches({_relative('__file', src)}, '(^|/)[._]');")


def _write(plan: Plan, name: str, out: str) -> list[str]:
    """COPY a table to the output: one file, or — for a table of parts — each part's rows to that part's path
    (hive ``key=value`` columns left to the path, as in the input); a row of a part the plan does not know (the
    input changed since the script was written) stops the script."""
    if name not in plan.parts:
        (path,) = plan.output_files(name)
        return [f"COPY {q(name)} TO {lit(out + '/' + path)} (FORMAT parquet, COMPRESSION zstd);"]
    parts = plan.parts[name]
    known = ", ".join(lit(p) for p in parts)
    lines = [f"CREATE OR REPLACE TEMP TABLE __parts_check AS SELECT CASE WHEN count(*) > 0 THEN "
             f"error({lit(f'{name}: rows from parts this script does not know')}) END AS refused "
             f"FROM {q(name)} WHERE {PART} NOT IN ({known});"]
    folders = {"/".join(p.split("/")[:i]) for p in parts for i in range(1, p.count("/") + 1)}
    for folder in sorted(folders):  # COPY makes no folders, but a per-thread COPY makes its own: parents first
        lines.append(f"COPY (SELECT 1 AS made) TO {lit(out + '/' + folder)} "
                     f"(FORMAT csv, PER_THREAD_OUTPUT, FILENAME_PATTERN '{MARKER}', OVERWRITE_OR_IGNORE);")
    drop = ", ".join([PART, *map(q, plan.hive_keys(name))])
    lines += [f"COPY (SELECT * EXCLUDE ({drop}) FROM {q(name)} WHERE {PART} = {lit(p)}) TO {lit(out + '/' + p)} "
              "(FORMAT parquet, COMPRESSION zstd);" for p in parts]
    return lines


def _source_files(name: str, rel: str, src: str) -> str:
    if "*" not in rel:
        return f"SELECT {lit(rel)} AS rel, size, content FROM read_blob({lit(src + '/' + rel)})"
    return (f"SELECT rel, size, content FROM (SELECT {_relative('filename', src)} AS rel, size, content FROM "
            f"read_blob({lit(src + '/' + rel)})) WHERE NOT regexp_matches(rel, '(^|/)[._]')")


def _describe(plan: Plan, meta: dict[str, Any], src: str, out: str, derived_from: str, script: str) -> list[str]:
    """Write ``out/.metadata.json``: the template, with what only this run knows filled in."""
    lines = [
        "",
        f"-- Describe the output in {comment(out)}/{METADATA} (contract datagen.metadata/1): the declarations datapolisher",
        "-- knew when it wrote this script, plus what only this run knows: each file's rows, bytes and sha256, the",
        f"-- input's fingerprint, and the sha256 of {comment(script)} (read from the directory this runs in; null if renamed).",
        "CREATE TEMP TABLE __files AS",
    ]
    written = [(name, path) for name in plan.tables for path in plan.output_files(name)]
    for i, (name, path) in enumerate(written):  # each file's rows from its own footer: no scan of the table
        lines.append(f"{'UNION ALL ' if i else '          '}SELECT {lit(name)} AS name, {lit(path)} AS path, "
                     f"(SELECT num_rows FROM parquet_file_metadata({lit(out + '/' + path)})) AS rows, "
                     f"size AS bytes, sha256(content) AS sha256 FROM read_blob({lit(out + '/' + path)})")
    lines[-1] += ";"
    lines += ["CREATE TEMP TABLE __source AS",
              "SELECT sha256(string_agg(rel || chr(0) || size || chr(0) || sha256(content) || chr(10), '' ORDER BY rel))"
              " AS fingerprint FROM ("]
    lines += [f"    {'UNION ALL ' if i else ''}{_source_files(name, rel, src)}" for i, (name, rel) in
              enumerate(plan.tables.items())]
    lines[-1] += ");"
    merged_tables = ",\n".join(
        f"            json_merge_patch({_json(t)}, (SELECT json_object('rows', sum(rows)::BIGINT, 'files', "
        f"to_json(list(json_object('path', path, 'rows', rows, 'bytes', bytes, 'sha256', sha256) ORDER BY path))) "
        f"FROM __files WHERE name = {lit(t['name'])}))" for t in meta["tables"])
    runtime = {
        # SET VARIABLE source_date_epoch = N pins it (datapolisher does, from SOURCE_DATE_EPOCH)
        "generated_at": "strftime(coalesce(make_timestamp(getvariable('source_date_epoch')::BIGINT * 1000000), "
                        "now()::TIMESTAMP), '%Y-%m-%dT%H:%M:%SZ')",
        "tables": f"json_array(\n{merged_tables}\n        )",
        "lineage": (f"json_merge_patch({_json(meta['lineage'])}, json_object(\n"
                    f"            'derived_from', {lit(derived_from)}, "
                    "'derived_from_fingerprint', (SELECT fingerprint FROM __source),\n"
                    f"            'script', {lit(script.rsplit('/', 1)[-1])}, 'script_sha256', (SELECT sha256(content) FROM "
                    f"read_blob({lit(_glob_one(script))}))))"),
    }
    fields = [f"        {runtime.get(key) or _json(value)} AS {q(key)}" for key, value in meta.items()]
    return [*lines, "COPY (\n    SELECT\n" + ",\n".join(fields) + f"\n) TO {lit(out + '/' + METADATA)} (FORMAT json);"]


def render(
    plan: Plan,
    input_dir: str,
    output_dir: str,
    *,
    metadata: dict[str, Any],
    header: str = "",
    derived_from: str | None = None,
    script: str = SCRIPT,
    shell: bool = True,
) -> str:
    """The whole script; ``input_dir`` and ``output_dir`` are written into it as given.

    ``metadata`` is the output's ``.metadata.json`` template (``postprocess.metadata.template``); ``script``
    is the file whose sha256 the lineage records (under its file name); ``derived_from`` the input as the
    lineage names it (default: ``input_dir``); ``shell=False`` leaves out the DuckDB shell's ``.bail on`` (for
    running the text through the Python module).
    """
    src = input_dir.rstrip("/")
    out = output_dir.rstrip("/")
    lines = [
        "-- postprocess.sql — written by datapolisher." + (f" {comment(header)}" if header else ""),
        f"-- Reads {comment(src)}/ and writes {comment(out)}/ (run from this directory: duckdb < postprocess.sql).",
        "-- Every table is loaded and fixed in memory inside one transaction; nothing is written until every fix",
        "-- has succeeded, and the first error stops the script.",
        *(_SHELL_DROPS if any(c in n for t, cols in plan.columns.items() for n in (t, *cols) for c in "\r\0") else ()),
        *([".bail on"] if shell else []),
        "SET TimeZone = 'UTC';",
        "SET preserve_insertion_order = true;",
        "BEGIN TRANSACTION;",
        *_guard(plan, out),
        *(ROUNDING if plan.rounds_money else ()),
        "",
        "-- Load the input tables.",
    ]
    lines += [_load(name, rel, src) for name, rel in plan.tables.items()]
    for step in plan.steps:
        lines += ["", f"-- {comment(describe(step))}"]
        lines += [f"--   fixes {comment(w)}" for w in step.why]
        lines.append(f"CREATE OR REPLACE TABLE {q(step.table)} AS\n{_table_sql(_with_columns(plan, step))};")
    lines += [
        "",
        f"-- Write the output: this COPY creates {comment(out)}/ (DuckDB has no mkdir) and leaves a small marker file.",
        f"COPY (SELECT 'datapolisher postprocess.sql' AS written_by) TO {lit(out)} "
        f"(FORMAT csv, PER_THREAD_OUTPUT, FILENAME_PATTERN '{MARKER}', OVERWRITE_OR_IGNORE);",
    ]
    for name in plan.tables:
        lines += _write(plan, name, out)
    lines += _describe(plan, metadata, src, out, derived_from if derived_from is not None else src, script)
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def _with_columns(plan: Plan, step: Step) -> Step:
    if step.op != "dedupe_rows":
        return step
    return Step(step.op, step.table, {**step.params, "columns": plan.columns[step.table]}, step.why)
