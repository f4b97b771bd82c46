"""``future_dates``: dates after the data's end (or before its start).

Schema: the injected ``future_dates`` defect is removed; a generated column already stays in its window.
"""

from __future__ import annotations

from datagen_contracts import fixes

PROBLEM = "future_dates"
FIXES = (fixes.WithinTimeframe,)
DEFECTS = ("future_dates",)
PATHS = ("schema",)
