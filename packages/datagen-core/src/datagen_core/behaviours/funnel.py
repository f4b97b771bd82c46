"""``stage_config``: a funnel — one row per stage reached, stage times strictly increasing inside the window.

Every parent reaches stage 0 (shortly after its creation); stage k follows stage k-1 with probability
``min(1, transition_rate × segment multiplier)`` after a gap averaging ``time_between_stages_hours`` (24 h when
not given). A stage whose time would fall after the window's end is not reached: the funnel is cut there.

>>> import numpy as np
>>> from datagen_contracts.dsl import StageConfig, Stage
>>> sc = StageConfig(stages=[Stage(stage_name="a", transition_rate=1.0), Stage(stage_name="b", transition_rate=1.0)])
>>> p, k, t = run_funnel(sc, np.random.default_rng(0), np.zeros(3, np.int64), np.full(3, 10**15), np.ones(3))
>>> p.tolist(), k.tolist(), bool((t[1::2] > t[::2]).all())
([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1], True)
"""

from __future__ import annotations

import numpy as np

from datagen_contracts import dsl

from ..timestamps import HOUR


def gaps_hours(sc: dsl.StageConfig) -> list[float]:
    """Mean gap (hours) before each stage; stage 0's gap is measured from the parent's creation."""
    n = len(sc.stages)
    g = sc.time_between_stages_hours
    if g is None:
        return [2.0] + [24.0] * (n - 1)
    if isinstance(g, int | float):
        return [min(float(g), 2.0)] + [float(g)] * (n - 1)
    if len(g) == n:
        return [float(x) for x in g]
    if len(g) == n - 1:
        return [2.0] + [float(x) for x in g]
    return [2.0] + [24.0] * (n - 1)


def run_funnel(
    sc: dsl.StageConfig, rng: np.random.Generator, lower: np.ndarray, upper: np.ndarray, multiplier: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parent index, stage index, time µs) per row, ordered by parent then stage."""
    n, k = len(lower), len(sc.stages)
    gaps = gaps_hours(sc)
    reached = np.zeros((n, k), dtype=bool)
    times = np.zeros((n, k), dtype=np.int64)
    alive = lower <= upper
    t = lower.astype(np.int64)
    for i, stage in enumerate(sc.stages):
        if i > 0:
            p = np.minimum(1.0, stage.transition_rate * multiplier)
            alive &= rng.random(n) < p
        gap = np.maximum((rng.exponential(gaps[i], n) * HOUR).astype(np.int64), 1_000_000)
        t = t + gap
        alive &= t <= upper
        reached[:, i] = alive
        times[:, i] = t
    parent, stage_idx = np.nonzero(reached)
    return parent.astype(np.int64), stage_idx.astype(np.int64), times[parent, stage_idx]
