"""``inverted_interval``: rows whose interval ends before it starts (a broken ``left <= right``).

Schema: a ``left <= right`` inequality constraint on the table, which generation then holds by construction.
Data: the two ends are swapped where start > end (``swap_interval``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder
    from ...schema_fix import SchemaEditor

PROBLEM = "inverted_interval"
FIXES = (fixes.Inequality,)
DEFECTS = ("inverted_interval",)
DEFECTS_ON_TABLE = True
PATHS = ("schema", "postprocess")


def _ends(f: Finding) -> tuple[str | None, str | None]:
    """The interval's two columns (a ``table.column`` reference of the finding's own table read as the column)."""
    def own(ref: object) -> str | None:
        if not isinstance(ref, str):
            return None
        table, dot, column = ref.partition(".")
        return column if dot and table == f.table else ref
    return own(f.param("left", default=f.column)), own(f.param("right"))


def edit_schema(ed: SchemaEditor, f: Finding) -> bool:
    left, right = _ends(f)
    if not (left and right and ed.column(f.table, left) and ed.column(f.table, right)):
        return False
    rule = {"left": f"{f.table}.{left}", "op": "<=", "right": f"{f.table}.{right}"}
    ineq = ed.raw.setdefault("constraints", {}).setdefault("inequalities", [])
    if rule in ineq:
        return False
    ineq.append(rule)
    ed.record(f, "$.constraints.inequalities", None, rule, f"{f.table}.{left} <= {f.table}.{right} by construction")
    return True


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    start, end = _ends(f)
    if end is None:  # the table's other time column named like an end
        times = [c for c in t.columns if t.is_time(c) and c != start]
        end = next((c for c in times if re.search(r"end|finish|close|stop|until|to\b", c, re.I)), None)
    if start not in t.columns or end not in t.columns:
        return False
    b.fix(f, "swap_interval", t.name, {"start": start, "end": end})
    return True
