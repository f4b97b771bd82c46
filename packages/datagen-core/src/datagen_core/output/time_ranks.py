"""Sequence ids in time order across a whole fact table, not only within each chunk.

A fact is generated in chunks of its parents' children; each chunk's rows are ordered by their creation time
(``chunks._time_order``), but the chunks overlap in time, so numbering rows in file order gives ids that follow time
only within a chunk. For a fact larger than one chunk the engine makes two passes instead:

1. every chunk is generated once and spilled to a file next to the output (pickled pieces, one chunk in memory at
   a time), while a histogram of creation times over ``BUCKETS`` equal slices of the timeframe is counted;
2. the chunks are read back in order and each row's id is ``start + step · rank``, where the rank is the number of
   rows in earlier time slices, plus the rows of this slice in earlier chunks, plus its place in its own chunk.

Ranks are a permutation of ``0 … rows-1``: ids stay exactly ``start, start+step, …`` with no gap or repeat, and they
increase with time up to one slice (the timeframe / 262,144: two minutes for a year; fewer slices for a table of
thousands of chunks, see ``buckets_for``). Rows keep their place in the
file (and their chunk's parents), so memory stays one chunk and the output does not depend on the worker count.
Rows without a creation time rank last.

>>> import numpy as np
>>> r = TimeRanks("t", (0, 100), buckets=10)
>>> for t in (np.array([5, 50, 95]), np.array([6, 51])):
...     r.count(t, None)
>>> r.close_counts()
>>> r.assign(np.array([5, 50, 95]), None).tolist(), r.assign(np.array([6, 51]), None).tolist()
([0, 2, 4], [1, 3])
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from datagen_contracts import dsl

from ..chunks import Piece
from ..columns.references import creation_column
from .store import as_numpy

BUCKETS = 1 << 18


def buckets_for(chunks: int) -> int:
    """Time slices for a table of ``chunks`` chunks: 262,144, fewer past 64 chunks — the scale-out client keeps one
    histogram per output file, at most 2**24 counts in all — never under 1,024 (still minutes to hours each).

    >>> buckets_for(10), buckets_for(1000), buckets_for(10**6)
    (262144, 16777, 1024)
    """
    return max(1 << 10, min(BUCKETS, (1 << 24) // max(chunks, 1)))


def time_column_to_rank(schema: dsl.Schema, node: dsl.Node) -> str | None:
    """The creation column a fact's ids follow across chunks, or None when file order already is time order (or
    the ids must stay row numbers: a self-lookup resolves to ``start + row · step``)."""
    if not node.parents or not any(c.generator.sequence for c in node.columns):
        return None
    if any(c.generator.lookup and c.generator.lookup.from_.partition(".")[0] == node.id for c in node.columns):
        return None
    return creation_column(node)


class TimeRanks:
    """Counts creation times per time slice (pass 1), then gives each chunk's rows their global rank (pass 2)."""

    def __init__(self, column: str, timeframe: tuple[int, int], buckets: int = BUCKETS) -> None:
        self.column, self.buckets = column, buckets
        self.lo, self.span = timeframe[0], max(1, timeframe[1] - timeframe[0] + 1)
        self.hist = np.zeros(buckets + 1, dtype=np.int64)  # the last slice: rows without a time
        self.seen: np.ndarray | None = None

    def slices(self, times: np.ndarray, nulls: np.ndarray | None) -> np.ndarray:
        """The time slice of each row (``buckets`` for a row without a time)."""
        t = np.asarray(times).astype(np.int64, copy=False)
        b = np.clip(((t - self.lo) / self.span * self.buckets).astype(np.int64), 0, self.buckets - 1)
        return b if nulls is None else np.where(nulls, self.buckets, b)

    def count(self, times: np.ndarray, nulls: np.ndarray | None) -> None:
        h = np.bincount(self.slices(times, nulls))  # as long as the latest slice used, not all of them
        self.hist[:len(h)] += h

    def close_counts(self) -> None:
        self.seen = np.cumsum(self.hist) - self.hist  # rows in earlier slices: where each slice's ranks begin

    def assign(self, times: np.ndarray, nulls: np.ndarray | None) -> np.ndarray:
        """Each row's rank; O(rows) (a chunk is in time order already, so the sort is a pass over sorted data)."""
        assert self.seen is not None, "close_counts() first"
        b = self.slices(times, nulls)
        n = len(b)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        order = np.argsort(b, kind="stable")
        sb = b[order]
        heads = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]])  # where each slice's run begins
        runs = np.diff(np.r_[heads, n])
        within = np.arange(n, dtype=np.int64) - np.repeat(heads, runs)
        ranks = np.empty(n, dtype=np.int64)
        ranks[order] = self.seen[sb] + within
        self.seen[sb[heads]] += runs
        return ranks


def spill_chunks(chunks: Iterable[list[Piece]], ranks: TimeRanks, table: str, spill: Path,
                 progress: Callable[[int], None] | None = None) -> None:
    """Pass 1: each chunk's pieces pickled to ``spill`` (one chunk in memory), the table's times counted;
    ``progress`` gets the rows so far."""
    spill.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with open(spill, "wb") as out:
        for pieces in chunks:
            fact = next(p for p in pieces if p.name == table)
            ranks.count(as_numpy(fact.columns[ranks.column]), fact.nulls.get(ranks.column))
            pickle.dump(pieces, out, protocol=pickle.HIGHEST_PROTOCOL)
            rows += fact.n
            if progress is not None:
                progress(rows)
    ranks.close_counts()


def replay_chunks(spill: Path) -> Iterator[list[Piece]]:
    """Pass 2: the spilled chunks in their order; the file is removed when the replay ends or stops."""
    try:
        with open(spill, "rb") as back:
            while True:
                try:
                    yield pickle.load(back)  # our own file, written by spill_chunks in this run
                except EOFError:
                    break
    finally:
        spill.unlink(missing_ok=True)
