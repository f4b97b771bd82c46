"""``negative_amounts``: amounts below their floor (negative prices, quantities).

Schema: the injected ``negative_amounts`` defect is removed. Data: values below the hinted minimum (0 unless
given) are raised to it (``clamp_min``); an integer column stays integer.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder

PROBLEM = "negative_amounts"
FIXES = (fixes.Clamp,)
DEFECTS = ("negative_amounts",)
PATHS = ("schema", "postprocess")


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    if f.column not in t.columns or (not t.is_float(f.column) and "INT" not in t.columns[f.column].upper()):
        return False
    low = float(f.param("min", default=0))
    # an integer column stays integer (a 0.0 literal would make DuckDB write DECIMAL and Polars Float64)
    b.fix(f, "clamp_min", t.name, {"column": f.column, "min": low if t.is_float(f.column) else math.ceil(low)})
    return True
