"""The columns of generated tables that later tables need (keys, creation times, segments, lookup targets).

Only those columns are kept in memory; a sequence column is kept as (start, step, n), not as an array, so the
keys of a 50M-row table cost nothing. Everything here pickles, so chunks can run in other processes.

>>> keys = SeqCol(start=10, step=2, n=5)
>>> keys.take(np.array([0, 4])).tolist(), keys.slice(1, 3).take(np.array([0])).tolist()
([10, 18], [12])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from .arrays import indices, to_numpy


@dataclass
class SeqCol:
    """A sequence column without its values: row i holds ``start + i·step``."""

    start: int
    step: int
    n: int

    def take(self, idx: np.ndarray) -> np.ndarray:
        return self.start + np.asarray(idx, dtype=np.int64) * self.step

    def slice(self, a: int, b: int) -> SeqCol:
        return SeqCol(self.start + a * self.step, self.step, max(0, min(b, self.n) - a))

    def values(self) -> np.ndarray:
        return self.take(np.arange(self.n))

    def __len__(self) -> int:
        return self.n


Values = Any  # np.ndarray | pa.Array | SeqCol


def take(values: Values, idx: np.ndarray) -> Values:
    if isinstance(values, SeqCol):
        return values.take(idx)
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.take(indices(idx))
    return values[idx]


def slice_values(values: Values, a: int, b: int) -> Values:
    if isinstance(values, SeqCol):
        return values.slice(a, b)
    return values[a:b]


def as_numpy(values: Values) -> np.ndarray:
    if isinstance(values, SeqCol):
        return values.values()
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return to_numpy(values)
    return np.asarray(values)


@dataclass
class KeptTable:
    """What later tables may read of one generated table."""

    name: str
    n: int
    columns: dict[str, Values] = field(default_factory=dict)
    nulls: dict[str, np.ndarray] = field(default_factory=dict)
    created: np.ndarray | None = None  # int64 µs per row: the row's creation time (None: unknown)
    fanout_mult: np.ndarray | None = None  # segment fanout multiplier per row (also the sampling weight)
    value_mult: np.ndarray | None = None  # segment value multiplier per row
    segment: np.ndarray | None = None  # segment name per row (object array), for stage/state variations
    decay: np.ndarray | None = None  # segment decay_rate per row (per month), 0 where none
    _cum: np.ndarray | None = None
    _by_time: Any = None

    def slice(self, a: int, b: int) -> KeptTable:
        """Rows [a, b) — the primary-parent rows of one chunk."""
        cut = lambda v: None if v is None else v[a:b]  # noqa: E731
        return KeptTable(
            self.name, max(0, min(b, self.n) - a),
            {k: slice_values(v, a, b) for k, v in self.columns.items()},
            {k: v[a:b] for k, v in self.nulls.items()},
            cut(self.created), cut(self.fanout_mult), cut(self.value_mult), cut(self.segment), cut(self.decay),
        )

    def sample_rows(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Row indices drawn from existing rows, weighted by the segment fanout multiplier when there is one."""
        if self.n == 0:
            return np.zeros(size, dtype=np.int64)
        if self.fanout_mult is None:
            return rng.integers(0, self.n, size)
        if self._cum is None:
            self._cum = np.cumsum(self.fanout_mult, dtype=np.float64)
        u = rng.random(size) * self._cum[-1]
        return np.minimum(np.searchsorted(self._cum, u, side="right"), self.n - 1)


    def sample_rows_before(self, rng: np.random.Generator, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`sample_rows`, among the rows created at or before each time (see ``references``); also
        returns the mask of times before every row (those get the earliest-created row)."""
        from .references import RowsByTime

        if self._by_time is None:
            self._by_time = RowsByTime(self.created, self.fanout_mult)
        return self._by_time.sample(rng, times)


def concat_values(parts: list[Values]) -> Values:
    """Join per-chunk pieces of one kept column."""
    if not parts:
        return np.zeros(0)
    if all(isinstance(p, SeqCol) for p in parts):
        return SeqCol(parts[0].start, parts[0].step, sum(p.n for p in parts))
    if isinstance(parts[0], pa.Array | pa.ChunkedArray):
        return pa.chunked_array(parts).combine_chunks()
    return np.concatenate([as_numpy(p) for p in parts])
