"""``non_finite``: NaN or ±infinity among a column's numbers.

Data: those values are made NULL (``null_non_finite``), which is what a NaN written for a missing value meant and
what SQL's aggregates skip. No schema edit: generation never writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder

PROBLEM = "non_finite"
FIXES = (fixes.NullNonFinite,)
DEFECTS = ()
PATHS = ("postprocess",)


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    if f.column not in t.columns or not t.is_float(f.column):
        return False
    b.fix(f, "null_non_finite", t.name, {"column": f.column})
    return True
