"""``float_ids``: integer ids written as floats (the column becomes a double)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import MAX_KEYS, DefectError, Job, make_record, rewrite_file

KIND = "float_ids"


def default_column(facts: TableFacts, schema: dsl.Schema) -> str | None:
    """The column a target without one means: the primary key."""
    return facts.pk


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    assert job.column is not None
    s = job.schema()
    old = s.field(job.column).type
    if not pa.types.is_integer(old):
        raise DefectError(f"defects[{job.index}]: float_ids needs an int column, {job.spec.target} is {old}")
    i = s.get_field_index(job.column)
    out_schema = s.set(i, s.field(i).with_type(pa.float64()))
    n = job.rows
    every = np.arange(n, dtype=np.int64) if n <= MAX_KEYS + 1 else np.arange(MAX_KEYS + 1, dtype=np.int64)
    keys = rewrite_file(job, every, lambda t, _local, _g: t.cast(out_schema), schema=out_schema)
    rec = make_record(job, n, every, keys, arrow_type={"from": str(old), "to": "double"},
                  note="the whole column changes type; every row is affected")
    rec.count = n
    rec.keys_truncated = n > MAX_KEYS
    rec.details.pop("requested", None)
    return rec
