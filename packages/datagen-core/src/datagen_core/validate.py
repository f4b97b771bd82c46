"""Confirm that a generated dataset holds every declared constraint: ``validate(schema, data_dir)``.

Each check is a plain function ``(ValidationContext) -> iterable of Check``; ``CHECKS`` lists the built-ins in
order and callers may pass their own tuple. Every check reports a status (pass / fail / error / skipped /
warn — a behavioural target the schema itself cannot reach, while the data follows the declaration), the
measured value and the failing-row count. All data access is through polars lazy scans of the parquet files
(column pruning, streaming aggregation), so memory stays bounded by the widest aggregation — a key set for
uniqueness and foreign keys — not by the dataset.

The quality score (0–100) is documented in ``docs/validate.md``: each category scores the share of its
applicable checks that pass (an error counts as a failure); a category with no applicable check is "n/a" and
left out of the weighted mean, so a category can never be vacuously 100.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from datagen_contracts import dsl
from datagen_contracts._dsl_rules import parse_timestamp

from .errors import DatasetReadError

#: category -> weight in the overall score
CATEGORY_WEIGHTS: dict[str, float] = {
    "structural": 0.35, "value": 0.25, "temporal": 0.15, "behavioural": 0.15, "realism": 0.10,
}
EXPECTED_ARROW = {"int": "int64", "float": "double", "date": "date32[day]", "datetime": "timestamp[us]", "bool": "bool"}
STRING_ARROW = ("string", "large_string", "string_view")
#: a choice column is only called "constant by accident" when a constant draw was this unlikely
CONSTANT_CHANCE = 1e-6
_STATUSES = ("pass", "fail", "error", "warn", "skipped")


@dataclass
class Check:
    """One check's result."""

    id: str  # stable: "<check>:<target>"
    category: str
    check: str
    target: str
    status: str  # pass | fail | error | warn | skipped
    measured: Any = None
    expected: Any = None
    failing_rows: int | None = None
    rows: int | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("id", "category", "check", "target", "status", "measured",
                                               "expected", "failing_rows", "rows", "message")}


@dataclass
class CategoryScore:
    name: str
    weight: float
    applicable: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    warnings: int = 0

    @property
    def score(self) -> float | None:
        """100 × passed / applicable, ``None`` ("n/a") when nothing applied."""
        return None if self.applicable == 0 else 100.0 * self.passed / self.applicable

    def to_dict(self) -> dict[str, Any]:
        score = self.score
        return {"score": "n/a" if score is None else round(score, 2), "weight": self.weight,
                "applicable": self.applicable, "passed": self.passed, "failed": self.failed,
                "errors": self.errors, "warnings": self.warnings, "skipped": self.skipped}


@dataclass
class ValidationReport:
    schema: str
    data_dir: str
    checks: list[Check]
    categories: dict[str, CategoryScore]
    score: float | None

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status in ("fail", "error")]

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        counts = {s: sum(1 for c in self.checks if c.status == s) for s in _STATUSES}
        return {
            "tool": "datagen validate",
            "schema": self.schema,
            "data_dir": self.data_dir,
            "ok": self.ok,
            "score": None if self.score is None else round(self.score, 2),
            "categories": {k: v.to_dict() for k, v in self.categories.items()},
            "summary": {"checks": len(self.checks), **counts},
            "checks": [c.to_dict() for c in self.checks],
        }


def score_checks(checks: list[Check]) -> tuple[dict[str, CategoryScore], float | None]:
    """Category scores and the overall score: the weight-averaged category scores, n/a categories left out.

    >>> cats, total = score_checks([Check("a", "structural", "a", "t", "pass"),
    ...                             Check("b", "structural", "b", "t", "fail"),
    ...                             Check("c", "value", "c", "t", "pass"),
    ...                             Check("d", "value", "d", "t", "skipped")])
    >>> cats["structural"].score, cats["value"].score, cats["temporal"].score, round(total, 2)
    (50.0, 100.0, None, 70.83)
    """
    cats = {name: CategoryScore(name, w) for name, w in CATEGORY_WEIGHTS.items()}
    for c in checks:
        cat = cats.setdefault(c.category, CategoryScore(c.category, 0.0))
        if c.status == "skipped":
            cat.skipped += 1
            continue
        if c.status == "warn":  # not a failure of the data; left out of the score like a skipped check
            cat.warnings += 1
            continue
        cat.applicable += 1
        if c.status == "pass":
            cat.passed += 1
        elif c.status == "fail":
            cat.failed += 1
        else:
            cat.errors += 1
    scored = [(cat.weight, cat.score) for cat in cats.values() if cat.score is not None and cat.weight > 0]
    total_w = sum(w for w, _ in scored)
    overall = None if total_w == 0 else sum(w * s for w, s in scored) / total_w
    return cats, overall


# ------------------------------------------------------------------------------------------------ dataset


@dataclass
class TableData:
    name: str
    files: list[Path]
    arrow_schema: pa.Schema | None
    rows: int


