"""``whitespace``: text values with leading or trailing whitespace.

Schema: the injected ``whitespace`` defect is removed. Data: the values are trimmed (``trim_whitespace``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder

PROBLEM = "whitespace"
FIXES = (fixes.TrimWhitespace,)
DEFECTS = ("whitespace",)
PATHS = ("schema", "postprocess")


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    if f.column not in t.columns or t.columns[f.column].upper() != "VARCHAR":
        return False
    b.fix(f, "trim_whitespace", t.name, {"column": f.column})
    return True
