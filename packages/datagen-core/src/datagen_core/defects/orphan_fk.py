"""``orphan_fk``: foreign keys changed to values no parent row has (above the parent's largest key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import (
    DefectError,
    Job,
    choose_rows,
    defect_count,
    groups,
    make_record,
    replace_values,
    rewrite_file,
)

# --------------------------------------------------------------------------------------------- the kinds

KIND = "orphan_fk"


def default_column(facts: TableFacts, schema: dsl.Schema) -> str | None:
    """The column a target without one means: the first foreign key."""
    return facts.foreign_keys[0][0] if facts.foreign_keys else None


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
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
    n = job.rows
    chosen = choose_rows(job, n, defect_count(job, n), touched, None, [])
    parent_files = [root / f for f in tables[parent].all_files]
    ptype = pq.read_schema(parent_files[0]).field(parent_col).type
    k = len(chosen)
    if pa.types.is_integer(ptype) or pa.types.is_floating(ptype):
        top = _column_max(parent_files, parent_col)
        first = int(np.floor(top)) + 1 if top is not None else 1
        new_keys = pa.array(np.arange(first, first + k), type=pa.int64())
        key_range: list[Any] = [first, first + k - 1] if k else []
    else:
        prefix = f"__orphan_{job.index}_"
        new_keys = pa.array([f"{prefix}{j}" for j in range(k)], type=pa.string())
        key_range = [f"{prefix}0", f"{prefix}{k - 1}"] if k else []
        if _any_in(parent_files, parent_col, new_keys):
            raise DefectError(f"defects[{job.index}]: could not find orphan keys absent from {parent}.{parent_col}")
    ctype = job.schema().field(job.column).type

    # keys are assigned in row order: the j-th affected row (by row number) gets the j-th orphan key
    state = {"next": 0}

    def assign(t: pa.Table, local: np.ndarray, _rng: np.random.Generator) -> pa.Table:
        j = state["next"]
        state["next"] += len(local)
        values = new_keys.slice(j, len(local)).cast(ctype, safe=False)
        return replace_values(t, job.col, local, values)

    keys = rewrite_file(job, chosen, assign)
    touched.update(int(r) for r in chosen)
    return make_record(job, n, chosen, keys, parent=f"{parent}.{parent_col}", key_range=key_range,
                   absent_from_parent=True)


def _column_max(paths: list[Path], column: str) -> float | None:
    top = None
    for g in groups(paths):
        m = pc.max(pq.ParquetFile(g.path).read_row_group(g.index, columns=[column]).column(0)).as_py()
        if m is not None:
            top = m if top is None else max(top, m)
    return top


def _any_in(paths: list[Path], column: str, values: pa.Array) -> bool:
    for g in groups(paths):
        col = pq.ParquetFile(g.path).read_row_group(g.index, columns=[column]).column(0).cast(pa.string())
        if pc.any(pc.is_in(col, value_set=values)).as_py():
            return True
    return False
