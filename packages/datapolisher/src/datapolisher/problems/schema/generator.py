"""``generator``: a constant or near-constant column.

The schema's to fix: its generator should vary. No automatic edit (which values would be right is the
author's call); the finding is listed under "not addressed" in ``schema_changes.md``.
"""

from __future__ import annotations

from datagen_contracts import fixes

PROBLEM = "generator"
FIXES = (fixes.VaryColumn,)
DEFECTS = ()
PATHS = ("schema",)