class ValidationContext:
    """The schema, the dataset's files (footers read up front) and shared look-ups for the checks."""

    def __init__(self, schema: dsl.Schema, data_dir: Path, metadata: Any | None = None) -> None:
        self.schema = schema
        self.data_dir = data_dir
        self.metadata = metadata
        self.tables: dict[str, TableData | None] = {}
        #: (table, column) -> (strictly increasing, contiguous (min, max)) — computed once, see _key_order
        self.key_orders: dict[tuple[str, str], tuple[bool, tuple[int, int] | None]] = {}
        tf_start = parse_timestamp(schema.timeframe.start)
        tf_end = parse_timestamp(schema.timeframe.end)
        assert tf_start is not None and tf_end is not None  # guaranteed by the contracts' rules
        self.timeframe = (tf_start, tf_end)
        for name in self.expected_tables():
            self.tables[name] = self._locate(name)

    def expected_tables(self) -> list[str]:
        names = [n.id for n in self.schema.nodes]
        names += [n.touchpoint_table for n in self.schema.nodes if n.touchpoint_table]
        if self.metadata is not None:
            names += [t.name for t in self.metadata.tables]
        return list(dict.fromkeys(names))

    def _locate(self, name: str) -> TableData | None:
        files: list[Path] = []
        meta = self.metadata.table(name) if self.metadata is not None else None
        if meta is not None and meta.files:
            files = [self.data_dir / f.path for f in meta.files]
        elif (self.data_dir / f"{name}.parquet").is_file():
            files = [self.data_dir / f"{name}.parquet"]
        elif (self.data_dir / name).is_dir():
            files = sorted((self.data_dir / name).glob("*.parquet"))
        files = [f for f in files if f.is_file()]
        if not files:
            return None
        rows, arrow_schema = 0, None
        for f in files:
            try:
                pf = pq.ParquetFile(f)
                rows += pf.metadata.num_rows
                arrow_schema = arrow_schema or pf.schema_arrow
            except Exception as exc:  # pyarrow raises several types for a damaged file
                raise DatasetReadError(f"cannot read parquet file {f}: {exc}") from None
        return TableData(name, files, arrow_schema, rows)

    # ---- look-ups
    def table(self, name: str) -> TableData | None:
        return self.tables.get(name)

    def has(self, table: str, column: str) -> bool:
        t = self.tables.get(table)
        return t is not None and t.arrow_schema is not None and column in t.arrow_schema.names

    def arrow_type(self, table: str, column: str) -> pa.DataType | None:
        t = self.tables.get(table)
        if t is None or t.arrow_schema is None or column not in t.arrow_schema.names:
            return None
        return t.arrow_schema.field(column).type

    def scan(self, table: str) -> pl.LazyFrame:
        t = self.tables[table]
        assert t is not None
        return pl.scan_parquet([str(f) for f in t.files])

    def rows(self, table: str) -> int:
        t = self.tables.get(table)
        return 0 if t is None else t.rows

    def node_columns(self) -> Iterator[tuple[dsl.Node, dsl.Column]]:
        for node in self.schema.nodes:
            for col in node.columns:
                yield node, col

    def creation_column(self, table: str) -> str | None:
        """A table's creation time: vintage ``created_at_column``, else its first date/datetime column."""
        node = self.schema.node(table)
        if node is None:
            meta = self.metadata.table(table) if self.metadata is not None else None
            return meta.created_at_column if meta is not None else None
        if node.vintage_behavior is not None:
            return node.vintage_behavior.created_at_column
        return next((c.name for c in node.columns if c.type in ("date", "datetime")), None)

    def values_changed(self, node: dsl.Node, col: dsl.Column) -> bool:
        """Whether a column's generated values are changed afterwards (modifiers, segment or vintage multipliers)."""
        if col.modifiers:
            return True
        for parent in (self.schema.node(p) for p in node.parents):
            if parent is None:
                continue
            sb, vb = parent.segment_behavior, parent.vintage_behavior
            if sb is not None and col.name in (sb.applies_to_columns or []):
                return True
            if vb is not None:
                for m in vb.age_based_multipliers.values():
                    targets = [m.applies_to] if isinstance(m.applies_to, str) else m.applies_to
                    if col.name in targets or "all" in targets:
                        return True
        return False

    def foreign_keys(self) -> list[tuple[str, str, str, str, str]]:
        """(table, column, parent_table, parent_column, source) from constraints, lookups and metadata."""
        out: dict[tuple[str, str, str, str], str] = {}
        for fk in self.schema.constraints.foreign_keys:
            t, _, c = fk.from_.partition(".")
            pt, _, pc = fk.to.partition(".")
            out.setdefault((t, c, pt, pc), "constraint")
        for node, col in self.node_columns():
            if col.generator.lookup is not None and not self.values_changed(node, col):
                pt, _, pc = col.generator.lookup.from_.partition(".")
                out.setdefault((node.id, col.name, pt, pc), "lookup")
        if self.metadata is not None:
            for t in self.metadata.tables:
                for fk in t.foreign_keys:
                    out.setdefault((t.name, fk.column, fk.references_table, fk.references_column), "metadata")
        return [(*k, v) for k, v in out.items()]


def collect(lf: pl.LazyFrame) -> pl.DataFrame:
    return lf.collect(engine="streaming")


def _check(category: str, name: str, target: str, ok: bool, **kw: Any) -> Check:
    return Check(id=f"{name}:{target}", category=category, check=name, target=target,
                 status="pass" if ok else "fail", **kw)


def _skip(category: str, name: str, target: str, why: str) -> Check:
    return Check(id=f"{name}:{target}", category=category, check=name, target=target, status="skipped", message=why)


def _split(ref: str) -> tuple[str, str]:
    t, _, c = ref.partition(".")
    return t, c


def _missing(ctx: ValidationContext, category: str, name: str, table: str, column: str | None) -> Check | None:
    """A skipped check when the table or column is not there (its absence is reported by the structural checks)."""
    target = table if column is None else f"{table}.{column}"
    if ctx.table(table) is None:
        return _skip(category, name, target, f"table {table!r} is missing")
    if column is not None and not ctx.has(table, column):
        return _skip(category, name, target, f"column {column!r} is missing from {table!r}")
    return None


# --------------------------------------------------------------------------------------- structural checks


def check_tables_present(ctx: ValidationContext) -> Iterator[Check]:
    for name in ctx.expected_tables():
        t = ctx.table(name)
        yield _check("structural", "table_present", name, t is not None, measured=None if t is None else len(t.files),
                     expected="at least one parquet file", rows=None if t is None else t.rows,
                     message="" if t is not None else f"no {name}.parquet (or {name}/*.parquet) in {ctx.data_dir}")


def check_row_counts(ctx: ValidationContext) -> Iterator[Check]:
    if ctx.metadata is None:
        return
    for meta in ctx.metadata.tables:
        if (skip := _missing(ctx, "structural", "row_count", meta.name, None)) is not None:
            yield skip
            continue
        actual = ctx.rows(meta.name)
        yield _check("structural", "row_count", meta.name, actual == meta.rows, measured=actual, expected=meta.rows,
                     rows=actual, failing_rows=abs(actual - meta.rows),
                     message="" if actual == meta.rows else f"{actual} rows on disk, .metadata.json says {meta.rows}")


def check_types(ctx: ValidationContext) -> Iterator[Check]:
    for node, col in ctx.node_columns():
        target = f"{node.id}.{col.name}"
        if ctx.table(node.id) is None:
            yield _skip("structural", "arrow_type", target, f"table {node.id!r} is missing")
            continue
        actual = ctx.arrow_type(node.id, col.name)
        if actual is None:
            yield _check("structural", "arrow_type", target, False, measured="missing", expected=_expected_type(col.type),
                         rows=ctx.rows(node.id), failing_rows=ctx.rows(node.id), message="column is missing")
            continue
        ok = _type_ok(col.type, actual)
        yield _check("structural", "arrow_type", target, ok, measured=str(actual), expected=_expected_type(col.type),
                     rows=ctx.rows(node.id), failing_rows=0 if ok else ctx.rows(node.id))


def _expected_type(kind: str) -> str:
    return "string" if kind == "string" else EXPECTED_ARROW[kind] + (" (tz-naive)" if kind == "datetime" else "")


def _type_ok(kind: str, actual: pa.DataType) -> bool:
    if kind == "string":
        return str(actual) in STRING_ARROW or (pa.types.is_dictionary(actual) and str(actual.value_type) in STRING_ARROW)
    if kind == "datetime":
        return pa.types.is_timestamp(actual) and actual.unit == "us" and actual.tz is None
    return str(actual) == EXPECTED_ARROW[kind]


def _key_columns(ctx: ValidationContext) -> list[tuple[str, str]]:
    keys = [(n.id, n.pk) for n in ctx.schema.nodes if n.pk]
    keys += [_split(u) for u in ctx.schema.constraints.unique]
    if ctx.metadata is not None:
        keys += [(t.name, t.primary_key) for t in ctx.metadata.tables if t.primary_key]
    return list(dict.fromkeys(keys))


