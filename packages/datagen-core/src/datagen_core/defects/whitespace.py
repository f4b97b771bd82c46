"""``whitespace``: strings padded with leading or trailing spaces."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import Job, map_strings

KIND = "whitespace"


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path, touched: set[int]) -> DefectRecord:
    def variant(v: str, g: np.random.Generator) -> str:
        return [" " + v, v + " ", v + "  ", "\t" + v][int(g.integers(0, 4))]

    return map_strings(job, touched, variant, rule="leading/trailing spaces or a tab added")
