"""Render a plan as a standalone DuckDB script: ``duckdb < postprocess.sql``.

The script loads every table into memory, applies each fix as a ``CREATE OR REPLACE TABLE`` (commented with
the issues it addresses), and writes the output only once every fix has succeeded. Identifiers are always
quoted, so a table named ``order`` or a column named ``unit price`` works.
"""

from __future__ import annotations

from ..sqltext import quote_ident as q
from ..sqltext import quote_literal as lit
from .plan import ACTIVE_DAYS, Plan, Step, describe

MARKER = "_postprocess"  # DuckDB's COPY … PER_THREAD_OUTPUT creates the output directory, leaving this marker


ROUNDING = (
    "",
    "-- Money rounds half away from zero on the value as written (2.005 -> 2.01), in plain IEEE arithmetic that every",
    "-- DuckDB version and postprocess.py compute alike (round() does not: DuckDB 2 rounds the binary 2.00499999...",
    "-- down, DuckDB 1 rounded it up); the 1e-9 nudge absorbs that representation error, far below a cent.",
    "CREATE OR REPLACE TEMP MACRO round_half_away(x, decimals) AS",
    "    sign(x::DOUBLE) * floor(abs(x::DOUBLE) * pow(10, decimals) + 0.5 + 1e-9) / pow(10, decimals);",
)


def _table_sql(step: Step) -> str:
    t, p = q(step.table), step.params
    col = q(p["column"]) if "column" in p else ""
    ordered = f"(SELECT *, rowid AS __row FROM {t})"
    if step.op == "cast" and p["type"] == "BIGINT":
        value = f"round({col})" if p["from"].upper().startswith(("DOUBLE", "FLOAT", "DECIMAL", "REAL")) else col
        return f"SELECT * REPLACE (TRY_CAST({value} AS BIGINT) AS {col}) FROM {t}"
    if step.op == "cast":
        return f"SELECT * REPLACE (TRY_CAST({col} AS {p['type']}) AS {col}) FROM {t}"
    if step.op == "clamp_min":
        return f"SELECT * REPLACE (CASE WHEN {col} < {lit(p['min'])} THEN {lit(p['min'])} ELSE {col} END AS {col}) FROM {t}"
    if step.op == "normalize_codes":
        whens = "\n".join(f"        WHEN {lit(k)} THEN {lit(v)}" for k, v in p["mapping"].items())
        return f"SELECT * REPLACE (\n    CASE {col}\n{whens}\n        ELSE {col}\n    END AS {col}) FROM {t}"
    if step.op == "trim_whitespace":
        return f"SELECT * REPLACE (trim({col}, ' ' || chr(9) || chr(10) || chr(13)) AS {col}) FROM {t}"
    if step.op == "fill_default":
        return f"SELECT * REPLACE (coalesce({col}, {lit(p['value'])}) AS {col}) FROM {t}"
    if step.op == "round_money":
        return f"SELECT * REPLACE (round_half_away({col}, {int(p['decimals'])}) AS {col}) FROM {t}"
    if step.op == "dedupe_rows":
        return (f"SELECT * EXCLUDE (__row) FROM {ordered}\n"
                f"QUALIFY row_number() OVER (PARTITION BY {', '.join(map(q, p['columns']))} ORDER BY __row) = 1\n"
                "ORDER BY __row")
    if step.op == "dedupe_key":
        return (f"SELECT * EXCLUDE (__row) FROM {ordered}\n"
                f"QUALIFY row_number() OVER (PARTITION BY {q(p['key'])} ORDER BY __row) = 1\nORDER BY __row")
    if step.op == "swap_interval":
        s, e = q(p["start"]), q(p["end"])
        return (f"SELECT * REPLACE (\n    CASE WHEN {s} > {e} THEN {e} ELSE {s} END AS {s},\n"
                f"    CASE WHEN {s} > {e} THEN {s} ELSE {e} END AS {e}) FROM {t}")
    parents = f"(SELECT {q(p['parent_column'])} FROM {q(p['parent'])})" if "parent" in p else ""
    if step.op == "drop_orphans":
        return f"SELECT * FROM {t} WHERE {col} IS NULL OR {col} IN {parents}"
    if step.op == "null_orphans":
        return f"SELECT * REPLACE (CASE WHEN {col} IN {parents} THEN {col} END AS {col}) FROM {t}"
    if step.op == "clamp_to_parent_time":
        late = f"c.{col} < p.__parent_time"
        shifts = "".join(
            f",\n    CASE WHEN {late} THEN c.{q(e)} + (CAST(p.__parent_time AS {p['type']}) - c.{col}) "
            f"ELSE c.{q(e)} END AS {q(e)}" for e in p.get("shift", [])
        )
        return (f"SELECT c.* EXCLUDE (__row) REPLACE (\n"
                f"    CASE WHEN {late} THEN CAST(p.__parent_time AS {p['type']}) ELSE c.{col} END"
                f" AS {col}{shifts})\nFROM {ordered} AS c\n"
                f"LEFT JOIN (SELECT {q(p['parent_column'])} AS __key, {q(p['parent_time'])} AS __parent_time "
                f"FROM {q(p['parent'])}) AS p\n  ON c.{q(p['fk'])} = p.__key\nORDER BY c.__row")
    if step.op == "add_is_active" and "source" in p:
        src = q(p["source"])
        return (f"SELECT *, coalesce({src} >= (SELECT max({src}) FROM {t}) - INTERVAL {ACTIVE_DAYS} DAY, false) "
                f"AS \"is_active\" FROM {t}")
    if step.op == "add_is_active":
        ch, tm = q(p["child"]), q(p["time"])
        return (f"SELECT c.* EXCLUDE (__row), coalesce(a.__last >= (SELECT max({tm}) FROM {ch}) - INTERVAL {ACTIVE_DAYS} DAY,"
                f" false) AS \"is_active\"\nFROM {ordered} AS c\n"
                f"LEFT JOIN (SELECT {q(p['fk'])} AS __key, max({tm}) AS __last FROM {ch} GROUP BY 1) AS a\n"
                f"  ON c.{q(p['key'])} = a.__key\nORDER BY c.__row")
    if step.op == "add_lifetime_value":
        ch = q(p["child"])
        return (f"SELECT c.* EXCLUDE (__row), coalesce(v.__total, 0.0) AS \"lifetime_value\"\nFROM {ordered} AS c\n"
                f"LEFT JOIN (SELECT {q(p['fk'])} AS __key, round_half_away(sum({q(p['amount'])}), 2) AS __total "
                f"FROM {ch} GROUP BY 1) AS v\n  ON c.{q(p['key'])} = v.__key\nORDER BY c.__row")
    raise ValueError(f"unknown step {step.op}")  # pragma: no cover - plan.OP_ORDER lists every op


