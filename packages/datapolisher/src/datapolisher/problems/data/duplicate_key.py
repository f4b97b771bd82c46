"""``duplicate_key``: a key (or a column declared unique) repeats.

Schema: the injected ``duplicate_pk`` defect is removed. Data: the first row of each key is kept, in file order
(``dedupe_key``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder

PROBLEM = "duplicate_key"
FIXES = (fixes.DedupeOnKey,)
DEFECTS = ("duplicate_pk",)
PATHS = ("schema", "postprocess")


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    key = f.param("key", "column") or t.pk
    if key not in t.columns:
        return False
    b.fix(f, "dedupe_key", t.name, {"key": key})
    return True
