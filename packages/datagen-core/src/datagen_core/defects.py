"""Defect injection: known data-quality problems at exact, recorded rates (the ground truth in ``.metadata.json``).

The engine writes clean tables into a staging directory, then calls :func:`inject_defects`, which applies the
schema's ``defects`` in order. Each defect:

1. picks its rows deterministically from ``(seed, defect index)`` — ``count = round(rate × rows)`` rows drawn
   without replacement, only among rows the defect can really change (a null cannot become null again) and
   not already changed by an earlier defect on the same table, so every recorded row is a real defect;
2. rewrites the parquet file row group by row group (replacement values drawn from
   ``(seed, defect index, row group)``) into a temporary file that replaces the original (``os.replace``);
3. returns a :class:`DefectRecord`: kind, target, rate, the exact count, affected primary-key values (capped
   at 1000, ``keys_truncated``) and details (the offsets, key ranges or variants used).

Memory stays bounded: a pass reads one row group (and only the columns it needs) at a time; the parent side of
a temporal violation is read only for the parent keys of the chosen rows. ``docs/defects.md`` describes each
kind exactly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datagen_contracts import dsl
from datagen_contracts.dsl import parse_timestamp
from datagen_contracts.metadata import DefectRecord

from .errors import DatagenError
from .output.tables import TableFacts

MAX_KEYS = 1000
_SALT = 0xDEFEC7
_ISO3 = {"US": "USA", "UK": "GBR", "GB": "GBR", "DE": "DEU", "FR": "FRA", "CA": "CAN", "AU": "AUS", "ES": "ESP",
         "IT": "ITA", "NL": "NLD", "JP": "JPN", "CN": "CHN", "IN": "IND", "BR": "BRA", "MX": "MEX"}


class DefectError(DatagenError):
    """A ``defects`` entry cannot be applied to the generated data (unknown column, wrong type…)."""


@dataclass
class _Job:
    """One defect being applied to one table file."""

    index: int
    spec: dsl.DefectSpec
    table: str
    column: str | None
    facts: TableFacts
    path: Path
    seed: int
    details: dict[str, Any] = field(default_factory=dict)

    def rng(self, *more: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([self.seed & (2**63 - 1), _SALT, self.index, *more]))


def inject_defects(staging_dir: Path, schema: dsl.Schema, seed: int, tables: dict[str, TableFacts]) -> list[DefectRecord]:
    """Apply ``schema.defects`` in order to the parquet files under ``staging_dir``; return the ground truth."""
    touched: dict[str, set[int]] = {}
    records = []
    for index, spec in enumerate(schema.defects):
        job = _job(staging_dir, schema, seed, tables, index, spec)
        records.append(_APPLY[spec.kind](job, schema, tables, staging_dir, touched.setdefault(job.table, set())))
    return records


def _job(staging_dir: Path, schema: dsl.Schema, seed: int, tables: dict[str, TableFacts], index: int,
         spec: dsl.DefectSpec) -> _Job:
    table, _, column = spec.target.partition(".")
    if spec.kind not in _APPLY:
        raise DefectError(f"defects[{index}]: unknown kind {spec.kind!r}")
    facts = tables.get(table)
    if facts is None:
        raise DefectError(f"defects[{index}]: table {table!r} was not generated")
    path = staging_dir / facts.path
    names = pq.read_schema(path).names
    col = column or _default_column(spec.kind, facts, schema, names)
    if col is not None and col not in names:
        raise DefectError(f"defects[{index}]: {table!r} has no column {col!r}")
    if col is None and spec.kind not in ("duplicate_rows", "duplicate_pk"):
        raise DefectError(f"defects[{index}]: {spec.kind} needs a column target ('{table}.<column>')")
    return _Job(index, spec, table, col, facts, path, seed)


def _default_column(kind: str, facts: TableFacts, schema: dsl.Schema, names: list[str]) -> str | None:
    if kind == "orphan_fk":
        return facts.foreign_keys[0][0] if facts.foreign_keys else None
    if kind in ("temporal_violation", "future_dates"):
        return facts.created_at_column or (facts.time_columns[0] if facts.time_columns else None)
    if kind in ("duplicate_pk", "float_ids"):
        return facts.pk
    if kind == "inverted_interval":
        pair = _interval(schema, facts.name, None, {})
        return pair[0] if pair else None
    return None


# ------------------------------------------------------------------------------------------ row selection


def _row_groups(path: Path) -> list[int]:
    md = pq.ParquetFile(path).metadata
    return [md.row_group(i).num_rows for i in range(md.num_row_groups)]


def _choose(job: _Job, n_rows: int, count: int, touched: set[int],
            eligible: Callable[[pa.Array], np.ndarray] | None, columns: list[str]) -> np.ndarray:
    """``count`` distinct row indices in random (deterministic) order, untouched and eligible.

    A pool of candidates is drawn without replacement; if it does not hold enough eligible rows, the whole
    table is taken in random order. Eligibility reads only ``columns`` of the pool's rows, row group by row group.
    """
    if count <= 0 or n_rows == 0:
        return np.zeros(0, dtype=np.int64)
    rng = job.rng()
    pool_size = min(n_rows, 2 * count + len(touched) + 64)
    for attempt in range(2):
        pool = rng.choice(n_rows, size=pool_size, replace=False) if attempt == 0 else rng.permutation(n_rows)
        ok = np.fromiter((int(r) not in touched for r in pool), dtype=bool, count=len(pool))
        if eligible is not None:
            ok &= _eligible_rows(job.path, pool, eligible, columns)
        chosen = pool[ok][:count]
        if len(chosen) == count or pool_size == n_rows:
            return chosen.astype(np.int64)
        pool_size = n_rows
    return chosen.astype(np.int64)  # fewer eligible rows than requested: the record says so


def _eligible_rows(path: Path, rows: np.ndarray, test: Callable[..., np.ndarray], columns: list[str]) -> np.ndarray:
    out = np.zeros(len(rows), dtype=bool)
    pf = pq.ParquetFile(path)
    start = 0
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    for rg, size in enumerate(_row_groups(path)):
        lo, hi = np.searchsorted(sorted_rows, [start, start + size])
        if hi > lo:
            data = pf.read_row_group(rg, columns=columns)
            local = sorted_rows[lo:hi] - start
            arrays = [data.column(c).take(pa.array(local)).combine_chunks() for c in columns]
            out[order[lo:hi]] = test(*arrays)
        start += size
    return out


def _not_null(values: pa.Array, *_: pa.Array) -> np.ndarray:
    return np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


# ------------------------------------------------------------------------------------------------ rewrite


def _rewrite(
    job: _Job,
    chosen: np.ndarray,
    change: Callable[[pa.Table, np.ndarray, np.random.Generator], pa.Table] | None,
    *,
    schema: pa.Schema | None = None,
    append: Callable[[pa.Table, np.ndarray, np.random.Generator], pa.Table] | None = None,
    keys_of_appended: bool = False,
) -> list[Any]:
    """Stream the file through ``change`` (per row group, with the group's chosen local rows) into a new file.

    ``append`` builds extra rows from each group's chosen rows; they are written after the last group.
    Returns the primary-key values of the affected rows, in row order, capped at ``MAX_KEYS`` + 1.
    """
    pf = pq.ParquetFile(job.path)
    out_schema = schema or pf.schema_arrow
    chosen_sorted = np.sort(chosen)
    keys: list[Any] = []
    extra: list[pa.Table] = []
    # a fresh name in the run's private output directory, created by the writer itself: mkstemp's 0600 would
    # leave the rewritten table unreadable to the group while every other file gets the usual mode
    tmp = job.path.with_name(f".{job.path.name}.{secrets.token_hex(8)}.tmp")
    try:
        with pq.ParquetWriter(tmp, out_schema, compression="zstd") as writer:
            start = 0
            for rg, size in enumerate(_row_groups(job.path)):
                data = pf.read_row_group(rg)
                lo, hi = np.searchsorted(chosen_sorted, [start, start + size])
                local = chosen_sorted[lo:hi] - start
                rng = job.rng(rg)
                if len(local):
                    if job.facts.pk and len(keys) <= MAX_KEYS:
                        keys.extend(data.column(job.facts.pk).take(pa.array(local)).to_pylist())
                    if change is not None:
                        data = change(data, local, rng)
                    if append is not None:
                        extra.append(append(data, local, rng))
                writer.write_table(_conform(data, out_schema), row_group_size=max(len(data), 1))
                start += size
            if extra:
                more = pa.concat_tables(extra)
                writer.write_table(_conform(more, out_schema), row_group_size=max(len(more), 1))
        os.replace(tmp, job.path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return keys


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    return table.cast(schema) if table.schema != schema else table


def _nullable_schema(path: Path, column: str) -> pa.Schema:
    s = pq.read_schema(path)
    i = s.get_field_index(column)
    return s.set(i, s.field(i).with_nullable(True))


def _replace(table: pa.Table, column: str, local: np.ndarray, values: pa.Array) -> pa.Table:
    """``table`` with ``column[local] = values``."""
    col = table.column(column).combine_chunks()
    mask = np.zeros(len(table), dtype=bool)
    mask[local] = True
    full = pa.nulls(len(table), type=col.type)
    positions = np.full(len(table), -1, dtype=np.int64)
    positions[local] = np.arange(len(local))
    if len(values):
        full = values.take(pa.array(np.where(mask, positions, 0)))
    new = pc.if_else(pa.array(mask), full, col)
    return table.set_column(table.schema.get_field_index(column), table.schema.field(column), new)


def _record(job: _Job, n_rows: int, chosen: np.ndarray, keys: list[Any], **details: Any) -> DefectRecord:
    count = len(chosen)
    requested = round(job.spec.rate * n_rows)
    info = {**job.details, **details, "rows_before": n_rows}
    if count != requested:
        info["requested"] = requested
    if not job.facts.pk:
        keys = sorted(int(r) for r in chosen)[: MAX_KEYS + 1]
        info["keys_are"] = "row numbers (the table has no primary key)"
    return DefectRecord(kind=job.spec.kind, target=job.spec.target, rate=job.spec.rate, count=count,
                        affected_keys=_plain(keys[:MAX_KEYS]), keys_truncated=count > MAX_KEYS, details=info)


def _plain(values: list[Any]) -> list[Any]:
    return [v.isoformat() if isinstance(v, date | datetime) else v for v in values]


def _count(job: _Job, n_rows: int) -> int:
    return round(job.spec.rate * n_rows)


# --------------------------------------------------------------------------------------------- the kinds


def _orphan_fk(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    assert job.column is not None
    link = next(((p, pc_) for c, p, pc_ in job.facts.foreign_keys if c == job.column), None)
    if link is None:
        node = schema.node(job.table)
        col = node.column(job.column) if node else None
        if col is not None and col.generator.lookup is not None:
            p, _, pcol = col.generator.lookup.from_.partition(".")
            link = (p, pcol)
    if link is None or link[0] not in tables:
        raise DefectError(f"defects[{job.index}]: {job.spec.target} is not a foreign key")
    parent, parent_col = link
    n = sum(_row_groups(job.path))
    chosen = _choose(job, n, _count(job, n), touched, None, [])
    ptype = pq.read_schema(root / tables[parent].path).field(parent_col).type
    k = len(chosen)
    if pa.types.is_integer(ptype) or pa.types.is_floating(ptype):
        top = _column_max(root / tables[parent].path, parent_col)
        first = int(np.floor(top)) + 1 if top is not None else 1
        new_keys = pa.array(np.arange(first, first + k), type=pa.int64())
        key_range: list[Any] = [first, first + k - 1] if k else []
    else:
        prefix = f"__orphan_{job.index}_"
        new_keys = pa.array([f"{prefix}{j}" for j in range(k)], type=pa.string())
        key_range = [f"{prefix}0", f"{prefix}{k - 1}"] if k else []
        if _any_in(root / tables[parent].path, parent_col, new_keys):
            raise DefectError(f"defects[{job.index}]: could not find orphan keys absent from {parent}.{parent_col}")
    ctype = pq.read_schema(job.path).field(job.column).type

    # keys are assigned in row order: the j-th affected row (by row number) gets the j-th orphan key
    state = {"next": 0}

    def assign(t: pa.Table, local: np.ndarray, _rng: np.random.Generator) -> pa.Table:
        j = state["next"]
        state["next"] += len(local)
        values = new_keys.slice(j, len(local)).cast(ctype, safe=False)
        return _replace(t, job.column, local, values)

    keys = _rewrite(job, chosen, assign)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys, parent=f"{parent}.{parent_col}", key_range=key_range,
                   absent_from_parent=True)


def _column_max(path: Path, column: str) -> float | None:
    top = None
    pf = pq.ParquetFile(path)
    for rg in range(pf.metadata.num_row_groups):
        m = pc.max(pf.read_row_group(rg, columns=[column]).column(0)).as_py()
        if m is not None:
            top = m if top is None else max(top, m)
    return top


def _any_in(path: Path, column: str, values: pa.Array) -> bool:
    pf = pq.ParquetFile(path)
    for rg in range(pf.metadata.num_row_groups):
        col = pf.read_row_group(rg, columns=[column]).column(0).cast(pa.string())
        if pc.any(pc.is_in(col, value_set=values)).as_py():
            return True
    return False


def _temporal_violation(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                        touched: set[int]) -> DefectRecord:
    assert job.column is not None
    link = next(((c, p, pcol) for c, p, pcol in job.facts.foreign_keys
                 if p in tables and tables[p].created_at_column), None)
    if link is None:
        raise DefectError(f"defects[{job.index}]: {job.table!r} has no foreign key to a parent with a creation time")
    fk_col, parent, parent_col = link
    created_col = tables[parent].created_at_column
    ctype = pq.read_schema(job.path).field(job.column).type
    is_date = pa.types.is_date(ctype)
    assert created_col is not None
    params = job.spec.params
    lo_h = float(params.get("min_offset_hours", 1.0))
    hi_h = float(params.get("max_offset_hours", 24.0 * 30))
    floor = _window_start(schema, job.table, job.column)
    n = sum(_row_groups(job.path))
    count = _count(job, n)
    # eligible: a non-null FK whose parent exists with a creation time at least min_offset after the window start
    # (so the moved value stays inside its window and breaks only the parent ordering)
    rng = job.rng()
    pool_size = min(n, 2 * count + len(touched) + 64)
    created: dict[Any, Any] = {}
    chosen = np.zeros(0, dtype=np.int64)
    for attempt in range(2):
        pool = rng.choice(n, size=pool_size, replace=False) if attempt == 0 else rng.permutation(n)
        pool = pool[np.fromiter((int(r) not in touched for r in pool), dtype=bool, count=len(pool))]
        fks = _values_at(job.path, pool, fk_col)
        created = _parent_times(root / tables[parent].path, parent_col, created_col, {v for v in fks if v is not None})
        ok = np.array([v is not None and created.get(v) is not None
                       and _hours_between(floor, created[v]) > max(lo_h, 24.0 if is_date else 0.0) for v in fks],
                      dtype=bool)
        chosen = pool[ok][:count]
        if len(chosen) == count or pool_size == n:
            break
        pool_size = n

    def change(t: pa.Table, local: np.ndarray, g: np.random.Generator) -> pa.Table:
        parents = t.column(fk_col).take(pa.array(local)).to_pylist()
        u = g.random(len(local))
        values = []
        for key, x in zip(parents, u, strict=True):
            p = created[key]
            room = _hours_between(floor, p)
            h = lo_h + x * (min(hi_h, room) - lo_h)  # uniform in [min_offset, min(max_offset, room)]
            if is_date:
                p_day = p if not isinstance(p, datetime) else p.date()
                days = min(max(1, int(np.ceil(h / 24))), max(1, int(room // 24)))
                values.append(p_day - timedelta(days=days))
            else:
                p_dt = p if isinstance(p, datetime) else datetime.combine(p, datetime.min.time())
                values.append(p_dt - timedelta(microseconds=int(h * 3_600_000_000)))
        return _replace(t, job.column, local, pa.array(values, type=ctype))

    keys = _rewrite(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys, parent=f"{parent}.{created_col}", via=fk_col,
                   offset_hours=[lo_h, hi_h], granularity="day" if is_date else "microsecond")


def _window_start(schema: dsl.Schema, table: str, column: str) -> datetime | None:
    """Where a generated time column's window starts (its own ``within`` window, else the timeframe)."""
    node = schema.node(table)
    col = node.column(column) if node is not None else None
    gen = None if col is None else (col.generator.datetime_series or col.generator.diffusion_curve)
    if gen is not None and isinstance(gen.within, dsl.Window):
        return parse_timestamp(gen.within.start)
    return parse_timestamp(schema.timeframe.start)


def _hours_between(start: datetime | None, value: Any) -> float:
    if start is None:
        return float("inf")
    v = value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
    return (v - start).total_seconds() / 3600.0


def _values_at(path: Path, rows: np.ndarray, column: str) -> list[Any]:
    out: list[Any] = [None] * len(rows)
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    pf = pq.ParquetFile(path)
    start = 0
    for rg, size in enumerate(_row_groups(path)):
        lo, hi = np.searchsorted(sorted_rows, [start, start + size])
        if hi > lo:
            col = pf.read_row_group(rg, columns=[column]).column(0)
            vals = col.take(pa.array(sorted_rows[lo:hi] - start)).to_pylist()
            for pos, v in zip(order[lo:hi], vals, strict=True):
                out[pos] = v
        start += size
    return out


def _parent_times(path: Path, key_col: str, time_col: str, keys: set[Any]) -> dict[Any, Any]:
    """The earliest creation time of each parent key in ``keys`` (only those rows are kept in memory)."""
    out: dict[Any, Any] = {}
    if not keys:
        return out
    pf = pq.ParquetFile(path)
    key_type = pf.schema_arrow.field(key_col).type
    wanted = pa.array(list(keys)).cast(key_type, safe=False)
    for rg in range(pf.metadata.num_row_groups):
        data = pf.read_row_group(rg, columns=[key_col, time_col])
        hit = data.filter(pc.is_in(data.column(key_col), value_set=wanted))
        for k, t in zip(hit.column(key_col).to_pylist(), hit.column(time_col).to_pylist(), strict=True):
            if t is not None and (out.get(k) is None or t < out[k]):
                out[k] = t
    # keys read from the child may be another numeric type (float ids): map both spellings
    for k in list(keys):
        if k not in out and isinstance(k, float) and k.is_integer() and int(k) in out:
            out[k] = out[int(k)]
    return out


def _duplicate_rows(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                    touched: set[int]) -> DefectRecord:
    n = sum(_row_groups(job.path))
    chosen = _choose(job, n, _count(job, n), touched, None, [])

    def copy(t: pa.Table, local: np.ndarray, _g: np.random.Generator) -> pa.Table:
        return t.take(pa.array(local))

    keys = _rewrite(job, chosen, None, append=copy)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys, appended_rows=len(chosen), note="exact copies appended after the last row")


