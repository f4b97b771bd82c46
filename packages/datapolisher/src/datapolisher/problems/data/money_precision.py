"""``money_precision``: amounts carry more decimals than their currency has.

Data: the amounts are rounded half away from zero (``round_money``). No schema edit: generation already writes
whole cents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder

PROBLEM = "money_precision"
FIXES = (fixes.Round,)
DEFECTS = ()
PATHS = ("postprocess",)


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    if f.column not in t.columns or not t.is_float(f.column):
        return False
    b.fix(f, "round_money", t.name, {"column": f.column, "decimals": int(f.param("decimals", default=2))})
    return True
