"""``negative_amounts``: positive amounts made negative."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import Job, map_numeric

KIND = "negative_amounts"


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                      touched: set[int]) -> DefectRecord:
    def fn(v: np.ndarray, _g: np.random.Generator) -> np.ndarray:
        return -np.abs(v)

    return map_numeric(job, touched, fn, lambda v: v > 0, rule="value → −|value| (only positive values chosen)")
