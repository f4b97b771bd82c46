"""Rows of a behaviour (funnel stages, state transitions) come ordered by parent, then time: per-parent running
maxima keep their times increasing when some of them must move.

>>> import numpy as np
>>> cummax_per_parent(np.array([5, 1, 7, 2, 3]), np.array([0, 0, 0, 1, 1])).tolist()
[5, 5, 7, 2, 3]
"""

from __future__ import annotations

import numpy as np


def cummax_per_parent(values: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """The running maximum of ``values`` within each run of equal ``parent`` (rows sorted by parent): each run is
    lifted above the previous ones' range, so one ``maximum.accumulate`` serves all of them."""
    values = np.asarray(values, dtype=np.int64)
    if len(values) == 0:
        return values
    group = np.cumsum(np.r_[True, parent[1:] != parent[:-1]]) - 1
    base = values.min()
    span = int(values.max() - base) + 1
    if span * (int(group[-1]) + 1) >= 2**62:  # a range too wide to stack the runs: per run (never in practice)
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        return np.concatenate([np.maximum.accumulate(part) for part in np.split(values, starts[1:])])
    return np.maximum.accumulate(values - base + group * span) - group * span + base
