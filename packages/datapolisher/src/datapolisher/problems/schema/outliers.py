"""``outliers``: values far outside the column's distribution.

Schema: the injected ``outliers`` defect is removed.
"""

from __future__ import annotations

from datagen_contracts import fixes

PROBLEM = "outliers"
FIXES = (fixes.ClampOutliers,)
DEFECTS = ("outliers",)
PATHS = ("schema",)
