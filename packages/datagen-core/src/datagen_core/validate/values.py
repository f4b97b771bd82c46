"""Value checks: ranges, inequalities (same table or across a foreign key), patterns, enums, time windows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import polars as pl
import pyarrow as pa

from .reading import ValidationContext, collect, count
from .report import Check, as_json_value, category, result, skipped, split_ref


@category("value")
def check_ranges(ctx: ValidationContext) -> Iterator[Check]:
    for r in ctx.said.ranges:
        table, column, lo, hi, source = r.table, r.column, r.min, r.max, r.source
        target = f"{table}.{column}"
        if (skip := ctx.missing("value", "range", table, column)) is not None:
            yield skip
            continue
        t = ctx.arrow_type(table, column)
        if t is None or not (pa.types.is_integer(t) or pa.types.is_floating(t)):
            yield skipped("value", "range", target, f"not numeric ({t})")
            continue
        v = pl.col(column)
        bad = pl.lit(False)
        if lo is not None:
            bad = bad | (v < lo)
        if hi is not None:
            bad = bad | (v > hi)
        df = collect(ctx.scan(table).select(bad.sum().alias("bad"), v.min().alias("min"), v.max().alias("max")))
        n = int(df["bad"][0])
        yield result("value", "range", target, n == 0, measured=[as_json_value(df["min"][0]), as_json_value(df["max"][0])],
                     expected=[lo, hi], rows=ctx.rows(table), failing_rows=n, message=source)


_OPS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


@category("value")
def check_inequalities(ctx: ValidationContext) -> Iterator[Check]:
    """``left op right`` on every row where both are non-null; across tables through a foreign key."""
    for q in ctx.said.inequalities:
        (lt, lc), (rt, rc) = split_ref(q.left), split_ref(q.right)
        target = f"{q.left} {q.op} {q.right}"
        skip = (ctx.missing("value", "inequality", lt, lc, target=target)
                or ctx.missing("value", "inequality", rt, rc, target=target))
        if skip is not None:
            yield skip
            continue
        if lt == rt:
            frame = ctx.scan(lt).select(pl.col(lc).alias("__l"), pl.col(rc).alias("__r"))
            rows = ctx.rows(lt)
        else:
            joined = _join_via_fk(ctx, lt, lc, rt, rc)
            if joined is None:
                yield Check(id=f"inequality:{target}", category="value", check="inequality", target=target,
                            status="error", message=f"no foreign key links {lt!r} and {rt!r}; cannot compare")
                continue
            frame, rows = joined
        left, right = comparable(pl.col("__l"), pl.col("__r"), frame)
        n = count(frame, (left.is_not_null() & right.is_not_null() & ~_OPS[q.op](left, right)).sum())
        yield result("value", "inequality", target, n == 0, measured=n, expected=0, rows=rows, failing_rows=n)


def _join_via_fk(ctx: ValidationContext, lt: str, lc: str, rt: str, rc: str) -> tuple[pl.LazyFrame, int] | None:
    for table, column, parent, parent_col, _ in ctx.foreign_keys():
        if {table, parent} != {lt, rt} or not ctx.has(table, column) or not ctx.has(parent, parent_col):
            continue
        child_is_left = table == lt
        child_val, parent_val = (lc, rc) if child_is_left else (rc, lc)
        child = ctx.scan(table).select(pl.col(column).alias("__k"), pl.col(child_val).alias("__c"))
        par = ctx.scan(parent).select(pl.col(parent_col).alias("__k"), pl.col(parent_val).alias("__p"))
        par = par.group_by("__k").agg(pl.col("__p").first())
        joined = child.join(par, on="__k", how="inner")
        frame = joined.select(pl.col("__c" if child_is_left else "__p").alias("__l"),
                              pl.col("__p" if child_is_left else "__c").alias("__r"))
        return frame, ctx.rows(table)
    return None


def comparable(left: pl.Expr, right: pl.Expr, frame: pl.LazyFrame) -> tuple[pl.Expr, pl.Expr]:
    """Columns ``__l`` and ``__r`` of ``frame`` made comparable: a date with a datetime at day granularity."""
    schema = frame.collect_schema()
    lt, rt = schema["__l"], schema["__r"]
    if (lt == pl.Date) != (rt == pl.Date) and {lt.base_type(), rt.base_type()} <= {pl.Date, pl.Datetime}:
        return left.cast(pl.Date), right.cast(pl.Date)
    return left, right


@category("value")
def check_patterns(ctx: ValidationContext) -> Iterator[Check]:
    for p in ctx.said.patterns:
        table, column, regex = p.table, p.column, p.regex
        target = f"{table}.{column}"
        if (skip := ctx.missing("value", "pattern", table, column)) is not None:
            yield skip
            continue
        v = pl.col(column).cast(pl.String)
        try:
            n = count(ctx.scan(table), (v.is_not_null() & ~v.str.contains(regex)).sum())
        except pl.exceptions.PolarsError:  # a Python-only regex feature (lookaround…): match batch by batch
            rx = re.compile(regex)
            n = sum(1 for batch in ctx.batches(table, column) for x in batch.to_pylist()
                    if x is not None and not rx.search(str(x)))
        yield result("value", "pattern", target, n == 0, measured=n, expected=regex, rows=ctx.rows(table),
                     failing_rows=n)


@category("value")
def check_lengths(ctx: ValidationContext) -> Iterator[Check]:
    for m in ctx.said.lengths:
        target = f"{m.table}.{m.column}"
        if (skip := ctx.missing("value", "max_length", m.table, m.column)) is not None:
            yield skip
            continue
        n = count(ctx.scan(m.table), (pl.col(m.column).cast(pl.String).str.len_chars() > m.chars).sum())
        yield result("value", "max_length", target, n == 0, measured=n, expected=f"<= {m.chars} characters",
                     rows=ctx.rows(m.table), failing_rows=n)


def _as_text(values: Iterable[Any]) -> list[str]:
    return [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]


@category("value")
def check_enums(ctx: ValidationContext) -> Iterator[Check]:
    for e in ctx.said.enums:
        table, column, values, ref = e.table, e.column, e.values, e.ref
        target = f"{table}.{column}"
        if (skip := ctx.missing("value", "enum", table, column)) is not None:
            yield skip
            continue
        if ref is not None:
            rt, rc = split_ref(ref)
            if (skip := ctx.missing("value", "enum", rt, rc, target=target)) is not None:
                yield skip
                continue
            allowed = collect(ctx.scan(rt).select(pl.col(rc).cast(pl.String).drop_nulls().unique()))[rc].to_list()
            expected: Any = f"values of {ref} ({len(allowed)})"
        else:
            allowed = _as_text(values or [])
            expected = list(values) if values is not None else None
        v = pl.col(column).cast(pl.String)
        n = count(ctx.scan(table), (v.is_not_null() & ~v.is_in(allowed)).sum())
        yield result("value", "enum", target, n == 0, measured=n, expected=expected, rows=ctx.rows(table),
                     failing_rows=n)


@category("value")
def check_time_bounds(ctx: ValidationContext) -> Iterator[Check]:
    """Generated date/datetime columns stay inside their window (the timeframe unless ``within`` says otherwise)."""
    for w in ctx.said.windows:
        table, column, lo, hi, what = w.table, w.column, w.start, w.end, "window" if w.explicit else "timeframe"
        target = f"{table}.{column}"
        if (skip := ctx.missing("value", "time_bounds", table, column)) is not None:
            yield skip
            continue
        t = ctx.arrow_type(table, column)
        v = pl.col(column)
        if t is None:
            continue  # ctx.missing reported it
        if pa.types.is_date(t):
            lo_l, hi_l = pl.lit(lo.date()), pl.lit(hi.date())
        elif pa.types.is_timestamp(t):
            v = v.dt.replace_time_zone(None) if t.tz else v
            lo_l, hi_l = pl.lit(lo).cast(pl.Datetime("us")), pl.lit(hi).cast(pl.Datetime("us"))
        else:
            yield skipped("value", "time_bounds", target, f"not a date or datetime ({t})")
            continue
        df = collect(ctx.scan(table).select(((v < lo_l) | (v > hi_l)).sum().alias("bad"),
                                              v.min().alias("min"), v.max().alias("max")))
        n = int(df["bad"][0])
        yield result("value", "time_bounds", target, n == 0,
                     measured=[as_json_value(df["min"][0]), as_json_value(df["max"][0])],
                     expected=[lo.isoformat(), hi.isoformat()], rows=ctx.rows(table), failing_rows=n,
                     message=f"within the {what}")