def check_keys(ctx: ValidationContext) -> Iterator[Check]:
    """Primary keys (and declared unique columns): no duplicates, no nulls. Duplicates = rows − distinct."""
    for table, column in _key_columns(ctx):
        target = f"{table}.{column}"
        if (skip := _missing(ctx, "structural", "pk_unique", table, column)) is not None:
            yield skip
            continue
        if _strictly_increasing(ctx, table, column):  # a sequence: unique without holding a key set
            rows, nulls, distinct = ctx.rows(table), 0, ctx.rows(table)
        else:
            df = collect(ctx.scan(table).select(
                pl.len().alias("rows"), pl.col(column).null_count().alias("nulls"),
                pl.col(column).drop_nulls().n_unique().alias("distinct")))
            rows, nulls, distinct = (int(df[k][0]) for k in ("rows", "nulls", "distinct"))
        dups = rows - nulls - distinct
        yield _check("structural", "pk_unique", target, dups == 0, measured=dups, expected=0, rows=rows,
                     failing_rows=dups, message=f"{dups} rows repeat a key value" if dups else "")
        yield _check("structural", "pk_not_null", target, nulls == 0, measured=nulls, expected=0, rows=rows,
                     failing_rows=nulls)


def _key_order(ctx: ValidationContext, table: str, column: str) -> tuple[bool, tuple[int, int] | None]:
    """(strictly increasing, (min, max) when the values are exactly min, min+1, …, max) for an integer column
    without nulls; one row group in memory. Sequences — the engine's keys — are both."""
    key = (table, column)
    if key in ctx.key_orders:
        return ctx.key_orders[key]
    t = ctx.table(table)
    arrow_type = ctx.arrow_type(table, column)
    result: tuple[bool, tuple[int, int] | None] = (False, None)
    if t is not None and arrow_type is not None and pa.types.is_integer(arrow_type):
        first: int | None = None
        last: int | None = None
        contiguous = True
        increasing = True
        for f in t.files:
            pf = pq.ParquetFile(f)
            for rg in range(pf.metadata.num_row_groups):
                col = pf.read_row_group(rg, columns=[column]).column(0)
                if col.null_count:
                    increasing = False
                    break
                values = col.to_numpy()
                if len(values) == 0:
                    continue
                steps = np.diff(values)
                if (last is not None and values[0] <= last) or (len(values) > 1 and not (steps > 0).all()):
                    increasing = False
                    break
                contiguous = contiguous and (last is None or values[0] == last + 1) and bool((steps == 1).all())
                first = int(values[0]) if first is None else first
                last = int(values[-1])
            if not increasing:
                break
        if increasing:
            result = (True, (first, last) if contiguous and first is not None and last is not None else None)
    ctx.key_orders[key] = result
    return result


def _strictly_increasing(ctx: ValidationContext, table: str, column: str) -> bool:
    return _key_order(ctx, table, column)[0]


def check_foreign_keys(ctx: ValidationContext) -> Iterator[Check]:
    """Every non-null child value exists in the parent column (declared FKs, lookups, metadata FKs)."""
    for table, column, parent, parent_col, source in ctx.foreign_keys():
        target = f"{table}.{column}"
        name = "fk_containment"
        if (skip := _missing(ctx, "structural", name, table, column)) is not None:
            yield skip
            continue
        if (skip := _missing(ctx, "structural", name, parent, parent_col)) is not None:
            skip.id, skip.target = f"{name}:{target}->{parent}.{parent_col}", target
            yield skip
            continue
        span = _key_order(ctx, parent, parent_col)[1]
        child_type = ctx.arrow_type(table, column)
        if span is not None and child_type is not None and (pa.types.is_integer(child_type) or pa.types.is_floating(child_type)):
            # the parent keys are exactly lo..hi: containment is a range test, no key set needed
            v = pl.col(column)
            outside = v.is_not_null() & ((v < span[0]) | (v > span[1]) | (v.cast(pl.Float64) != v.cast(pl.Float64).floor()))
            orphans = int(collect(ctx.scan(table).select(outside.sum().alias("n")))["n"][0])
        else:
            child = ctx.scan(table).select(pl.col(column).alias("k")).drop_nulls()
            keys = ctx.scan(parent).select(pl.col(parent_col).alias("k")).drop_nulls().unique()
            child = child.with_columns(pl.col("k").cast(_polars_type(ctx, parent, parent_col), strict=False)).drop_nulls()
            orphans = int(collect(child.join(keys, on="k", how="anti").select(pl.len()))[0, 0])
        rows = ctx.rows(table)
        c = _check("structural", name, target, orphans == 0, measured=orphans, expected=0, rows=rows,
                   failing_rows=orphans, message=f"references {parent}.{parent_col} ({source})")
        c.id = f"{name}:{target}->{parent}.{parent_col}"
        yield c


def _polars_type(ctx: ValidationContext, table: str, column: str) -> pl.DataType:
    t = ctx.arrow_type(table, column)
    assert t is not None
    return pl.from_arrow(pa.array([], type=t)).dtype  # type: ignore[union-attr]


def check_nullability(ctx: ValidationContext) -> Iterator[Check]:
    by_table: dict[str, list[str]] = {}
    for node, col in ctx.node_columns():
        if not col.nullable and node.pk != col.name:  # the pk has its own not-null check
            by_table.setdefault(node.id, []).append(col.name)
    for table, columns in by_table.items():
        present = [c for c in columns if ctx.has(table, c)]
        for c in columns:
            if c not in present and (skip := _missing(ctx, "structural", "not_null", table, c)) is not None:
                yield skip
        if not present:
            continue
        df = collect(ctx.scan(table).select([pl.col(c).null_count().alias(c) for c in present]))
        for c in present:
            nulls = int(df[c][0])
            yield _check("structural", "not_null", f"{table}.{c}", nulls == 0, measured=nulls, expected=0,
                         rows=ctx.rows(table), failing_rows=nulls)


# ------------------------------------------------------------------------------------------- value checks


def _ranges(ctx: ValidationContext) -> dict[tuple[str, str], tuple[float | None, float | None, str]]:
    out: dict[tuple[str, str], tuple[float | None, float | None, str]] = {}
    for r in ctx.schema.constraints.ranges:
        out[_split(r.attr)] = (r.min, r.max, "constraints.ranges")
    for node, col in ctx.node_columns():
        key = (node.id, col.name)
        if col.constraints is not None and (col.constraints.min is not None or col.constraints.max is not None):
            out.setdefault(key, (col.constraints.min, col.constraints.max, "column constraints"))
        dist = col.generator.distribution
        last = col.modifiers[-1] if col.modifiers else None
        if isinstance(last, dsl.ClampModifier):
            out.setdefault(key, (last.args.min, last.args.max, "clamp modifier"))
        elif dist is not None and dist.clamp is not None and len(dist.clamp) == 2:
            out.setdefault(key, (dist.clamp[0], dist.clamp[1], "distribution clamp"))
    return out


