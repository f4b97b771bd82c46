"""Time as int64 microseconds since the epoch (tz-naive UTC), and samplers over hour slots.

Every datetime column is sampled by inverse CDF over the hour slots of its window, the slots weighted by the
column's patterns (hour of day, day of week, month) and effect windows; a lower bound per row (the parent's
creation time) restricts each draw to the part of the window after it, so children never precede parents.

>>> to_us("2024-01-01T00:00:00Z") == 1704067200 * 1_000_000
True
"""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np

from datagen_contracts.dsl import parse_timestamp

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
UNIT_US = {"day": DAY, "week": 7 * DAY, "month": int(30.4375 * DAY), "year": int(365.25 * DAY)}
_FREQ = re.compile(r"^(\d*)\s*(ms|us|s|S|sec|min|T|h|H|D|d|W|w|M|MS|ME|Q|QS|Y|YS|A|AS)$")


def to_us(text: str | datetime) -> int:
    """ISO-8601 text (or a naive UTC datetime) → microseconds since the epoch."""
    value = parse_timestamp(text) if isinstance(text, str) else text
    if value is None:
        raise ValueError(f"not an ISO-8601 timestamp: {text!r}")
    return int(np.datetime64(value, "us").astype(np.int64))


def freq_step(freq: str | None) -> tuple[str, int] | None:
    """``"H"`` → ("fixed", 3600e6); ``"M"`` → ("month", 1); ``None`` → None (continuous time)."""
    if not freq:
        return None
    m = _FREQ.match(freq.strip())
    if m is None:
        return None
    n = int(m.group(1) or 1)
    unit = m.group(2)
    fixed = {"ms": 1000, "us": 1, "s": US, "S": US, "sec": US, "min": 60 * US, "T": 60 * US, "h": HOUR, "H": HOUR,
             "D": DAY, "d": DAY, "W": 7 * DAY, "w": 7 * DAY}
    if unit in fixed:
        return ("fixed", n * fixed[unit])
    if unit in ("Q", "QS"):
        return ("month", 3 * n)
    if unit in ("Y", "YS", "A", "AS"):
        return ("month", 12 * n)
    return ("month", n)


