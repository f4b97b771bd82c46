"""``duplicate_rows``: whole rows written twice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import Job, choose_rows, defect_count, make_record, rewrite_file

KIND = "duplicate_rows"
#: the whole row is the target: a column is optional
NEEDS_COLUMN = False


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                    touched: set[int]) -> DefectRecord:
    n = job.rows
    chosen = choose_rows(job, n, defect_count(job, n), touched, None, [])

    def copy(t: pa.Table, local: np.ndarray, _g: np.random.Generator) -> pa.Table:
        return t.take(pa.array(local))

    keys = rewrite_file(job, chosen, None, append=copy)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys, appended_rows=len(chosen), note="exact copies appended after the last row")
