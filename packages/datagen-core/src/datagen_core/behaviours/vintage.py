"""Vintage behaviour: activity that decays (or grows) over an entity's life.

A child of a vintage parent gets ``λ × mean(curve over the parent's observable life)`` children (the same
expectation ``datagen plan`` uses), and its event times are drawn with density ∝ curve(age) over that life, so
activity per entity really decays with age — a retention curve, not just fewer events for old entities.

>>> import numpy as np
>>> from datagen_contracts.dsl import AgeMultiplier
>>> m = AgeMultiplier(curve=[1.0, 0.5], time_unit="day")
>>> curve_at(m, np.array([0.2, 1.5, 9.0])).tolist()
[1.0, 0.5, 0.5]
"""

from __future__ import annotations

import numpy as np

from datagen_contracts import dsl

from ..timestamps import UNIT_US

_GRID = 64  # points per life when integrating a curve


def curve_at(mult: dsl.AgeMultiplier, age_units: np.ndarray) -> np.ndarray:
    """The multiplier at ``age_units`` (ages in the curve's time unit)."""
    curve = mult.curve
    if isinstance(curve, list):
        idx = np.clip(np.floor(age_units).astype(np.int64), 0, len(curve) - 1)
        return np.asarray(curve, dtype=np.float64)[idx]
    a, b = curve.params.a, curve.params.b
    if curve.curve_type == "exponential":
        out = a * np.exp(np.clip(b * age_units, -700, 700))
    elif curve.curve_type == "linear":
        out = a + b * age_units
    else:
        out = 1.0 + a * np.log1p(np.maximum(b * age_units, -0.999999))
    return np.maximum(out, 0.0)


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


def _combined(curves: list[dsl.AgeMultiplier], age_us: np.ndarray) -> np.ndarray:
    out = np.ones(age_us.shape)
    for m in curves:
        out = out * curve_at(m, age_us / UNIT_US[m.time_unit])
    return out


def life_mean(curves: list[dsl.AgeMultiplier], life_us: np.ndarray) -> np.ndarray:
    """Mean of the combined fanout curve over each parent's life [0, life] (midpoint rule)."""
    frac = (np.arange(_GRID) + 0.5) / _GRID
    ages = np.maximum(life_us, 0)[:, None] * frac[None, :]
    return _combined(curves, ages).mean(axis=1)


def sample_ages(curves: list[dsl.AgeMultiplier], rng: np.random.Generator, life_us: np.ndarray) -> np.ndarray:
    """One age per row in [0, life] with density ∝ the combined curve (inverse CDF on a per-row grid)."""
    n = len(life_us)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    edges = np.linspace(0.0, 1.0, _GRID + 1)
    mids = (edges[:-1] + edges[1:]) / 2
    life = np.maximum(life_us, 0).astype(np.float64)
    w = _combined(curves, life[:, None] * mids[None, :]) + 1e-12
    cdf = np.cumsum(w, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(n)
    k = np.minimum((cdf < u[:, None]).sum(axis=1), _GRID - 1)
    prev = np.where(k > 0, cdf[np.arange(n), np.maximum(k - 1, 0)], 0.0)
    span = cdf[np.arange(n), k] - prev
    frac = np.where(span > 0, (u - prev) / np.where(span > 0, span, 1), 0.5)
    pos = (k + frac) / _GRID
    return (pos * life).astype(np.int64)