def _duplicate_pk(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                  touched: set[int]) -> DefectRecord:
    pk = job.column or job.facts.pk
    if pk is None:
        raise DefectError(f"defects[{job.index}]: duplicate_pk needs a primary key on {job.table!r}")
    n = sum(_row_groups(job.path))
    chosen = _choose(job, n, _count(job, n), touched, lambda v: _not_null(v), [pk])
    arrow_schema = pq.read_schema(job.path)
    fk_cols = {c for c, _, _ in job.facts.foreign_keys}
    candidates = [f.name for f in arrow_schema if f.name != pk and f.name not in fk_cols
                  and f.name not in job.facts.time_columns]
    varied = candidates[0] if candidates else None

    def copy(t: pa.Table, local: np.ndarray, g: np.random.Generator) -> pa.Table:
        rows = t.take(pa.array(local))
        if varied is not None and len(t) > 1:
            # the copy keeps the key but takes another row's value in one column: same key, different row
            donors = (local + 1 + g.integers(0, len(t) - 1, len(local))) % len(t)
            values = t.column(varied).take(pa.array(donors))
            rows = rows.set_column(rows.schema.get_field_index(varied), rows.schema.field(varied), values)
        return rows

    keys = _rewrite(job, chosen, None, append=copy)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys, column=pk, appended_rows=len(chosen), varied_column=varied,
                   note="a copy of each affected row with the same key (and another row's value in varied_column) "
                        "is appended; no existing key disappears, so no child becomes an orphan")


