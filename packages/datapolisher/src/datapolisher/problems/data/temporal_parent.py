"""``temporal_parent``: child rows dated before their parent's creation (or touchpoints after their conversion).

Schema: the child's time column follows the primary parent's creation (``after_parent: true``). Data: the time
is moved to the parent's creation time (``clamp_to_parent_time``), and an interval's end that starts there moves
by the same amount.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder
    from ...schema_fix import SchemaEditor

PROBLEM = "temporal_parent"
FIXES = (fixes.ParentTimeOrder, fixes.AttributionChain, fixes.TouchBeforeConversion)
DEFECTS = ("temporal_violation",)
DEFECTS_ON_TABLE = True
PATHS = ("schema", "postprocess")


def edit_schema(ed: SchemaEditor, f: Finding) -> bool:
    col = ed.column(f.table, f.column)
    if col is None:
        return False
    path, c = col
    if c.get("after_parent", True) is True:
        return False  # already follows the parent's creation: the injected defect was the cause
    before = c.get("after_parent")
    c["after_parent"] = True
    ed.record(f, f"{path}.after_parent", before, True, f"{f.table}.{c['name']} is drawn at or after its parent's creation time")
    return True


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    edge = b.edge_for(f, t)
    column = f.column if f.column in t.columns and t.is_time(f.column) else t.created_at
    if edge is None or column is None:
        return False
    parent = b.model.tables[edge.parent]
    hinted = f.param("parent_column")  # the parent's time column the hint compared with
    ptime = hinted if hinted in parent.columns and parent.is_time(hinted) else parent.created_at
    if ptime not in parent.columns or not parent.is_time(ptime):
        return False
    b.fix(f, "clamp_to_parent_time", t.name, {"column": column, "type": t.columns[column], "fk": edge.column,
                                              "parent": edge.parent, "parent_column": edge.parent_column,
                                              "parent_time": ptime})
    return True
