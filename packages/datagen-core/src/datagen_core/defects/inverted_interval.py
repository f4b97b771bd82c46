"""``inverted_interval``: an interval's start and end swapped, so it ends before it starts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import (
    DefectError,
    Job,
    choose_rows,
    defect_count,
    make_record,
    not_null,
    replace_values,
    rewrite_file,
)

KIND = "inverted_interval"


def default_column(facts: TableFacts, schema: dsl.Schema) -> str | None:
    """The column a target without one means: the start of the table's first ordered pair."""
    pair = interval_columns(schema, facts.name, None, {})
    return pair[0] if pair else None


def interval_columns(schema: dsl.Schema, table: str, start: str | None, params: dict[str, Any]) -> tuple[str, str] | None:
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


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                       touched: set[int]) -> DefectRecord:
    pair = interval_columns(schema, job.table, job.column, job.spec.params)
    if pair is None:
        raise DefectError(f"defects[{job.index}]: no start/end pair for {job.spec.target} "
                          "(declare an inequality start < end on the table, or params {'end': column})")
    start, end = pair
    n = job.rows

    def both(a: pa.Array, b: pa.Array) -> np.ndarray:
        return not_null(a) & not_null(b)

    chosen = choose_rows(job, n, defect_count(job, n), touched, both, [start, end])
    arrow = job.schema()
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
        t = replace_values(t, start, local, pa.array(new_s, type=stype))
        return replace_values(t, end, local, pa.array(new_e, type=etype))

    keys = rewrite_file(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys, start=start, end=end, rule="start > end afterwards (values swapped)")


def _as_dt(v: Any) -> Any:
    return datetime.combine(v, datetime.min.time()) if isinstance(v, date) and not isinstance(v, datetime) else v


def _key(v: Any, by_day: bool) -> Any:
    return v.date() if by_day and isinstance(v, datetime) else v


def _as_type(v: Any, t: pa.DataType) -> Any:
    return v.date() if pa.types.is_date(t) and isinstance(v, datetime) else v