def check_ranges(ctx: ValidationContext) -> Iterator[Check]:
    for (table, column), (lo, hi, source) in _ranges(ctx).items():
        target = f"{table}.{column}"
        if (skip := _missing(ctx, "value", "range", table, column)) is not None:
            yield skip
            continue
        t = ctx.arrow_type(table, column)
        if t is None or not (pa.types.is_integer(t) or pa.types.is_floating(t)):
            yield _skip("value", "range", target, f"not numeric ({t})")
            continue
        v = pl.col(column)
        bad = pl.lit(False)
        if lo is not None:
            bad = bad | (v < lo)
        if hi is not None:
            bad = bad | (v > hi)
        df = collect(ctx.scan(table).select(bad.sum().alias("bad"), v.min().alias("min"), v.max().alias("max")))
        n = int(df["bad"][0])
        yield _check("value", "range", target, n == 0, measured=[_py(df["min"][0]), _py(df["max"][0])],
                     expected=[lo, hi], rows=ctx.rows(table), failing_rows=n, message=source)


_OPS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def check_inequalities(ctx: ValidationContext) -> Iterator[Check]:
    """``left op right`` on every row where both are non-null; across tables through a foreign key."""
    for q in ctx.schema.constraints.inequalities:
        (lt, lc), (rt, rc) = _split(q.left), _split(q.right)
        target = f"{q.left} {q.op} {q.right}"
        skip = _missing(ctx, "value", "inequality", lt, lc) or _missing(ctx, "value", "inequality", rt, rc)
        if skip is not None:
            skip.target, skip.id = target, f"inequality:{target}"
            yield skip
            continue
        if lt == rt:
            frame = ctx.scan(lt).select(pl.col(lc).alias("__l"), pl.col(rc).alias("__r"))
            rows = ctx.rows(lt)
        else:
            joined = _join_via_fk(ctx, lt, lc, rt, rc)
            if joined is None:
                c = Check(id=f"inequality:{target}", category="value", check="inequality", target=target,
                          status="error", message=f"no foreign key links {lt!r} and {rt!r}; cannot compare")
                yield c
                continue
            frame, rows = joined
        left, right = _comparable(pl.col("__l"), pl.col("__r"), frame)
        bad = (left.is_not_null() & right.is_not_null() & ~_OPS[q.op](left, right)).sum()
        n = int(collect(frame.select(bad.alias("bad")))["bad"][0])
        yield Check(id=f"inequality:{target}", category="value", check="inequality", target=target,
                    status="pass" if n == 0 else "fail", measured=n, expected=0, rows=rows, failing_rows=n)


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


def _comparable(left: pl.Expr, right: pl.Expr, frame: pl.LazyFrame) -> tuple[pl.Expr, pl.Expr]:
    """Compare a date with a datetime at day granularity; everything else as is."""
    schema = frame.collect_schema()
    lt, rt = schema["__l"], schema["__r"]
    if (lt == pl.Date) != (rt == pl.Date) and {lt.base_type(), rt.base_type()} <= {pl.Date, pl.Datetime}:
        return left.cast(pl.Date), right.cast(pl.Date)
    return left, right


def _patterns(ctx: ValidationContext) -> list[tuple[str, str, str]]:
    out = [(*_split(p.attr), p.regex) for p in ctx.schema.constraints.pattern]
    out += [(n.id, c.name, c.constraints.pattern) for n, c in ctx.node_columns()
            if c.constraints is not None and c.constraints.pattern]
    return list(dict.fromkeys(out))


def check_patterns(ctx: ValidationContext) -> Iterator[Check]:
    for table, column, regex in _patterns(ctx):
        target = f"{table}.{column}"
        if (skip := _missing(ctx, "value", "pattern", table, column)) is not None:
            yield skip
            continue
        v = pl.col(column).cast(pl.String)
        try:
            df = collect(ctx.scan(table).select((v.is_not_null() & ~v.str.contains(regex)).sum().alias("bad")))
            n = int(df["bad"][0])
        except pl.exceptions.PolarsError:  # a Python-only regex feature (lookaround…): match batch by batch
            n = _python_regex_misses(ctx, table, column, regex)
        yield _check("value", "pattern", target, n == 0, measured=n, expected=regex, rows=ctx.rows(table),
                     failing_rows=n)


def _python_regex_misses(ctx: ValidationContext, table: str, column: str, regex: str) -> int:
    rx = re.compile(regex)
    t = ctx.table(table)
    assert t is not None
    misses = 0
    for f in t.files:
        for batch in pq.ParquetFile(f).iter_batches(columns=[column], batch_size=65_536):
            misses += sum(1 for v in batch.column(0).to_pylist() if v is not None and not rx.search(str(v)))
    return misses


