"""``nullable``: nulls where the schema declares none, or a null rate unlike the declared one.

Schema: the injected ``nulls`` defect is removed; a nullable column's ``null_rate`` is set to the rate the
check expects. Data: the nulls are filled with the hinted default or the one given with ``--default``
(``fill_default``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder
    from ...schema_fix import SchemaEditor

PROBLEM = "nullable"
FIXES = (fixes.FillNulls, fixes.SetNullRate)
DRIFT_METRICS = ("null_rate",)
DEFECTS = ("nulls",)
PATHS = ("schema", "postprocess")


def edit_schema(ed: SchemaEditor, f: Finding) -> bool:
    col = ed.column(f.table, f.column)
    target = f.param("null_rate", "expected", default=f.issue.measure.threshold)
    if col is None or target is None or not col[1].get("nullable"):
        return False
    path, c = col
    before = c.get("null_rate")
    c["null_rate"] = float(target)
    ed.record(f, f"{path}.null_rate", before, float(target), f"{f.table}.{c['name']} produces {target} nulls")
    return True


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    value = b.defaults.get(f"{t.name}.{f.column}", f.param("default"))
    if f.column not in t.columns or value is None:
        return False
    b.fix(f, "fill_default", t.name, {"column": f.column, "value": value})
    return True
