"""``outliers``: numeric values multiplied far outside their distribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import DefectError, Job, map_numeric

KIND = "outliers"


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    factor = float(job.spec.params.get("factor", 10.0))
    mode = str(job.spec.params.get("mode", "spike"))
    if factor <= 1:
        raise DefectError(f"defects[{job.index}]: outliers factor must be > 1, got {factor}")

    def fn(v: np.ndarray, _g: np.random.Generator) -> np.ndarray:
        return v * factor if mode == "spike" else v / factor

    # a zero stays zero when multiplied, and an int may round back: only rows that really change are chosen
    def eligible(v: np.ndarray) -> np.ndarray:
        return np.abs(fn(v, np.random.default_rng(0)) - v) >= 1.0

    return map_numeric(job, touched, fn, eligible, factor=factor, mode=mode)