def _enums(ctx: ValidationContext) -> list[tuple[str, str, list[Any] | None, str | None]]:
    out = [(*_split(e.attr), e.values, e.enum_ref) for e in ctx.schema.constraints.enum]
    for n, c in ctx.node_columns():
        if c.constraints is not None and (c.constraints.enum is not None or c.constraints.enum_ref is not None):
            out.append((n.id, c.name, c.constraints.enum, c.constraints.enum_ref))
    seen: set[str] = set()
    unique = []
    for item in out:
        key = repr(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _as_text(values: Iterable[Any]) -> list[str]:
    return [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]


def check_enums(ctx: ValidationContext) -> Iterator[Check]:
    for table, column, values, ref in _enums(ctx):
        target = f"{table}.{column}"
        if (skip := _missing(ctx, "value", "enum", table, column)) is not None:
            yield skip
            continue
        if ref is not None:
            rt, rc = _split(ref)
            if (skip := _missing(ctx, "value", "enum", rt, rc)) is not None:
                skip.target, skip.id = target, f"enum:{target}"
                yield skip
                continue
            allowed = collect(ctx.scan(rt).select(pl.col(rc).cast(pl.String).drop_nulls().unique()))[rc].to_list()
            expected: Any = f"values of {ref} ({len(allowed)})"
        else:
            allowed = _as_text(values or [])
            expected = values
        v = pl.col(column).cast(pl.String)
        n = int(collect(ctx.scan(table).select((v.is_not_null() & ~v.is_in(allowed)).sum().alias("bad")))["bad"][0])
        yield _check("value", "enum", target, n == 0, measured=n, expected=expected, rows=ctx.rows(table),
                     failing_rows=n)


def _windows(ctx: ValidationContext) -> Iterator[tuple[dsl.Node, dsl.Column, datetime, datetime, str]]:
    for node, col in ctx.node_columns():
        gen = col.generator.datetime_series or col.generator.diffusion_curve
        if gen is None:
            continue
        if isinstance(gen.within, dsl.Window):
            a, b = parse_timestamp(gen.within.start), parse_timestamp(gen.within.end)
            if a is not None and b is not None:
                yield node, col, a, b, "window"
        else:
            yield node, col, ctx.timeframe[0], ctx.timeframe[1], "timeframe"


def check_time_bounds(ctx: ValidationContext) -> Iterator[Check]:
    """Generated date/datetime columns stay inside their window (the timeframe unless ``within`` says otherwise)."""
    for node, col, lo, hi, what in _windows(ctx):
        target = f"{node.id}.{col.name}"
        if (skip := _missing(ctx, "value", "time_bounds", node.id, col.name)) is not None:
            yield skip
            continue
        t = ctx.arrow_type(node.id, col.name)
        v = pl.col(col.name)
        if pa.types.is_date(t):
            lo_l, hi_l = pl.lit(lo.date()), pl.lit(hi.date())
        elif pa.types.is_timestamp(t):
            v = v.dt.replace_time_zone(None) if t.tz else v
            lo_l, hi_l = pl.lit(lo).cast(pl.Datetime("us")), pl.lit(hi).cast(pl.Datetime("us"))
        else:
            yield _skip("value", "time_bounds", target, f"not a date or datetime ({t})")
            continue
        df = collect(ctx.scan(node.id).select(((v < lo_l) | (v > hi_l)).sum().alias("bad"),
                                              v.min().alias("min"), v.max().alias("max")))
        n = int(df["bad"][0])
        yield _check("value", "time_bounds", target, n == 0, measured=[_py(df["min"][0]), _py(df["max"][0])],
                     expected=[lo.isoformat(), hi.isoformat()], rows=ctx.rows(node.id), failing_rows=n,
                     message=f"within the {what}")


# ----------------------------------------------------------------------------------------- temporal checks


def _parent_link(ctx: ValidationContext, node: dsl.Node) -> tuple[str, str, str] | None:
    """(child column, parent table, parent column) of the FK to the primary parent."""
    parent = node.parents[0]
    for table, column, ptable, pcol, _ in ctx.foreign_keys():
        if table == node.id and ptable == parent:
            return column, ptable, pcol
    return None


def check_after_parent(ctx: ValidationContext) -> Iterator[Check]:
    """Every fact date/datetime (``after_parent`` true, not a lookup) ≥ its primary parent's creation time."""
    for node in ctx.schema.nodes:
        if node.kind != "fact" or not node.parents:
            continue
        columns = [c for c in node.columns if c.type in ("date", "datetime") and c.after_parent
                   and c.generator.lookup is None]
        if not columns:
            continue
        parent = node.parents[0]
        created = ctx.creation_column(parent)
        link = _parent_link(ctx, node)
        for col in columns:
            target = f"{node.id}.{col.name}"
            if created is None:
                yield _skip("temporal", "after_parent", target, f"parent {parent!r} has no creation time column")
                continue
            if link is None:
                yield _skip("temporal", "after_parent", target, f"no foreign key from {node.id!r} to {parent!r}")
                continue
            fk_col, _, pk_col = link
            skip = (_missing(ctx, "temporal", "after_parent", node.id, col.name)
                    or _missing(ctx, "temporal", "after_parent", node.id, fk_col)
                    or _missing(ctx, "temporal", "after_parent", parent, created)
                    or _missing(ctx, "temporal", "after_parent", parent, pk_col))
            if skip is not None:
                skip.target, skip.id = target, f"after_parent:{target}"
                yield skip
                continue
            n, rows = count_before_parent(ctx, node.id, fk_col, col.name, parent, pk_col, created)
            yield _check("temporal", "after_parent", target, n == 0, measured=n, expected=0, rows=rows,
                         failing_rows=n, message=f"vs {parent}.{created} via {fk_col}")


def count_before_parent(ctx: ValidationContext, table: str, fk_col: str, time_col: str, parent: str,
                        pk_col: str, created: str, *, after: bool = False) -> tuple[int, int]:
    """Rows of ``table`` whose ``time_col`` is strictly before the parent's ``created`` (joined on the FK);
    with ``after=True``, strictly after it instead."""
    par = ctx.scan(parent).select(pl.col(pk_col).alias("__k"), pl.col(created).alias("__p"))
    par = par.group_by("__k").agg(pl.col("__p").min())
    child = ctx.scan(table).select(pl.col(fk_col).alias("__k"), pl.col(time_col).alias("__l"))
    child = child.with_columns(pl.col("__k").cast(_polars_type(ctx, parent, pk_col), strict=False))
    frame = child.join(par, on="__k", how="inner").select(pl.col("__l"), pl.col("__p").alias("__r"))
    left, right = _comparable(pl.col("__l"), pl.col("__r"), frame)
    wrong = (left > right) if after else (left < right)
    bad = (left.is_not_null() & right.is_not_null() & wrong).sum()
    return int(collect(frame.select(bad.alias("bad")))["bad"][0]), ctx.rows(table)


def _label_column(node: dsl.Node, labels: set[str], *, previous: bool = False) -> str | None:
    """The string column holding stage/state names: a choice over a subset of ``labels`` (``prev*`` = previous)."""
    for col in node.columns:
        ch = col.generator.choice
        if col.type != "string" or ch is None or ch.choices is None:
            continue
        if {str(c) for c in ch.choices if c not in ("", None)} <= labels and col.name.lower().startswith("prev") == previous:
            return col.name
    return None


def _sequence_frame(ctx: ValidationContext, node: dsl.Node, label: str, extra: list[str]) -> tuple[pl.LazyFrame, str, str] | None:
    link = _parent_link(ctx, node)
    time_col = next((c.name for c in node.columns if c.type in ("datetime", "date")), None)
    needed = [label, *extra, *([link[0]] if link else []), *([time_col] if time_col else [])]
    if link is None or time_col is None or not all(ctx.has(node.id, c) for c in needed):
        return None
    frame = ctx.scan(node.id).select(pl.col(link[0]).alias("__p"), pl.col(time_col).alias("__t"),
                                     *[pl.col(c) for c in dict.fromkeys([label, *extra])])
    return frame, link[0], time_col


def check_sequences(ctx: ValidationContext) -> Iterator[Check]:
    """Funnel stages: per parent, stages 0…k each once, times increasing with the stage. State models: per parent
    in time order, the first row is the initial state, each ``previous`` state is the row before's state, times
    increase, and no row follows a terminal state."""
    for node in ctx.schema.nodes:
        sc, sm = node.stage_config, node.state_transition_model
        if sc is not None:
            names = [st.stage_name for st in sc.stages]
            label = _label_column(node, set(names))
            built = _sequence_frame(ctx, node, label, []) if label else None
            if built is None:
                yield _skip("temporal", "stage_order", node.id, "no stage-name column, time column or parent key")
                continue
            frame, fk, time_col = built
            rank = pl.col(label).replace_strict(names, list(range(len(names))), default=-1, return_dtype=pl.Int64)
            ordered = frame.with_columns(rank.alias("__r")).sort(["__p", "__r", "__t"])
            same = pl.col("__p") == pl.col("__p").shift(1)
            bad = (pl.col("__r") < 0) | (~same.fill_null(False) & (pl.col("__r") != 0)) | (
                same.fill_null(False) & ((pl.col("__r") != pl.col("__r").shift(1) + 1) | (pl.col("__t") <= pl.col("__t").shift(1))))
            n = int(collect(ordered.select(bad.sum().alias("bad")))["bad"][0])
            yield _check("temporal", "stage_order", f"{node.id}.{label}", n == 0, measured=n, expected=0,
                         rows=ctx.rows(node.id), failing_rows=n, message=f"per {fk}, by {time_col}")
        if sm is not None:
            states = set(sm.states)
            label = _label_column(node, states)
            prev = _label_column(node, states, previous=True)
            built = _sequence_frame(ctx, node, label, [prev] if prev else []) if label else None
            if built is None:
                yield _skip("temporal", "state_sequence", node.id, "no state column, time column or parent key")
                continue
            frame, fk, time_col = built
            terminal = [k for k, v in sm.states.items() if v.terminal]
            ordered = frame.sort(["__p", "__t"])
            same = (pl.col("__p") == pl.col("__p").shift(1)).fill_null(False)
            bad = (~pl.col(label).is_in(list(states))) | (~same & (pl.col(label) != sm.initial_state)) | (
                same & ((pl.col("__t") <= pl.col("__t").shift(1)) | pl.col(label).shift(1).is_in(terminal)))
            if prev:
                bad = bad | (same & (pl.col(prev).fill_null("") != pl.col(label).shift(1).fill_null("")))
            n = int(collect(ordered.select(bad.fill_null(True).sum().alias("bad")))["bad"][0])
            yield _check("temporal", "state_sequence", f"{node.id}.{label}", n == 0, measured=n, expected=0,
                         rows=ctx.rows(node.id), failing_rows=n, message=f"per {fk}, by {time_col}")


def check_touchpoints(ctx: ValidationContext) -> Iterator[Check]:
    """Attribution touchpoints: at or before their conversion, at or after the converting entity's creation.

    The touchpoint table's columns come from ``.metadata.json`` (its time column and foreign keys); without
    metadata the checks are skipped.
    """
    for node in ctx.schema.nodes:
        tp = node.touchpoint_table
        if tp is None or node.attribution_chain is None:
            continue
        meta = ctx.metadata.table(tp) if ctx.metadata is not None else None
        if meta is None or ctx.table(tp) is None:
            yield _skip("temporal", "touchpoint_order", tp, "touchpoint table or its .metadata.json entry is missing")
            continue
        time_col = meta.created_at_column or (meta.time_columns[0] if meta.time_columns else None)
        if time_col is None or not ctx.has(tp, time_col):
            yield _skip("temporal", "touchpoint_order", tp, "no time column declared for the touchpoint table")
            continue
        for fk in meta.foreign_keys:
            parent, created = fk.references_table, ctx.creation_column(fk.references_table)
            name = "before_conversion" if parent == node.id else "after_parent"
            target = f"{tp}.{time_col}" + (f"->{parent}" if name == "after_parent" else "")
            if created is None or not ctx.has(parent, created) or not ctx.has(tp, fk.column) \
                    or not ctx.has(parent, fk.references_column):
                yield _skip("temporal", name, target, f"no creation time on {parent!r}")
                continue
            n, rows = count_before_parent(ctx, tp, fk.column, time_col, parent, fk.references_column, created,
                                          after=name == "before_conversion")
            yield _check("temporal", name, target, n == 0, measured=n, expected=0, rows=rows, failing_rows=n,
                         message=f"vs {parent}.{created} via {fk.column}")


# -------------------------------------------------------------------------------------- behavioural checks


def check_targets(ctx: ValidationContext) -> Iterator[Check]:
    t = ctx.schema.targets
    if t is None:
        return
    if (ws := t.weekend_share) is not None:
        target = f"{ws.table}.{ws.timestamp}"
        if (skip := _missing(ctx, "behavioural", "weekend_share", ws.table, ws.timestamp)) is not None:
            yield skip
        else:
            v = pl.col(ws.timestamp)
            df = collect(ctx.scan(ws.table).select(v.dt.weekday().is_in([6, 7]).sum().alias("we"),
                                                   v.count().alias("n")))
            n, we = int(df["n"][0]), int(df["we"][0])
            share = we / n if n else float("nan")
            ok = n > 0 and ws.min <= share <= ws.max
            c = _check("behavioural", "weekend_share", target, ok, measured=_round(share), expected=[ws.min, ws.max],
                       rows=n, message="no timestamps" if n == 0 else "")
            implied = implied_weekend_share(ctx.schema, ws.table, ws.timestamp)
            if not ok and n > 0 and implied is not None and not ws.min <= implied <= ws.max:
                tol = 4.0 * math.sqrt(implied * (1 - implied) / n) + 0.01
                if abs(share - implied) <= tol:
                    c.status = "warn"
                    c.message = (f"target unreachable as declared: the column's dow weights over the timeframe imply "
                                 f"a weekend share of {implied:.4f}, and the data ({share:.4f}) follows them")
            yield c
    if (mr := t.mean_in_range) is not None:
        target = f"{mr.table}.{mr.column}"
        if (skip := _missing(ctx, "behavioural", "mean_in_range", mr.table, mr.column)) is not None:
            yield skip
        else:
            df = collect(ctx.scan(mr.table).select(pl.col(mr.column).mean().alias("m"),
                                                   pl.col(mr.column).count().alias("n")))
            mean, n = df["m"][0], int(df["n"][0])
            ok = mean is not None and mr.min <= mean <= mr.max
            yield _check("behavioural", "mean_in_range", target, ok, measured=_round(mean), expected=[mr.min, mr.max],
                         rows=n)
    if t.composite_effect is not None:
        yield from _composite(ctx, t.composite_effect)


def _composite(ctx: ValidationContext, ce: dsl.CompositeEffectTarget) -> Iterator[Check]:
    """Each seasonality influence: the observed bucket index vs the declared weights × the timeframe's exposure.

    index_b = share_b × B (mean 1). Observed shares count rows (or sum the metric, when it names a numeric
    column) per hour/dow/month bucket of the table's time column; expected shares are ∝ weight_b × the hours
    of the timeframe that fall in bucket b. MAE = mean |obs − exp|, MAPE = 100 · mean |obs − exp| / exp. The
    check passes when MAE ≤ tolerance.mae + noise_mae and MAPE ≤ tolerance.mape + noise_mape (a tolerance not
    given is not checked), where noise_* is twice the error expected from multinomial sampling alone at this
    row count. Effect and outlier influences are not measured (listed in the message).
    """
    name = "composite_effect"
    node = ctx.schema.node(ce.table)
    seasonal = [i for i in ce.influences if i.kind == "seasonality" and i.dimension and i.weights]
    other = [i.kind for i in ce.influences if i not in seasonal]
    time_col = None if node is None else _time_column(node, {i.dimension for i in seasonal})
    for inf in seasonal:
        target = f"{ce.table}.{ce.metric}[{inf.dimension}]"
        if node is None or time_col is None:
            yield _skip("behavioural", name, target, f"{ce.table!r} has no datetime column")
            continue
        if (skip := _missing(ctx, "behavioural", name, ce.table, time_col)) is not None:
            skip.target, skip.id = target, f"{name}:{target}"
            yield skip
            continue
        assert inf.dimension is not None and inf.weights is not None
        obs, n_eff, rows = _bucket_shares(ctx, node, time_col, ce.metric, inf.dimension)
        if rows == 0:
            yield _check("behavioural", name, target, False, measured=None, rows=0, message="no rows")
            continue
        exposure = _exposure(ctx.timeframe, inf.dimension)
        expected = np.asarray(inf.weights, dtype=np.float64) * exposure
        expected = expected / expected.sum()
        column = node.column(time_col)
        if inf.dimension == "hour" and column is not None:
            kernel = hour_jitter_kernel(column, ctx.schema.timeframe.freq)
            expected = sum(p * np.roll(expected, d) for d, p in kernel.items())
            expected = expected / expected.sum()
        b = len(expected)
        o_idx, e_idx = obs * b, expected * b
        err = np.abs(o_idx - e_idx)
        mask = e_idx > 0
        mae = float(err.mean())
        mape = float(100.0 * (err[mask] / e_idx[mask]).mean()) if mask.any() else 0.0
        sd = b * np.sqrt(expected * (1 - expected) / max(n_eff, 1.0))
        noise_mae = 2.0 * float(np.sqrt(2 / np.pi) * sd.mean())
        noise_mape = 2.0 * float(100.0 * np.sqrt(2 / np.pi) * (sd[mask] / e_idx[mask]).mean()) if mask.any() else 0.0
        tol = ce.tolerance
        ok = (tol.mae is None or mae <= tol.mae + noise_mae) and (tol.mape is None or mape <= tol.mape + noise_mape)
        note = f"time column {time_col}; allowed mae ≤ {_tol(tol.mae, noise_mae)}, mape ≤ {_tol(tol.mape, noise_mape)}"
        if other:
            note += f"; not measured: {', '.join(other)}"
        yield _check("behavioural", name, target, ok, measured={"mae": _round(mae), "mape": _round(mape)},
                     expected={"mae": tol.mae, "mape": tol.mape}, rows=rows, message=note)


def declared_weights(col: dsl.Column, dim: str) -> np.ndarray | None:
    """The product of a datetime column's declared pattern and seasonality weights for ``dim`` (None if none)."""
    w: np.ndarray | None = None
    patterns = col.generator.datetime_series.patterns() if col.generator.datetime_series is not None else []
    for pat in patterns:
        if pat.dimension == dim:
            w = np.asarray(pat.weights, dtype=np.float64) * (1.0 if w is None else w)
    for m in col.modifiers:
        if isinstance(m, dsl.SeasonalityModifier) and m.args.dimension == dim:
            w = np.asarray(m.args.weights, dtype=np.float64) * (1.0 if w is None else w)
    return w


def implied_weekend_share(schema: dsl.Schema, table: str, column: str) -> float | None:
    """The weekend share a column's declaration implies: dow weights × the timeframe's hours per weekday."""
    node = schema.node(table)
    col = node.column(column) if node is not None else None
    if col is None or col.type not in ("date", "datetime"):
        return None
    start, end = parse_timestamp(schema.timeframe.start), parse_timestamp(schema.timeframe.end)
    gen = col.generator.datetime_series
    if gen is not None and isinstance(gen.within, dsl.Window):
        start, end = parse_timestamp(gen.within.start), parse_timestamp(gen.within.end)
    if start is None or end is None:
        return None
    w = declared_weights(col, "dow")
    e = (np.ones(7) if w is None else w) * _exposure((start, end), "dow")
    return float((e[5] + e[6]) / e.sum()) if e.sum() > 0 else None


_ALIGNED_FREQ = re.compile(r"^\d*\s*(h|H|D|d|W|w|M|MS|ME|Q|QS|Y|YS|A|AS)$")


def _phi(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def hour_jitter_kernel(col: dsl.Column, timeframe_freq: str | None = None) -> dict[int, float]:
    """How a column's ``time_jitter`` moves rows between hours: {hour offset: probability}.

    Values on a whole-hour grid (``freq`` of an hour or coarser) start at minute 0, so a jitter of σ minutes
    moves about half of them into the previous hour; values off the grid start uniformly within the hour.
    """
    sigma2 = 0.0
    for m in col.modifiers:
        if isinstance(m, dsl.TimeJitterModifier):
            sec = m.args.std_minutes * 60.0 if m.args.std_minutes is not None else float(m.args.std or 0.0)
            sigma2 += sec * sec
    if sigma2 <= 0:
        return {0: 1.0}
    sigma = math.sqrt(sigma2)
    gen = col.generator.datetime_series
    freq = (gen.freq if gen is not None else None) or timeframe_freq
    offsets = np.array([0.0]) if freq and _ALIGNED_FREQ.match(freq) else (np.arange(60) + 0.5) * 60.0
    reach = math.ceil(6 * sigma / 3600.0) + 1
    return {d: float((_phi(((d + 1) * 3600.0 - offsets) / sigma) - _phi((d * 3600.0 - offsets) / sigma)).mean())
            for d in range(-reach, reach + 1)}


def _tol(tol: float | None, noise: float) -> str:
    return "unchecked" if tol is None else f"{tol:g} + {noise:.3g} noise"


def _time_column(node: dsl.Node, dims: set[Any]) -> str | None:
    """The datetime column carrying the declared pattern/seasonality, else the first datetime column."""
    for col in node.columns:
        if col.type != "datetime":
            continue
        declared = {m.args.dimension for m in col.modifiers if isinstance(m, dsl.SeasonalityModifier)}
        if col.generator.datetime_series is not None:
            declared |= {p.dimension for p in col.generator.datetime_series.patterns()}
        if declared & dims:
            return col.name
    return next((c.name for c in node.columns if c.type == "datetime"), None)


def _bucket_expr(v: pl.Expr, dim: str) -> pl.Expr:
    if dim == "hour":
        return v.dt.hour().cast(pl.Int32)
    if dim == "dow":
        return v.dt.weekday().cast(pl.Int32) - 1  # DSL: 0 = Monday
    return v.dt.month().cast(pl.Int32) - 1


def _bucket_shares(ctx: ValidationContext, node: dsl.Node, time_col: str, metric: str,
                   dim: str) -> tuple[np.ndarray, float, int]:
    size = {"hour": 24, "dow": 7, "month": 12}[dim]
    col = node.column(metric)
    weighted = col is not None and col.type in ("int", "float") and ctx.has(node.id, metric)
    if weighted:
        w = pl.col(metric).cast(pl.Float64).fill_null(0.0)
        sums = [w.sum().alias("s"), (w * w).sum().alias("s2")]
    else:
        sums = [pl.len().cast(pl.Float64).alias("s"), pl.len().cast(pl.Float64).alias("s2")]
    frame = ctx.scan(node.id).filter(pl.col(time_col).is_not_null())
    agg = collect(frame.group_by(_bucket_expr(pl.col(time_col), dim).alias("b")).agg(*sums, pl.len().alias("n")))
    shares = np.zeros(size)
    for b, s in zip(agg["b"].to_list(), agg["s"].to_list(), strict=True):
        shares[int(b)] += s
    total, total2, rows = shares.sum(), float(agg["s2"].sum() or 0.0), int(agg["n"].sum() or 0)
    n_eff = (total * total / total2) if total2 > 0 else float(rows)
    return (shares / total if total > 0 else shares), n_eff, rows


def _exposure(timeframe: tuple[datetime, datetime], dim: str) -> np.ndarray:
    """Hours of the timeframe falling in each bucket (so a 10-month timeframe does not bias the months)."""
    start = np.datetime64(timeframe[0].replace(minute=0, second=0, microsecond=0), "h")
    end = np.datetime64(timeframe[1], "h")
    hours = np.arange(start, end + 1, dtype="datetime64[h]")
    if len(hours) > 2_000_000:  # > 228 years: sample every 7th day-hour block evenly instead
        hours = hours[:: max(1, len(hours) // 2_000_000)]
    if dim == "hour":
        idx, size = hours.astype(np.int64) % 24, 24
    elif dim == "dow":
        idx, size = (hours.astype("datetime64[D]").astype(np.int64) + 3) % 7, 7  # 1970-01-01 was a Thursday
    else:
        idx, size = hours.astype("datetime64[M]").astype(np.int64) % 12, 12
    return np.bincount(idx, minlength=size).astype(np.float64)


# ---------------------------------------------------------------------------------------------- realism


def _variation(col: dsl.Column) -> str | None:
    """How a generator varies: "varies", "choice" (depends on the shares), "constant", or None (unknown)."""
    g = col.generator
    if g.lookup is not None or g.expression is not None or (g.choice is not None and g.choice.choices is None):
        return None
    if g.choice is not None:
        return "choice"
    if g.enum_list is not None:
        return "constant" if len(set(map(str, g.enum_list.values))) <= 1 else "varies"
    if g.distribution is not None:
        d, p = g.distribution, g.distribution.params
        if d.clamp is not None and len(d.clamp) == 2 and d.clamp[0] == d.clamp[1]:
            return "constant"
        if isinstance(p, dsl.NormalParams):
            spread = p.std
        elif isinstance(p, dsl.LognormalParams):
            spread = p.sigma
        elif isinstance(p, dsl.UniformParams):
            spread = p.high - p.low
        elif isinstance(p, dsl.PoissonParams):
            spread = p.lam
        else:
            spread = p.scale
        return "constant" if spread <= 0 else "varies"
    return "varies"  # sequence, datetime_series, faker, diffusion_curve


def check_not_constant(ctx: ValidationContext) -> Iterator[Check]:
    """A column whose generator varies must not hold a single value (all-null columns are left to nullability)."""
    from .plan import choice_shares

    by_table: dict[str, list[dsl.Column]] = {}
    for node, col in ctx.node_columns():
        variation = _variation(col)
        if variation in (None, "constant") or any(isinstance(m, dsl.MapValuesModifier) for m in col.modifiers):
            continue
        if node.stage_config or node.state_transition_model:
            continue  # the engine rewrites state/stage columns
        if ctx.has(node.id, col.name):
            by_table.setdefault(node.id, []).append(col)
    for table, cols in by_table.items():
        exprs = []
        for c in cols:
            v = pl.col(c.name)
            if c.type == "bool":
                v = v.cast(pl.Int8)
            exprs += [v.min().alias(f"{c.name}\x00min"), v.max().alias(f"{c.name}\x00max"),
                      v.count().alias(f"{c.name}\x00n")]
        df = collect(ctx.scan(table).select(exprs))
        for c in cols:
            n = int(df[f"{c.name}\x00n"][0])
            lo, hi = df[f"{c.name}\x00min"][0], df[f"{c.name}\x00max"][0]
            target = f"{table}.{c.name}"
            if c.generator.choice is not None:
                shares = [s for s in choice_shares(c.generator.choice).values() if s > 0]
                chance = sum(s ** n for s in shares) if n else 1.0
            else:
                chance = 0.0 if n >= 2 else 1.0
            if chance > CONSTANT_CHANCE:
                yield _skip("realism", "not_constant", target, f"a constant is plausible at {n} values")
                continue
            constant = lo == hi
            yield _check("realism", "not_constant", target, not constant, measured=[_py(lo), _py(hi)],
                         expected="at least two distinct values", rows=n, failing_rows=n if constant else 0)


# ------------------------------------------------------------------------------------------------ driver


Rule = Callable[[ValidationContext], Iterable[Check]]
CHECKS: tuple[Rule, ...] = (
    check_tables_present, check_row_counts, check_types, check_keys, check_foreign_keys, check_nullability,
    check_ranges, check_inequalities, check_patterns, check_enums, check_time_bounds, check_after_parent,
    check_touchpoints, check_sequences, check_targets, check_not_constant,
)
_CATEGORY_OF = {
    check_tables_present: "structural", check_row_counts: "structural", check_types: "structural",
    check_keys: "structural", check_foreign_keys: "structural", check_nullability: "structural",
    check_ranges: "value", check_inequalities: "value", check_patterns: "value", check_enums: "value",
    check_time_bounds: "value", check_after_parent: "temporal", check_touchpoints: "temporal", check_sequences: "temporal",
    check_targets: "behavioural",
    check_not_constant: "realism",
}


def validate(
    schema: dsl.Schema,
    data_dir: str | Path,
    *,
    schema_path: str = "",
    checks: tuple[Rule, ...] = CHECKS,
) -> ValidationReport:
    """Run every check of ``checks`` over the dataset in ``data_dir`` and score the result.

    Raises :class:`DatasetReadError` when the directory is missing or a parquet file is damaged.
    """
    from datagen_contracts.errors import ContractError
    from datagen_contracts.metadata import FILENAME, load_metadata

    root = Path(data_dir)
    if not root.is_dir():
        raise DatasetReadError(f"data directory not found: {root}")
    metadata = None
    if (root / FILENAME).is_file():
        try:
            metadata = load_metadata(root)
        except ContractError as exc:
            raise DatasetReadError(f"cannot read {root / FILENAME}: {exc}") from None
    ctx = ValidationContext(schema, root, metadata)
    results: list[Check] = []
    for rule in checks:
        try:
            results.extend(rule(ctx))
        except Exception as exc:  # one broken check is reported as an error, never as a pass
            category = _CATEGORY_OF.get(rule, "structural")
            name = rule.__name__.removeprefix("check_")
            results.append(Check(id=f"{name}:*", category=category, check=name, target="*", status="error",
                                 message=f"{type(exc).__name__}: {exc}"))
    categories, score = score_checks(results)
    return ValidationReport(schema=schema_path, data_dir=str(root), checks=results, categories=categories,
                            score=score)


def _py(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return _round(value)
    return value


def _round(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 6)
