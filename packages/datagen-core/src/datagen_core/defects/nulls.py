"""``nulls``: values of a column set to null."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import (
    Job,
    choose_rows,
    defect_count,
    make_record,
    not_null,
    replace_values,
    rewrite_file,
)

KIND = "nulls"


def _nullable_schema(s: pa.Schema, column: str) -> pa.Schema:
    i = s.get_field_index(column)
    return s.set(i, s.field(i).with_nullable(True))


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    assert job.column is not None
    n = job.rows
    chosen = choose_rows(job, n, defect_count(job, n), touched, not_null, [job.column])
    out_schema = _nullable_schema(job.schema(), job.column)
    col_type = out_schema.field(job.column).type

    def change(t: pa.Table, local: np.ndarray, _g: np.random.Generator) -> pa.Table:
        t = t.cast(out_schema) if t.schema != out_schema else t
        return replace_values(t, job.col, local, pa.nulls(len(local), type=col_type))

    keys = rewrite_file(job, chosen, change, schema=out_schema)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys)
