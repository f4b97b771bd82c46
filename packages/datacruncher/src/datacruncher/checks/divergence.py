"""Distances between distributions, for drift: categorical shares and numeric quantile sketches.

Categoricals (``{value: share}``): total variation distance, PSI, Jensen–Shannon distance (base 2, in [0, 1]),
and a chi-square goodness-of-fit p-value (Wilson–Hilferty approximation) that says whether a difference is more
than sampling noise. Numerics, from two lists of equally spaced quantiles (0, 5, …, 100th percentile): the
normalized Wasserstein-1 distance (mean absolute quantile difference over the reference IQR) and the
Kolmogorov–Smirnov statistic (largest gap between the two CDFs, interpolated between quantiles).

>>> round(tvd({"a": 0.5, "b": 0.5}, {"a": 0.7, "b": 0.3}), 3), round(jensen_shannon({"a": 1.0}, {"b": 1.0}), 3)
(0.2, 1.0)
>>> q = [float(i) for i in range(21)]
>>> ks_statistic(q, q), round(ks_statistic(q, [x + 10 for x in q]), 3)
(0.0, 0.5)
"""

from __future__ import annotations

import bisect
import math

_EPS = 1e-4


def tvd(a: dict[str, float], b: dict[str, float]) -> float:
    return 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in set(a) | set(b))


def psi(a: dict[str, float], b: dict[str, float]) -> float:
    """Population stability index; shares are floored at 1e-4 so a new or vanished category stays finite."""
    total = 0.0
    for k in set(a) | set(b):
        x, y = max(a.get(k, 0.0), _EPS), max(b.get(k, 0.0), _EPS)
        total += (x - y) * math.log(x / y)
    return total


def jensen_shannon(a: dict[str, float], b: dict[str, float]) -> float:
    """Jensen–Shannon *distance* (square root of the divergence in bits, as scipy and Evidently report it):
    0 for equal mixes, 1 for disjoint ones."""
    total = 0.0
    for k in set(a) | set(b):
        x, y = a.get(k, 0.0), b.get(k, 0.0)
        m = (x + y) / 2
        if x > 0:
            total += 0.5 * x * math.log2(x / m)
        if y > 0:
            total += 0.5 * y * math.log2(y / m)
    return math.sqrt(max(0.0, total))


def chi2_pvalue(counts: dict[str, int], expected: dict[str, float]) -> float:
    """P-value of observed ``counts`` under ``expected`` shares (chi-square, Wilson–Hilferty approximation).

    >>> chi2_pvalue({"a": 50, "b": 50}, {"a": 0.5, "b": 0.5}) > 0.9, chi2_pvalue({"a": 90, "b": 10}, {"a": 0.5, "b": 0.5}) < 1e-6
    (True, True)
    """
    n = sum(counts.values())
    keys = set(counts) | set(expected)
    if n == 0 or len(keys) < 2:
        return 1.0
    stat = 0.0
    for k in keys:
        e = max(expected.get(k, 0.0), _EPS) * n
        stat += (counts.get(k, 0) - e) ** 2 / e
    dof = len(keys) - 1
    z = ((stat / dof) ** (1 / 3) - (1 - 2 / (9 * dof))) / math.sqrt(2 / (9 * dof))
    return 0.5 * math.erfc(z / math.sqrt(2))


def wasserstein(now: list[float], then: list[float]) -> float:
    """Mean absolute quantile difference over the reference's IQR (then its range, then 1)."""
    n = len(then)
    iqr = (then[3 * n // 4] - then[n // 4]) or (then[-1] - then[0]) or 1.0
    return sum(abs(x - y) for x, y in zip(now, then, strict=True)) / n / abs(iqr)


def _cdf(q: list[float], x: float) -> float:
    """The CDF at ``x`` of the distribution whose equally spaced quantiles are ``q`` (linear in between)."""
    if x < q[0]:
        return 0.0
    if x >= q[-1]:
        return 1.0
    step = 1.0 / (len(q) - 1)
    i = bisect.bisect_right(q, x) - 1  # q[i] <= x < q[i + 1]
    lo, hi = q[i], q[i + 1]
    return step * (i + (x - lo) / (hi - lo) if hi > lo else i + 1)


def ks_statistic(now: list[float], then: list[float]) -> float:
    """Kolmogorov–Smirnov D between two quantile sketches, evaluated at every quantile of both."""
    return max(abs(_cdf(now, x) - _cdf(then, x)) for x in (*now, *then))


def ks_critical(n: int, m: int, alpha: float = 0.001) -> float:
    """The two-sample KS critical value at ``alpha`` for sample sizes ``n`` and ``m``."""
    return math.sqrt(-math.log(alpha / 2) / 2) * math.sqrt((n + m) / (n * m))


