"""``fanout``: children per parent unlike the schema's fanout, or too even to look like real usage.

Schema: the fanout's mean is scaled by expected / measured (``lambda``, or ``min``/``max`` of a uniform); for a
``heavy_tailed_fanout`` hint it becomes negative binomial with dispersion 0.5 and the same mean, so the top
tenth of parents make about half the children, as real usage does.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from datagen_contracts import fixes

if TYPE_CHECKING:
    from ...issues import Finding
    from ...schema_fix import SchemaEditor

PROBLEM = "fanout"
FIXES = (fixes.HeavyTailedFanout,)
DRIFT_METRICS = ("fanout_mean",)
DEFECTS = ()
PATHS = ("schema",)


def edit_schema(ed: SchemaEditor, f: Finding) -> bool:
    if isinstance(f.issue.fix, fixes.HeavyTailedFanout):
        return _heavy_tail(ed, f)
    found = ed.node(f.table)
    measured = f.issue.measure.value
    expected = f.param("expected", default=f.issue.measure.threshold)
    if found is None or not measured or not isinstance(expected, int | float) or not expected:
        return False
    i, n = found
    before = copy.deepcopy(n.get("fanout"))
    fan = n.setdefault("fanout", {"distribution": "poisson", "lambda": float(measured)})
    ratio = float(expected) / float(measured)
    if fan.get("distribution", "poisson") == "uniform":
        fan["min"] = max(0, round(int(fan.get("min", 1)) * ratio))
        fan["max"] = max(fan["min"] + 1, round(int(fan.get("max", 2)) * ratio))
    else:
        key = "lambda" if "lambda" in fan or "lam" not in fan else "lam"
        fan[key] = round(float(fan.get(key, measured)) * ratio, 4)
    ed.record(f, f"$.nodes[{i}].fanout", before, copy.deepcopy(fan),
              f"fanout of {f.table} scaled by expected/measured mean {expected}/{measured:.4g}")
    return True


def _heavy_tail(ed: SchemaEditor, f: Finding) -> bool:
    found = ed.node(f.table)
    if found is None or "fanout" not in found[1]:
        return False
    i, n = found
    before = copy.deepcopy(n["fanout"])
    fan = n["fanout"]
    if fan.get("distribution") == "uniform":
        fan["lambda"] = (float(fan.get("min", 0)) + float(fan.get("max", fan.get("min", 0)))) / 2
        fan.pop("min", None), fan.pop("max", None)
    fan["distribution"], fan["dispersion"] = "negative_binomial", 0.5
    ed.record(f, f"$.nodes[{i}].fanout", before, copy.deepcopy(fan),
              f"fanout of {f.table} made heavy-tailed (negative binomial, dispersion 0.5), same mean")
    return True
