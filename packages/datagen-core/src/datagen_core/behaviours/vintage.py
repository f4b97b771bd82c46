"""Vintage behaviour: activity that decays (or grows) over an entity's life.

A child of a vintage parent gets ``λ × mean(curve over the parent's observable life)`` children (the same
expectation ``datagen plan`` uses), and its event times are drawn with density ∝ curve(age) × the column's
hour/day/month patterns over that life, so activity per entity really decays with age — a retention curve, not
just fewer events for old entities — while keeping its daily and weekly rhythm. A segment ``decay_rate`` d adds
a factor ``exp(-d · age in months)`` to the same curve (per parent, by its segment).

>>> import numpy as np
>>> from datagen_contracts.dsl import AgeMultiplier
>>> m = AgeMultiplier(curve=[1.0, 0.5], time_unit="day")
>>> curve_at(m, np.array([0.2, 1.5, 9.0])).tolist()
[1.0, 0.5, 0.5]
"""

from __future__ import annotations

import numpy as np

from datagen_contracts import dsl

from ..timestamps import UNIT_US, SlotSampler

_GRID = 64  # points per life when integrating a curve
_BINS = 32  # bins per life when drawing a time from a curve


def curve_value(curve: list[float] | dsl.CurveFn, age: np.ndarray) -> np.ndarray:
    """A vintage curve at ``age`` (in the curve's time unit): list bins (the last bin holds) or a function."""
    if isinstance(curve, list):
        idx = np.clip(np.floor(age).astype(np.int64), 0, len(curve) - 1)
        return np.asarray(curve, dtype=np.float64)[idx]
    a, b = curve.params.a, curve.params.b
    if curve.curve_type == "exponential":
        out = a * np.exp(np.clip(b * age, -700, 700))
    elif curve.curve_type == "linear":
        out = a + b * age
    else:
        out = 1.0 + a * np.log1p(np.maximum(b * age, -0.999999))
    return np.maximum(out, 0.0)


def curve_at(mult: dsl.AgeMultiplier, age_units: np.ndarray) -> np.ndarray:
    """The multiplier at ``age_units`` (ages in the curve's time unit)."""
    return curve_value(mult.curve, age_units)


def targets(mult: dsl.AgeMultiplier) -> list[str]:
    return [mult.applies_to] if isinstance(mult.applies_to, str) else list(mult.applies_to)


def fanout_curves(vb: dsl.VintageBehavior | None) -> list[dsl.AgeMultiplier]:
    if vb is None:
        return []
    return [m for m in vb.age_based_multipliers.values() if {"fanout", "all"} & set(targets(m))]


def column_curves(vb: dsl.VintageBehavior | None, column: str) -> list[dsl.AgeMultiplier]:
    if vb is None:
        return []
    return [m for m in vb.age_based_multipliers.values() if column in targets(m) or "all" in targets(m)]


def _combined(curves: list[dsl.AgeMultiplier], age_us: np.ndarray, decay: np.ndarray | None = None) -> np.ndarray:
    """The product of the curves at each age, times ``exp(-decay · age in months)`` per row (segment decay)."""
    out = np.ones(age_us.shape)
    for m in curves:
        out = out * curve_at(m, age_us / UNIT_US[m.time_unit])
    if decay is not None:
        out = out * np.exp(-np.asarray(decay, dtype=np.float64)[:, None] * (age_us / UNIT_US["month"]))
    return out


def life_mean(curves: list[dsl.AgeMultiplier], life_us: np.ndarray, decay: np.ndarray | None = None) -> np.ndarray:
    """Mean of the combined fanout curve (and segment decay) over each parent's life [0, life] (midpoint rule)."""
    frac = (np.arange(_GRID) + 0.5) / _GRID
    ages = np.maximum(life_us, 0)[:, None] * frac[None, :]
    return _combined(curves, ages, decay).mean(axis=1)


def sample_times(curves: list[dsl.AgeMultiplier], decay: np.ndarray | None, sampler: SlotSampler,
                 rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One time per row in [lo, hi] with density ∝ curve(age) × the sampler's slot weights (hour/dow/month
    patterns): the life is cut into ``_BINS`` bins weighted by the curve at their middle times their pattern
    mass, a bin is drawn, then a time inside it from the sampler. Ages count from ``lo``.

    >>> from datagen_core.timestamps import DAY, HOUR
    >>> from datagen_contracts.dsl import AgeMultiplier
    >>> s = SlotSampler(0, 100 * DAY, [("hour", [0.0] * 9 + [1.0] + [0.0] * 14)])
    >>> m = AgeMultiplier(curve=[1.0, 0.0], time_unit="month")
    >>> t = sample_times([m], None, s, np.random.default_rng(0), np.zeros(500, np.int64), np.full(500, 100 * DAY))
    >>> bool((t < 31 * DAY).all()), set(((t // HOUR) % 24).tolist())
    (True, {9})
    """
    n = len(lo)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    frac = np.linspace(0.0, 1.0, _BINS + 1)
    span = np.maximum(hi - lo, 0)
    edges = lo[:, None] + (span[:, None] * frac[None, :]).astype(np.int64)
    edges[:, -1] = hi + 1
    mass = np.diff(sampler.cdf_at(edges.ravel()).reshape(n, _BINS + 1), axis=1)
    mids = (edges[:, :-1] + edges[:, 1:]) / 2 - lo[:, None]
    w = _combined(curves, mids, decay) * np.maximum(mass, 0.0)
    total = w.sum(axis=1)
    w = np.where(total[:, None] > 0, w, 1.0)
    cdf = np.cumsum(w, axis=1)
    u = rng.random(n) * cdf[:, -1]
    k = np.minimum((cdf <= u[:, None]).sum(axis=1), _BINS - 1)
    rows = np.arange(n)
    return sampler.sample(rng, edges[rows, k], np.maximum(edges[rows, k + 1] - 1, edges[rows, k]))
