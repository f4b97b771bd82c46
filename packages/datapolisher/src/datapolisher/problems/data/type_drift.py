"""``type_drift``: a column stored in the wrong type (whole-number ids written as floats).

Schema: the injected ``float_ids`` defect is removed. Data: the column is cast (``cast``) to the hinted type, or
to BIGINT for a float column; numbers written for people (``$1,234.56``, ``57%``: ``parse: formatted``) lose their
currency symbol, separators and percent sign first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder

PROBLEM = "type_drift"
FIXES = (fixes.Cast,)
DEFECTS = ("float_ids",)
PATHS = ("schema", "postprocess")
#: the types a cast may target
CAST_TYPES = ("BIGINT", "DOUBLE", "TIMESTAMP")


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    target = str(f.param("type", default="BIGINT" if t.is_float(f.column or "") else "")).upper()
    if f.column not in t.columns or target not in CAST_TYPES:
        return False
    formatted = {"parse": "formatted"} if f.param("parse", default=None) == "formatted" and target == "DOUBLE" else {}
    b.fix(f, "cast", t.name, {"column": f.column, "type": target, "from": t.columns[f.column], **formatted})
    return True
