"""``segments``: every segment of an entity behaves the same.

Schema: a ``segment_behavior`` on the parent (or the table) over its first choice column (or the hinted one),
with fanout and value multipliers spread from 0.5 to 2.0 across the segments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...schema_fix import SchemaEditor

PROBLEM = "segments"
FIXES = (fixes.SegmentBehavior,)
DEFECTS = ()
PATHS = ("schema",)


def edit_schema(ed: SchemaEditor, f: Finding) -> bool:
    found = ed.parent_of(f) or ed.node(f.table)
    if found is None:
        return False
    i, n = found
    seg_col = f.param("segment")
    choices: list[Any] = []
    for c in n.get("columns", []):
        gen = c.get("generator", {}).get("choice", {})
        if gen.get("choices") and (seg_col is None or c["name"] == seg_col):
            seg_col, choices = c["name"], list(gen["choices"])
            break
    if not choices or n.get("segment_behavior"):
        return False
    spread = [round(0.5 + 1.5 * k / max(1, len(choices) - 1), 2) for k in range(len(choices))]
    sb = {"segment_column": seg_col, "behaviors": {
        str(v): {"fanout_multiplier": m, "value_multiplier": m} for v, m in zip(choices, spread, strict=True)}}
    n["segment_behavior"] = sb
    ed.record(f, f"$.nodes[{i}].segment_behavior", None, sb, f"segments of {n.get('id')}.{seg_col} behave differently")
    return True
