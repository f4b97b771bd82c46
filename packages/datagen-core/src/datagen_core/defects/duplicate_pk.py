"""``duplicate_pk``: a row's primary key replaced by another row's key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import DefectError, Job, choose_rows, defect_count, make_record, not_null, rewrite_file

KIND = "duplicate_pk"
#: the whole row is the target: a column is optional
NEEDS_COLUMN = False


def default_column(facts: TableFacts, schema: dsl.Schema) -> str | None:
    """The column a target without one means: the primary key."""
    return facts.pk


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                  touched: set[int]) -> DefectRecord:
    pk = job.column or job.facts.pk
    if pk is None:
        raise DefectError(f"defects[{job.index}]: duplicate_pk needs a primary key on {job.table!r}")
    n = job.rows
    chosen = choose_rows(job, n, defect_count(job, n), touched, lambda v: not_null(v), [pk])
    arrow_schema = job.schema()
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

    keys = rewrite_file(job, chosen, None, append=copy)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys, column=pk, appended_rows=len(chosen), varied_column=varied,
                   note="a copy of each affected row with the same key (and another row's value in varied_column) "
                        "is appended; no existing key disappears, so no child becomes an orphan")
