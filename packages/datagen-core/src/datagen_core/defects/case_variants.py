"""``case_variants``: strings in upper, lower, swapped or title case."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import Job, map_strings

KIND = "case_variants"


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                   touched: set[int]) -> DefectRecord:
    def variant(v: str, g: np.random.Generator) -> str:
        options = [x for x in dict.fromkeys([v.upper(), v.lower(), v.swapcase(), v.title()]) if x != v]
        return options[int(g.integers(0, len(options)))] if options else v

    return map_strings(job, touched, variant, rule="upper/lower/swapped/title case (values without letters skipped)")
