"""``retention``: activity that never decays with the entity's age (no churn, no early drop-off).

Schema: a ``vintage_behavior`` retention curve (monthly, from 1.0 down to 0.27 over a year) on the parent
entity, applied to its fanout, from its creation column.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...schema_fix import SchemaEditor

PROBLEM = "retention"
FIXES = (fixes.RetentionCurve, fixes.ChurnCurve, fixes.RaiseEarlyActivity)
DEFECTS = ()
PATHS = ("schema",)
CURVE = [1.0, 0.7, 0.55, 0.45, 0.4, 0.36, 0.33, 0.31, 0.3, 0.29, 0.28, 0.27]


def edit_schema(ed: SchemaEditor, f: Finding) -> bool:
    found = ed.parent_of(f)
    if found is None:
        return False
    i, n = found
    created = ed.created_column(n)
    if created is None:
        return False
    before = copy.deepcopy(n.get("vintage_behavior"))
    vb = n.setdefault("vintage_behavior", {"created_at_column": created})
    curve = {"curve": list(CURVE), "time_unit": "month", "applies_to": "fanout"}
    if vb.get("age_based_multipliers", {}).get("retention") == curve:
        return False
    vb.setdefault("age_based_multipliers", {})["retention"] = curve
    ed.record(f, f"$.nodes[{i}].vintage_behavior", before, copy.deepcopy(vb),
              f"activity of {n.get('id')} decays over its life (retention curve from {created})")
    return True