def _nulls(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    assert job.column is not None
    n = sum(_row_groups(job.path))
    chosen = _choose(job, n, _count(job, n), touched, _not_null, [job.column])
    out_schema = _nullable_schema(job.path, job.column)
    col_type = out_schema.field(job.column).type

    def change(t: pa.Table, local: np.ndarray, _g: np.random.Generator) -> pa.Table:
        t = t.cast(out_schema) if t.schema != out_schema else t
        return _replace(t, job.column, local, pa.nulls(len(local), type=col_type))

    keys = _rewrite(job, chosen, change, schema=out_schema)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys)


def _numeric(job: _Job) -> pa.DataType:
    assert job.column is not None
    t = pq.read_schema(job.path).field(job.column).type
    if not (pa.types.is_integer(t) or pa.types.is_floating(t)):
        raise DefectError(f"defects[{job.index}]: {job.spec.kind} needs a numeric column, {job.spec.target} is {t}")
    return t


def _map_numeric(job: _Job, touched: set[int], fn: Callable[[np.ndarray, np.random.Generator], np.ndarray],
                 eligible: Callable[[np.ndarray], np.ndarray], **details: Any) -> DefectRecord:
    assert job.column is not None
    col_type = _numeric(job)
    n = sum(_row_groups(job.path))

    def ok(values: pa.Array) -> np.ndarray:
        valid = _not_null(values)
        v = values.fill_null(0).to_numpy(zero_copy_only=False).astype(np.float64)
        return valid & eligible(v)

    chosen = _choose(job, n, _count(job, n), touched, ok, [job.column])

    def change(t: pa.Table, local: np.ndarray, g: np.random.Generator) -> pa.Table:
        old = t.column(job.column).take(pa.array(local)).to_numpy(zero_copy_only=False).astype(np.float64)
        new = fn(old, g)
        if pa.types.is_integer(col_type):
            new = np.round(new)
        return _replace(t, job.column, local, pa.array(new).cast(col_type, safe=False))

    keys = _rewrite(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys, **details)


