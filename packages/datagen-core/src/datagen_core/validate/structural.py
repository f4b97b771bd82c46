"""Structural checks: every table present, row counts as the metadata says, arrow types, keys unique and not
null, foreign keys contained in their parents, non-nullable columns without nulls."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pyarrow as pa

from .reading import ValidationContext, collect, count
from .report import Check, category, result, skipped, split_ref

EXPECTED_ARROW = {"int": "int64", "float": "double", "date": "date32[day]", "datetime": "timestamp[us]", "bool": "bool"}
STRING_ARROW = ("string", "large_string", "string_view")


@category("structural")
def check_tables_present(ctx: ValidationContext) -> Iterator[Check]:
    for name in ctx.expected_tables():
        t = ctx.table(name)
        yield result("structural", "table_present", name, t is not None, measured=None if t is None else len(t.files),
                     expected="at least one parquet file", rows=None if t is None else t.rows,
                     message="" if t is not None else f"no {name}.parquet (or {name}/*.parquet) in {ctx.data_dir}")


@category("structural")
def check_row_counts(ctx: ValidationContext) -> Iterator[Check]:
    if ctx.metadata is None:
        return
    for meta in ctx.metadata.tables:
        if (skip := ctx.missing("structural", "row_count", meta.name, None)) is not None:
            yield skip
            continue
        actual = ctx.rows(meta.name)
        yield result("structural", "row_count", meta.name, actual == meta.rows, measured=actual, expected=meta.rows,
                     rows=actual, failing_rows=abs(actual - meta.rows),
                     message="" if actual == meta.rows else f"{actual} rows on disk, .metadata.json says {meta.rows}")


@category("structural")
def check_types(ctx: ValidationContext) -> Iterator[Check]:
    for node, col in ctx.node_columns():
        target = f"{node.id}.{col.name}"
        if ctx.table(node.id) is None:
            yield skipped("structural", "arrow_type", target, f"table {node.id!r} is missing")
            continue
        actual = ctx.arrow_type(node.id, col.name)
        rows = ctx.rows(node.id)
        if actual is None:
            yield result("structural", "arrow_type", target, False, measured="missing", expected=expected_type(col.type),
                         rows=rows, failing_rows=rows, message="column is missing")
            continue
        ok = type_ok(col.type, actual)
        yield result("structural", "arrow_type", target, ok, measured=str(actual), expected=expected_type(col.type),
                     rows=rows, failing_rows=0 if ok else rows)


def expected_type(kind: str) -> str:
    """The arrow type a DSL type is written as (``"timestamp[us] (tz-naive)"`` for a datetime)."""
    return "string" if kind == "string" else EXPECTED_ARROW[kind] + (" (tz-naive)" if kind == "datetime" else "")


def type_ok(kind: str, actual: pa.DataType) -> bool:
    """Whether ``actual`` is the physical type of DSL type ``kind``.

    >>> type_ok("datetime", pa.timestamp("us")), type_ok("datetime", pa.timestamp("us", "UTC"))
    (True, False)
    """
    if kind == "string":
        return str(actual) in STRING_ARROW or (pa.types.is_dictionary(actual) and str(actual.value_type) in STRING_ARROW)
    if kind == "datetime":
        return pa.types.is_timestamp(actual) and actual.unit == "us" and actual.tz is None
    return str(actual) == EXPECTED_ARROW[kind]


def key_columns(ctx: ValidationContext) -> list[tuple[str, str]]:
    """(table, column) of every primary key, declared unique column and metadata primary key."""
    keys = [(n.id, n.pk) for n in ctx.schema.nodes if n.pk]
    keys += [split_ref(u) for u in ctx.schema.constraints.unique]
    if ctx.metadata is not None:
        keys += [(t.name, t.primary_key) for t in ctx.metadata.tables if t.primary_key]
    return list(dict.fromkeys(keys))


@category("structural")
def check_keys(ctx: ValidationContext) -> Iterator[Check]:
    """Primary keys (and declared unique columns): no duplicates, no nulls. Duplicates = rows − distinct."""
    for table, column in key_columns(ctx):
        target = f"{table}.{column}"
        if (skip := ctx.missing("structural", "pk_unique", table, column)) is not None:
            yield skip
            continue
        if ctx.key_order(table, column)[0]:  # a sequence (or a permutation of one): unique without a key set
            rows, nulls, distinct = ctx.rows(table), 0, ctx.rows(table)
        else:
            df = collect(ctx.scan(table).select(
                pl.len().alias("rows"), pl.col(column).null_count().alias("nulls"),
                pl.col(column).drop_nulls().n_unique().alias("distinct")))
            rows, nulls, distinct = (int(df[k][0]) for k in ("rows", "nulls", "distinct"))
        dups = rows - nulls - distinct
        yield result("structural", "pk_unique", target, dups == 0, measured=dups, expected=0, rows=rows,
                     failing_rows=dups, message=f"{dups} rows repeat a key value" if dups else "")
        yield result("structural", "pk_not_null", target, nulls == 0, measured=nulls, expected=0, rows=rows,
                     failing_rows=nulls)


@category("structural")
def check_foreign_keys(ctx: ValidationContext) -> Iterator[Check]:
    """Every non-null child value exists in the parent column (declared FKs, lookups, metadata FKs)."""
    name = "fk_containment"
    for table, column, parent, parent_col, source in ctx.foreign_keys():
        target = f"{table}.{column}"
        check_id = f"{name}:{target}->{parent}.{parent_col}"
        if (skip := ctx.missing("structural", name, table, column)) is not None:
            yield skip
            continue
        if (skip := ctx.missing("structural", name, parent, parent_col, target=target)) is not None:
            skip.id = check_id
            yield skip
            continue
        span = ctx.key_order(parent, parent_col)[1]
        child_type = ctx.arrow_type(table, column)
        if span is not None and child_type is not None and (pa.types.is_integer(child_type) or pa.types.is_floating(child_type)):
            # the parent keys are exactly lo..hi: containment is a range test, no key set needed
            v = pl.col(column)
            outside = v.is_not_null() & ((v < span[0]) | (v > span[1]) | (v.cast(pl.Float64) != v.cast(pl.Float64).floor()))
            orphans = count(ctx.scan(table), outside.sum())
        else:
            child = ctx.scan(table).select(pl.col(column).alias("k")).drop_nulls()
            keys = ctx.scan(parent).select(pl.col(parent_col).alias("k")).drop_nulls().unique()
            child = child.with_columns(pl.col("k").cast(ctx.polars_type(parent, parent_col), strict=False)).drop_nulls()
            orphans = count(child.join(keys, on="k", how="anti"), pl.len())
        c = result("structural", name, target, orphans == 0, measured=orphans, expected=0, rows=ctx.rows(table),
                   failing_rows=orphans, message=f"references {parent}.{parent_col} ({source})")
        c.id = check_id
        yield c


@category("structural")
def check_nullability(ctx: ValidationContext) -> Iterator[Check]:
    by_table: dict[str, list[str]] = {}
    for n in ctx.said.nullability:
        if not n.nullable and not n.key:  # the pk has its own not-null check
            by_table.setdefault(n.table, []).append(n.column)
    for table, columns in by_table.items():
        present = [c for c in columns if ctx.has(table, c)]
        for c in columns:
            if c not in present and (skip := ctx.missing("structural", "not_null", table, c)) is not None:
                yield skip
        if not present:
            continue
        df = collect(ctx.scan(table).select([pl.col(c).null_count().alias(c) for c in present]))
        for c in present:
            nulls = int(df[c][0])
            yield result("structural", "not_null", f"{table}.{c}", nulls == 0, measured=nulls, expected=0,
                         rows=ctx.rows(table), failing_rows=nulls)
