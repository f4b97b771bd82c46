"""``temporal_violation``: a child's time moved before its parent's creation time."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datagen_contracts import dsl
from datagen_contracts.dsl import parse_timestamp
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import DefectError, Job, defect_count, groups, make_record, replace_values, rewrite_file, values_at

KIND = "temporal_violation"


def default_column(facts: TableFacts, schema: dsl.Schema) -> str | None:
    """The column a target without one means: the creation column, else the first time column."""
    return facts.created_at_column or (facts.time_columns[0] if facts.time_columns else None)


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                        touched: set[int]) -> DefectRecord:
    assert job.column is not None
    link = next(((c, p, pcol) for c, p, pcol in job.facts.foreign_keys
                 if p in tables and tables[p].created_at_column), None)
    if link is None:
        raise DefectError(f"defects[{job.index}]: {job.table!r} has no foreign key to a parent with a creation time")
    fk_col, parent, parent_col = link
    created_col = tables[parent].created_at_column
    ctype = job.schema().field(job.column).type
    is_date = pa.types.is_date(ctype)
    assert created_col is not None
    params = job.spec.params
    lo_h = float(params.get("min_offset_hours", 1.0))
    hi_h = float(params.get("max_offset_hours", 24.0 * 30))
    floor = _window_start(schema, job.table, job.column)
    n = job.rows
    count = defect_count(job, n)
    # eligible: a non-null FK whose parent exists with a creation time at least min_offset after the window start
    # (so the moved value stays inside its window and breaks only the parent ordering)
    rng = job.rng()
    pool_size = min(n, 2 * count + len(touched) + 64)
    created: dict[Any, Any] = {}
    chosen = np.zeros(0, dtype=np.int64)
    for attempt in range(2):
        pool = rng.choice(n, size=pool_size, replace=False) if attempt == 0 else rng.permutation(n)
        pool = pool[np.fromiter((int(r) not in touched for r in pool), dtype=bool, count=len(pool))]
        fks = values_at(job.paths, pool, fk_col)
        created = _parent_times([root / f for f in tables[parent].all_files], parent_col, created_col,
                                {v for v in fks if v is not None})
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
        return replace_values(t, job.col, local, pa.array(values, type=ctype))

    keys = rewrite_file(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys, parent=f"{parent}.{created_col}", via=fk_col,
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


def _parent_times(paths: list[Path], key_col: str, time_col: str, keys: set[Any]) -> dict[Any, Any]:
    """The earliest creation time of each parent key in ``keys`` (only those rows are kept in memory); the parent
    is one file or its parts."""
    out: dict[Any, Any] = {}
    if not keys:
        return out
    key_type = pq.read_schema(paths[0]).field(key_col).type
    wanted = pa.array(list(keys)).cast(key_type, safe=False)
    for g in groups(paths):
        data = pq.ParquetFile(g.path).read_row_group(g.index, columns=[key_col, time_col])
        hit = data.filter(pc.is_in(data.column(key_col), value_set=wanted))
        for k, t in zip(hit.column(key_col).to_pylist(), hit.column(time_col).to_pylist(), strict=True):
            if t is not None and (out.get(k) is None or t < out[k]):
                out[k] = t
    # keys read from the child may be another numeric type (float ids): map both spellings
    for k in list(keys):
        if k not in out and isinstance(k, float) and k.is_integer() and int(k) in out:
            out[k] = out[int(k)]
    return out