def floor_to(t: np.ndarray, step: tuple[str, int]) -> np.ndarray:
    kind, n = step
    if kind == "fixed":
        return (t // n) * n
    months = t.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
    months = (months // n) * n
    return months.astype("datetime64[M]").astype("datetime64[us]").astype(np.int64)


def ceil_to(t: np.ndarray, step: tuple[str, int]) -> np.ndarray:
    f = floor_to(t, step)
    if step[0] == "fixed":
        return np.where(f < t, f + step[1], f)
    months = f.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64) + step[1]
    nxt = months.astype("datetime64[M]").astype("datetime64[us]").astype(np.int64)
    return np.where(f < t, nxt, f)


def snap(t: np.ndarray, lo: np.ndarray, hi: np.ndarray, step: tuple[str, int] | None) -> np.ndarray:
    """Put ``t`` on the frequency grid without leaving [lo, hi] (rows whose grid has no point there stay as is)."""
    if step is None:
        return t
    s = floor_to(t, step)
    s = np.where(s < lo, ceil_to(lo, step), s)
    return np.where((s >= lo) & (s <= hi), s, t)


def slot_weights(start: int, end: int, patterns: list[tuple[str, list[float]]]) -> tuple[np.ndarray, np.ndarray]:
    """Hour slots covering [start, end] and their weights (product of every pattern), as (slot_starts, weights)."""
    first = (start // HOUR) * HOUR
    slots = np.arange(first, end + 1, HOUR, dtype=np.int64)
    w = np.ones(len(slots))
    if patterns:
        dt = slots.astype("datetime64[us]")
        hours = (slots // HOUR) % 24
        dow = ((slots // DAY) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
        months = dt.astype("datetime64[M]").astype(np.int64) % 12
        for dim, weights in patterns:
            arr = np.asarray(weights, dtype=np.float64)
            idx = {"hour": hours, "dow": dow, "month": months}[dim]
            w *= arr[idx]
    return slots, w


class SlotSampler:
    """Inverse-CDF sampling of timestamps in [start, end] with hour-slot weights, restricted per row to [lo, hi].

    >>> s = SlotSampler(0, 10 * HOUR, [])
    >>> t = s.sample(np.random.default_rng(0), np.full(5, 5 * HOUR), np.full(5, 10 * HOUR))
    >>> bool(((t >= 5 * HOUR) & (t <= 10 * HOUR)).all())
    True
    """

    def __init__(self, start: int, end: int, patterns: list[tuple[str, list[float]]],
                 extra: np.ndarray | None = None) -> None:
        self.start, self.end = start, end
        self.slots, w = slot_weights(start, end, patterns)
        if extra is not None:
            w = w * extra
        # the slots' real extents clipped to the window: partial first/last slots weigh proportionally
        self._slot_lo = np.maximum(self.slots, start)
        self._slot_len = np.minimum(self.slots + HOUR, end + 1) - self._slot_lo
        self._len_safe, self._any_empty = np.maximum(self._slot_len, 1), bool((self._slot_len <= 0).any())
        self.w = w * np.maximum(self._slot_len, 0) / HOUR
        if self.w.sum() <= 0:  # every slot weighted 0: fall back to uniform time rather than fail
            self.w = np.maximum(self._slot_len, 0).astype(np.float64)
        self.cdf = np.concatenate([[0.0], np.cumsum(self.w)])
        self._zero = self.w <= 0
        self._w_safe = np.where(self._zero, 1.0, self.w)
        self._any_zero = bool(self._zero.any())
        # a guide table for _slot_of: the slot holding each of many equal steps of the cdf (a binary search per
        # row over thousands of slots costs more than generating the row). Slots of tiny weight (a night hour of
        # a weekend) share a step; 32 steps per slot keep the walk over them short, within 1 MB of int32.
        self._steps = max(2 * len(self.w), min(32 * len(self.w), 1 << 18))
        self._scale = self._steps / self.cdf[-1] if self.cdf[-1] > 0 else 0.0
        edges = np.arange(self._steps + 1) / self._scale if self._scale else np.zeros(self._steps + 1)
        # guide[k] = searchsorted(cdf, edges[k], "right") - 1, built from the other side: edge k lies at or after
        # the cdf values whose first step at or past them is ≤ k (a search per slot, not per step)
        first = np.searchsorted(edges, self.cdf, side="left")
        below = np.cumsum(np.bincount(first, minlength=self._steps + 2)[: self._steps + 1])
        self._guide = np.clip(below - 1, 0, len(self.w) - 1).astype(np.int32)

    def _slot_of(self, u: np.ndarray) -> np.ndarray:
        """``searchsorted(cdf, u, "right") - 1`` clipped to the slots, exactly, through the guide table: start at
        the slot of the step before ``u``'s (never past the answer) and walk over the few slot ends ≤ ``u``."""
        last = len(self.w) - 1
        step = np.clip((u * self._scale).astype(np.int64) - 1, 0, self._steps)
        i = self._guide[step]
        rows = np.arange(len(u))
        while len(rows):
            ahead = (i[rows] < last) & (self.cdf[np.minimum(i[rows] + 1, last + 1)] <= u[rows])
            rows = rows[ahead]
            i[rows] += 1
        return np.maximum(i, 0)

    def cdf_at(self, t: np.ndarray) -> np.ndarray:
        """Cumulative slot weight before time ``t`` (µs)."""
        t = np.clip(t, self.start, self.end + 1)
        i = np.clip((t - self.slots[0]) // HOUR, 0, len(self.slots) - 1)
        frac = (t - self._slot_lo[i]) / self._len_safe[i]
        if self._any_empty:  # a window ending before it starts
            frac = np.where(self._slot_len[i] > 0, frac, 0.0)
        return self.cdf[i] + frac * self.w[i]

    def sample(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray,
               strata: tuple[np.ndarray, int] | None = None) -> np.ndarray:
        """One timestamp per row in [lo, hi] (callers drop rows with lo > hi first).

        ``strata=(rows, n)``: row ``r`` of ``n`` draws from the r-th of n equal slices of the distribution
        (stratified sampling), so times increase with the row number — sequence ids follow time — while the
        times keep the same distribution, whatever the chunking."""
        if len(lo) and lo[0] == lo.min() == lo.max() and hi[0] == hi.min() == hi.max():  # one window for all
            a, b = self.cdf_at(lo[:1]), self.cdf_at(hi[:1] + 1)
        else:
            a, b = self.cdf_at(lo), self.cdf_at(hi + 1)
        r = rng.random(len(lo))
        if strata is not None:
            r = (strata[0] + r) / max(strata[1], 1)
        u = a + r * (b - a)
        i = self._slot_of(u)
        frac = (u - self.cdf[i]) / self._w_safe[i]
        if self._any_zero:
            frac = np.where(self._zero[i], 0.5, frac)
        t = self._slot_lo[i] + (frac * self._slot_len[i]).astype(np.int64)
        return np.clip(t, lo, hi)
