"""``duplicate_rows``: whole rows repeat.

Schema: the injected ``duplicate_rows`` defect is removed. Data: the first of each group of identical rows is
kept (``dedupe_rows``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder

PROBLEM = "duplicate_rows"
FIXES = (fixes.DedupeRows,)
DEFECTS = ("duplicate_rows",)
PATHS = ("schema", "postprocess")


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    b.fix(f, "dedupe_rows", t.name, {})
    return True
