"""``weights``: category shares unlike the schema's weights, or dominated by one value.

The schema's to fix: its choice weights. No automatic edit (the intended mix is the author's call); the
finding is listed under "not addressed" in ``schema_changes.md``.
"""

from __future__ import annotations

from datagen_contracts import fixes

PROBLEM = "weights"
FIXES = (fixes.ChoiceWeights,)
DRIFT_METRICS = ("choice_weights",)
DEFECTS = ()
PATHS = ("schema",)
