"""``future_dates``: times moved past the end of the timeframe."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from datagen_contracts import dsl
from datagen_contracts.dsl import parse_timestamp
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import (
    DefectError,
    Job,
    choose_rows,
    defect_count,
    make_record,
    replace_values,
    rewrite_file,
)

KIND = "future_dates"


def default_column(facts: TableFacts, schema: dsl.Schema) -> str | None:
    """The column a target without one means: the creation column, else the first time column."""
    return facts.created_at_column or (facts.time_columns[0] if facts.time_columns else None)


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                  touched: set[int]) -> DefectRecord:
    assert job.column is not None
    ctype = job.schema().field(job.column).type
    if not (pa.types.is_timestamp(ctype) or pa.types.is_date(ctype)):
        raise DefectError(f"defects[{job.index}]: future_dates needs a date/datetime column, {job.spec.target} is {ctype}")
    end = parse_timestamp(schema.timeframe.end)
    assert end is not None
    lo_d = float(job.spec.params.get("min_offset_days", 1.0))
    hi_d = float(job.spec.params.get("max_offset_days", 365.0))
    n = job.rows
    chosen = choose_rows(job, n, defect_count(job, n), touched, None, [])

    def change(t: pa.Table, local: np.ndarray, g: np.random.Generator) -> pa.Table:
        days = g.uniform(lo_d, hi_d, len(local))
        if pa.types.is_date(ctype):
            vals: list[Any] = [end.date() + timedelta(days=max(1, int(np.ceil(d)))) for d in days]
        else:
            vals = [end + timedelta(microseconds=int(d * 86_400_000_000)) for d in days]
        return replace_values(t, job.col, local, pa.array(vals, type=ctype))

    keys = rewrite_file(job, chosen, change)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys, after=schema.timeframe.end, offset_days=[lo_d, hi_d])