def render(plan: Plan, input_dir: str, output_dir: str, *, header: str = "") -> str:
    """The whole script; ``input_dir`` and ``output_dir`` are written into it as given."""
    src = input_dir.rstrip("/")
    out = output_dir.rstrip("/")
    lines = [
        "-- postprocess.sql — written by datapolisher." + (f" {header}" if header else ""),
        f"-- Reads {src}/ and writes {out}/ (run from this directory: duckdb < postprocess.sql).",
        "-- Every table is loaded and fixed in memory; nothing is written until every fix has succeeded.",
        "SET TimeZone = 'UTC';",
        "SET preserve_insertion_order = true;",
        *(ROUNDING if any(s.op in ("round_money", "add_lifetime_value") for s in plan.steps) else ()),
        "",
        "-- Load the input tables.",
    ]
    for name, rel in plan.tables.items():
        lines.append(f"CREATE TABLE {q(name)} AS SELECT * FROM read_parquet({lit(src + '/' + rel)});")
    for step in plan.steps:
        lines += ["", f"-- {describe(step)}"]
        lines += [f"--   fixes {w}" for w in step.why]
        lines.append(f"CREATE OR REPLACE TABLE {q(step.table)} AS\n{_table_sql(_with_columns(plan, step))};")
    lines += [
        "",
        f"-- Write the output: this COPY creates {out}/ (DuckDB has no mkdir) and leaves a small marker file.",
        f"COPY (SELECT 'datapolisher postprocess.sql' AS written_by) TO {lit(out)} "
        f"(FORMAT csv, PER_THREAD_OUTPUT, FILENAME_PATTERN '{MARKER}', OVERWRITE_OR_IGNORE);",
    ]
    for name in plan.tables:
        lines.append(f"COPY {q(name)} TO {lit(out + '/' + name + '.parquet')} (FORMAT parquet, COMPRESSION zstd);")
    return "\n".join(lines) + "\n"


def _with_columns(plan: Plan, step: Step) -> Step:
    if step.op != "dedupe_rows":
        return step
    return Step(step.op, step.table, {**step.params, "columns": plan.columns[step.table]}, step.why)
