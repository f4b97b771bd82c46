"""``seasonality``: a weekday or hour pattern that misses the schema's target.

The schema's to fix: its ``datetime_series`` pattern. No automatic edit; the finding is listed under "not
addressed" in ``schema_changes.md``.
"""

from __future__ import annotations

from datagen_contracts import fixes

PROBLEM = "seasonality"
FIXES = (fixes.Seasonality,)
DEFECTS = ()
PATHS = ("schema",)
