"""What a schema's declared time patterns imply, before any data is read: bucket weights, the timeframe's
exposure per bucket, the weekend share a column's ``dow`` weights imply, and how ``time_jitter`` moves rows
between hours. Used by the behavioural checks and by ``datagen check``.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.dsl import parse_timestamp

from ..planning.means import column_window


def declared_weights(col: dsl.Column, dim: str) -> np.ndarray | None:
    """The product of a datetime column's declared pattern and seasonality weights for ``dim`` (None if none)."""
    w: np.ndarray | None = None
    patterns = col.generator.datetime_series.patterns() if col.generator.datetime_series is not None else []
    for pat in patterns:
        if pat.dimension == dim:
            w = np.asarray(pat.weights, dtype=np.float64) * (1.0 if w is None else w)
    for m in col.modifiers:
        if isinstance(m, dsl.SeasonalityModifier) and m.args.dimension == dim:
            w = np.asarray(m.args.weights, dtype=np.float64) * (1.0 if w is None else w)
    return w


def implied_weekend_share(schema: dsl.Schema, table: str, column: str) -> float | None:
    """The weekend share a column's declaration implies: dow weights × the hours per weekday of its window."""
    node = schema.node(table)
    col = node.column(column) if node is not None else None
    if col is None or col.type not in ("date", "datetime"):
        return None
    start, end = parse_timestamp(schema.timeframe.start), parse_timestamp(schema.timeframe.end)
    if start is None or end is None:
        return None
    window = column_window(col, (start, end))
    if window is None:
        return None
    w = declared_weights(col, "dow")
    e = (np.ones(7) if w is None else w) * exposure(window, "dow")
    return float((e[5] + e[6]) / e.sum()) if e.sum() > 0 else None


def exposure(timeframe: tuple[datetime, datetime], dim: str) -> np.ndarray:
    """Hours of the timeframe falling in each bucket (so a 10-month timeframe does not bias the months).

    >>> exposure((datetime(2024, 1, 1), datetime(2024, 1, 7, 23)), "dow").tolist()
    [24.0, 24.0, 24.0, 24.0, 24.0, 24.0, 24.0]
    """
    start = np.datetime64(timeframe[0].replace(minute=0, second=0, microsecond=0), "h")
    end = np.datetime64(timeframe[1], "h")
    hours = np.arange(start, end + 1, dtype="datetime64[h]")
    if len(hours) > 2_000_000:  # > 228 years: sample every 7th day-hour block evenly instead
        hours = hours[:: max(1, len(hours) // 2_000_000)]
    if dim == "hour":
        idx, size = hours.astype(np.int64) % 24, 24
    elif dim == "dow":
        idx, size = (hours.astype("datetime64[D]").astype(np.int64) + 3) % 7, 7  # 1970-01-01 was a Thursday
    else:
        idx, size = hours.astype("datetime64[M]").astype(np.int64) % 12, 12
    return np.bincount(idx, minlength=size).astype(np.float64)


_ALIGNED_FREQ = re.compile(r"^\d*\s*(h|H|D|d|W|w|M|MS|ME|Q|QS|Y|YS|A|AS)$")


def _phi(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def hour_jitter_kernel(col: dsl.Column, timeframe_freq: str | None = None) -> dict[int, float]:
    """How a column's ``time_jitter`` moves rows between hours: {hour offset: probability}.

    Values on a whole-hour grid (``freq`` of an hour or coarser) start at minute 0, so a jitter of σ minutes
    moves about half of them into the previous hour; values off the grid start uniformly within the hour.
    """
    sigma2 = 0.0
    for m in col.modifiers:
        if isinstance(m, dsl.TimeJitterModifier):
            sec = m.args.std_minutes * 60.0 if m.args.std_minutes is not None else float(m.args.std or 0.0)
            sigma2 += sec * sec
    if sigma2 <= 0:
        return {0: 1.0}
    sigma = math.sqrt(sigma2)
    gen = col.generator.datetime_series
    freq = (gen.freq if gen is not None else None) or timeframe_freq
    offsets = np.array([0.0]) if freq and _ALIGNED_FREQ.match(freq) else (np.arange(60) + 0.5) * 60.0
    reach = math.ceil(6 * sigma / 3600.0) + 1
    return {d: float((_phi(((d + 1) * 3600.0 - offsets) / sigma) - _phi((d * 3600.0 - offsets) / sigma)).mean())
            for d in range(-reach, reach + 1)}
