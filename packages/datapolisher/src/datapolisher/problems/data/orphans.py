"""``orphans``: child rows whose foreign key matches no parent row.

Schema: the child's FK column becomes a ``lookup`` of the parent key and the foreign key is declared. Data: the
orphan rows are dropped (``drop_orphans``; a composite key compares the whole tuple, and a tuple with a NULL
part refers to nothing, so it stays), or their key set to NULL (``null_orphans``) when the hint asks for it and
the column is nullable. Rows lost by a parent cascade to its children (see ``PlanBuilder.cascade_orphans``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder
    from ...schema_fix import SchemaEditor

PROBLEM = "orphans"
FIXES = (fixes.DropOrphans, fixes.NullOrphans, fixes.FkLookup)
DEFECTS = ("orphan_fk",)
DEFECTS_ON_TABLE = True
PATHS = ("schema", "postprocess")


def edit_schema(ed: SchemaEditor, f: Finding) -> bool:
    refs = str(f.param("references", default=""))
    parent, _, pcol = refs.partition(".")
    if not pcol:
        parent = f.param("parent") or ""
        found = ed.node(parent)
        pcol = found[1].get("pk") or found[1].get("primary_key") or "" if found else ""
    col = ed.column(f.table, f.column)
    if col is None or not parent or not pcol:
        return False
    path, c = col
    target = {"lookup": {"from": f"{parent}.{pcol}"}}
    changed = False
    if c.get("generator") != target:
        ed.record(f, f"{path}.generator", c.get("generator"), target,
                  f"{f.table}.{c['name']} takes its value from {parent}.{pcol} (FK lookup)")
        c["generator"] = target
        changed = True
    fks = ed.raw.setdefault("constraints", {}).setdefault("foreign_keys", [])
    fk = {"from": f"{f.table}.{c['name']}", "to": f"{parent}.{pcol}"}
    if fk not in fks:
        fks.append(fk)
        ed.record(f, "$.constraints.foreign_keys", None, fk, f"declare the foreign key {fk['from']} → {fk['to']}")
        changed = True
    return changed


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    if f.param("columns") is not None:
        return _composite(b, f, t)
    edge = b.edge_for(f, t)
    if edge is None:
        return False
    nulls = isinstance(f.issue.fix, fixes.NullOrphans) and t.nullable.get(edge.column, False)
    b.fix(f, "null_orphans" if nulls else "drop_orphans", t.name,
          {"column": edge.column, "parent": edge.parent, "parent_column": edge.parent_column})
    return True


def _composite(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    columns = tuple(c.strip() for c in str(f.param("columns")).split(","))
    parent = f.param("parent")
    wanted = tuple(c.strip() for c in str(f.param("parent_columns", default="")).split(","))
    for e in b.model.composite_edges:
        if e.table == t.name and e.columns == columns and (parent is None or e.parent == parent) and (
                wanted == ("",) or e.parent_columns == wanted):
            b.drop_composite(e, b.why(f))
            return True
    return False