def _outliers(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    factor = float(job.spec.params.get("factor", 10.0))
    mode = str(job.spec.params.get("mode", "spike"))
    if factor <= 1:
        raise DefectError(f"defects[{job.index}]: outliers factor must be > 1, got {factor}")

    def fn(v: np.ndarray, _g: np.random.Generator) -> np.ndarray:
        return v * factor if mode == "spike" else v / factor

    # a zero stays zero when multiplied, and an int may round back: only rows that really change are chosen
    def eligible(v: np.ndarray) -> np.ndarray:
        return np.abs(fn(v, np.random.default_rng(0)) - v) >= 1.0

    return _map_numeric(job, touched, fn, eligible, factor=factor, mode=mode)


def _negative_amounts(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                      touched: set[int]) -> DefectRecord:
    def fn(v: np.ndarray, _g: np.random.Generator) -> np.ndarray:
        return -np.abs(v)

    return _map_numeric(job, touched, fn, lambda v: v > 0, rule="value → −|value| (only positive values chosen)")


def _future_dates(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                  touched: set[int]) -> DefectRecord:
    assert job.column is not None
    ctype = pq.read_schema(job.path).field(job.column).type
    if not (pa.types.is_timestamp(ctype) or pa.types.is_date(ctype)):
        raise DefectError(f"defects[{job.index}]: future_dates needs a date/datetime column, {job.spec.target} is {ctype}")
    end = parse_timestamp(schema.timeframe.end)
    assert end is not None
    lo_d = float(job.spec.params.get("min_offset_days", 1.0))
    hi_d = float(job.spec.params.get("max_offset_days", 365.0))
    n = sum(_row_groups(job.path))
    chosen = _choose(job, n, _count(job, n), touched, None, [])

    def change(t: pa.Table, local: np.ndarray, g: np.random.Generator) -> pa.Table:
        days = g.uniform(lo_d, hi_d, len(local))
        if pa.types.is_date(ctype):
            vals: list[Any] = [end.date() + timedelta(days=max(1, int(np.ceil(d)))) for d in days]
        else:
            vals = [end + timedelta(microseconds=int(d * 86_400_000_000)) for d in days]
        return _replace(t, job.column, local, pa.array(vals, type=ctype))

    keys = _rewrite(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys, after=schema.timeframe.end, offset_days=[lo_d, hi_d])


def _interval(schema: dsl.Schema, table: str, start: str | None, params: dict[str, Any]) -> tuple[str, str] | None:
    if start is not None and params.get("end"):
        return start, str(params["end"])
    for q in schema.constraints.inequalities:
        lt, _, lc = q.left.partition(".")
        rt, _, rc = q.right.partition(".")
        if lt == rt == table and q.op in ("<", "<=", ">", ">="):
            pair = (lc, rc) if q.op in ("<", "<=") else (rc, lc)
            if start is None or pair[0] == start:
                return pair
    return None


def _inverted_interval(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                       touched: set[int]) -> DefectRecord:
    pair = _interval(schema, job.table, job.column, job.spec.params)
    if pair is None:
        raise DefectError(f"defects[{job.index}]: no start/end pair for {job.spec.target} "
                          "(declare an inequality start < end on the table, or params {'end': column})")
    start, end = pair
    n = sum(_row_groups(job.path))

    def both(a: pa.Array, b: pa.Array) -> np.ndarray:
        return _not_null(a) & _not_null(b)

    chosen = _choose(job, n, _count(job, n), touched, both, [start, end])
    arrow = pq.read_schema(job.path)
    stype, etype = arrow.field(start).type, arrow.field(end).type
    by_day = pa.types.is_date(stype) or pa.types.is_date(etype)

    def change(t: pa.Table, local: np.ndarray, _g: np.random.Generator) -> pa.Table:
        s = t.column(start).take(pa.array(local)).to_pylist()
        e = t.column(end).take(pa.array(local)).to_pylist()
        new_s, new_e = [], []
        for a, b in zip(s, e, strict=True):
            hi, lo = max(_as_dt(a), _as_dt(b)), min(_as_dt(a), _as_dt(b))
            if _key(hi, by_day) <= _key(lo, by_day):  # equal at the compared granularity: end one step back
                if isinstance(hi, datetime):
                    lo = hi - (timedelta(days=1) if by_day else timedelta(seconds=1))
                else:
                    lo = hi - 1
            new_s.append(_as_type(hi, stype))
            new_e.append(_as_type(lo, etype))
        t = _replace(t, start, local, pa.array(new_s, type=stype))
        return _replace(t, end, local, pa.array(new_e, type=etype))

    keys = _rewrite(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys, start=start, end=end, rule="start > end afterwards (values swapped)")


def _as_dt(v: Any) -> Any:
    return datetime.combine(v, datetime.min.time()) if isinstance(v, date) and not isinstance(v, datetime) else v


def _key(v: Any, by_day: bool) -> Any:
    return v.date() if by_day and isinstance(v, datetime) else v


def _as_type(v: Any, t: pa.DataType) -> Any:
    return v.date() if pa.types.is_date(t) and isinstance(v, datetime) else v


def _float_ids(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    assert job.column is not None
    s = pq.read_schema(job.path)
    old = s.field(job.column).type
    if not pa.types.is_integer(old):
        raise DefectError(f"defects[{job.index}]: float_ids needs an int column, {job.spec.target} is {old}")
    i = s.get_field_index(job.column)
    out_schema = s.set(i, s.field(i).with_type(pa.float64()))
    n = sum(_row_groups(job.path))
    every = np.arange(n, dtype=np.int64) if n <= MAX_KEYS + 1 else np.arange(MAX_KEYS + 1, dtype=np.int64)
    keys = _rewrite(job, every, lambda t, _local, _g: t.cast(out_schema), schema=out_schema)
    rec = _record(job, n, every, keys, arrow_type={"from": str(old), "to": "double"},
                  note="the whole column changes type; every row is affected")
    rec.count = n
    rec.keys_truncated = n > MAX_KEYS
    rec.details.pop("requested", None)
    return rec


def _strings(job: _Job, touched: set[int], variant: Callable[[str, np.random.Generator], str], **details: Any) -> DefectRecord:
    assert job.column is not None
    ctype = pq.read_schema(job.path).field(job.column).type
    if not (pa.types.is_string(ctype) or pa.types.is_large_string(ctype)):
        raise DefectError(f"defects[{job.index}]: {job.spec.kind} needs a string column, {job.spec.target} is {ctype}")
    n = sum(_row_groups(job.path))
    probe = np.random.default_rng(0)

    def ok(values: pa.Array) -> np.ndarray:
        return np.array([v is not None and variant(v, probe) != v for v in values.to_pylist()], dtype=bool)

    chosen = _choose(job, n, _count(job, n), touched, ok, [job.column])
    seen: dict[str, set[str]] = {}

    def change(t: pa.Table, local: np.ndarray, g: np.random.Generator) -> pa.Table:
        old = t.column(job.column).take(pa.array(local)).to_pylist()
        new = [variant(v, g) for v in old]
        for a, b in zip(old, new, strict=True):
            if len(seen) < 50 or a in seen:
                seen.setdefault(a, set()).add(b)
        return _replace(t, job.column, local, pa.array(new, type=ctype))

    keys = _rewrite(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return _record(job, n, chosen, keys, **details, variants={k: sorted(v) for k, v in sorted(seen.items())})


def format_variants_of(value: str) -> list[str]:
    """Spellings of the same value that a clean column would not mix (none equals ``value``).

    >>> format_variants_of("US")
    ['USA', 'us ', 'U.S.']
    >>> format_variants_of("CZ")  # no alpha-3 form every tool knows: a case variant, never an invented code
    ['cz', 'cz ', 'C.Z.']
    >>> format_variants_of("Credit Card")
    ['credit card', 'CREDIT CARD', 'Credit  Card', ' Credit Card']
    """
    if len(value) <= 3 and value.isalpha():
        # the alpha-3 forms are the ones datacruncher and datapolisher fold back (US/USA/us); any other code gets
        # a case variant rather than an invented code ("CZX")
        first = _ISO3.get(value.upper(), value.lower()) if value.isupper() else value.upper()
        out = [first, value.lower() + " ", ".".join(value.upper()) + "."]
    else:
        out = [value.lower(), value.upper(), value.replace(" ", "  ", 1) if " " in value else value + ".",
               " " + value]
    return [v for v in dict.fromkeys(out) if v != value] or [value + " "]


def _format_variants(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                     touched: set[int]) -> DefectRecord:
    given = {str(k): [str(x) for x in (v if isinstance(v, list) else [v])]
             for k, v in dict(job.spec.params.get("variants", {})).items()}

    def variant(v: str, g: np.random.Generator) -> str:
        options = [x for x in given.get(v, format_variants_of(v)) if x != v] or [v + " "]
        return options[int(g.integers(0, len(options)))]

    return _strings(job, touched, variant)


def _whitespace(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    def variant(v: str, g: np.random.Generator) -> str:
        return [" " + v, v + " ", v + "  ", "\t" + v][int(g.integers(0, 4))]

    return _strings(job, touched, variant, rule="leading/trailing spaces or a tab added")


def _case_variants(job: _Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                   touched: set[int]) -> DefectRecord:
    def variant(v: str, g: np.random.Generator) -> str:
        options = [x for x in dict.fromkeys([v.upper(), v.lower(), v.swapcase(), v.title()]) if x != v]
        return options[int(g.integers(0, len(options)))] if options else v

    return _strings(job, touched, variant, rule="upper/lower/swapped/title case (values without letters skipped)")


_Apply = Callable[[_Job, dsl.Schema, dict[str, TableFacts], Path, set[int]], DefectRecord]
_APPLY: dict[str, _Apply] = {
    "orphan_fk": _orphan_fk,
    "temporal_violation": _temporal_violation,
    "duplicate_rows": _duplicate_rows,
    "duplicate_pk": _duplicate_pk,
    "nulls": _nulls,
    "outliers": _outliers,
    "format_variants": _format_variants,
    "negative_amounts": _negative_amounts,
    "future_dates": _future_dates,
    "inverted_interval": _inverted_interval,
    "float_ids": _float_ids,
    "whitespace": _whitespace,
    "case_variants": _case_variants,
}
