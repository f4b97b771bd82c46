"""Time-aware references: a row that points at another table's row (a secondary parent, a lookup, a self-lookup)
only points at a row that already existed at the referencing row's own time.

Each table has one *creation column* (:func:`creation_column`): its vintage ``created_at_column``, else its
first ``datetime`` column with ``after_parent`` true, else its first such ``date`` column (a ``birth_date``
declared before ``registered_at`` is an attribute, not the row's creation), else its first date/datetime column.
The engine keeps children after it, ``.metadata.json`` names it as ``created_at_column``, and a referencing row's
time is its own creation column. Sampling is vectorized: the referenced table is sorted by creation time once, and a row at time ``t``
draws among the ``k = searchsorted(created_sorted, t, "right")`` rows created so far (weighted variants through
cumulative weights).

>>> import numpy as np
>>> rows = RowsByTime(np.array([30, 10, 20]))
>>> picked, none_yet = rows.sample(np.random.default_rng(0), np.array([5, 10, 25, 99]))
>>> picked.tolist()[:2], none_yet.tolist()
([1, 1], [True, False, False, False])
>>> bool(np.isin(picked[2], [1, 2]))
True
"""

from __future__ import annotations

import numpy as np

from datagen_contracts import dsl

TIME_TYPES = ("date", "datetime")


def creation_column(node: dsl.Node) -> str | None:
    """The column holding a row's creation time (see the module doc).

    >>> from datagen_contracts import dsl
    >>> g = dsl.Generator(datetime_series=dsl.DatetimeSeriesGen())
    >>> creation_column(dsl.Node(id="patient", columns=[dsl.Column(name="birth_date", type="date", generator=g),
    ...                                                 dsl.Column(name="registered_at", type="datetime", generator=g)]))
    'registered_at'
    """
    if node.vintage_behavior is not None:
        return node.vintage_behavior.created_at_column
    times = [c for c in node.columns if c.type in TIME_TYPES]
    ranked = [c for c in times if c.after_parent and c.type == "datetime"] + [c for c in times if c.after_parent]
    pick = ranked or times
    return pick[0].name if pick else None


def pick_weighted(cum: np.ndarray | None, lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One index per row in ``[lo, hi)`` of a sorted list: uniform when ``cum`` is None, else with the weights
    whose inclusive cumulative sums are ``cum``. Rows with an empty range get ``lo`` clipped into the list.

    >>> pick_weighted(None, np.array([0, 2]), np.array([4, 3]), np.array([0.99, 0.5])).tolist()
    [3, 2]
    >>> pick_weighted(np.cumsum([1.0, 0.0, 1.0]), np.array([0]), np.array([3]), np.array([0.6])).tolist()
    [2]
    """
    lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    size = hi - lo
    if cum is None:
        pos = lo + np.minimum((u * np.maximum(size, 0)).astype(np.int64), np.maximum(size - 1, 0))
    else:
        base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
        top = np.where(hi > 0, cum[np.maximum(hi - 1, 0)], 0.0)
        pos = np.searchsorted(cum, base + u * (top - base), side="right")
        pos = np.clip(pos, lo, np.maximum(hi - 1, lo))
    n = len(cum) if cum is not None else int(hi.max(initial=0))
    return np.clip(pos, 0, max(n - 1, 0))


class RowsByTime:
    """The rows of one table sorted by creation time, with optional sampling weights (segment fanout)."""

    def __init__(self, created: np.ndarray, weights: np.ndarray | None = None) -> None:
        self.order = np.argsort(created, kind="stable")
        self.created = np.asarray(created)[self.order]
        self.cum = None if weights is None else np.cumsum(np.asarray(weights, dtype=np.float64)[self.order])

    def sample(self, rng: np.random.Generator, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row index, no-row-existed-yet mask) per time; a row with none gets the earliest-created row."""
        k = np.searchsorted(self.created, times, side="right")
        pos = pick_weighted(self.cum, np.zeros(len(times), dtype=np.int64), np.maximum(k, 1), rng.random(len(times)))
        return self.order[pos], k == 0


class KeyIndex:
    """The rows of one table grouped by a key column, rows in table order within a key, for lookups with ``on``:
    built once per table, then each chunk finds its keys' rows without sorting the table again. Integer keys
    over a range not much wider than the table are found by direct addressing, others by binary search.

    >>> ix = KeyIndex(np.array([7, 5, 7, 9]))
    >>> a, b = ix.ranges(np.array([7, 8, 5]))
    >>> [ix.order[a[i]:b[i]].tolist() for i in range(3)]
    [[0, 2], [], [1]]
    >>> s = KeyIndex(np.array(["b", "a", "b"]))
    >>> s.ranges(np.array(["b", "c"]))[1].tolist()
    [3, 3]
    """

    def __init__(self, keys: np.ndarray) -> None:
        self.order = np.argsort(keys, kind="stable")
        uniq, start = np.unique(keys[self.order], return_index=True)
        self.uniq = uniq
        self.bounds = np.append(start, len(keys)).astype(np.int64)  # key i's rows: order[bounds[i]:bounds[i + 1]]
        self.dense: np.ndarray | None = None
        if keys.dtype.kind in "iu" and len(uniq):
            self.lo = int(uniq[0])
            width = int(uniq[-1]) - self.lo + 1
            if width <= 4 * len(keys) + 1024:
                self.dense = np.full(width, -1, dtype=np.int64)
                self.dense[(uniq.astype(np.int64) - self.lo)] = np.arange(len(uniq))

    def ranges(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per key, ``[a, b)`` in :attr:`order` holding its rows; ``a == b`` (an insertion point) when none."""
        if self.dense is not None and keys.dtype.kind in "iu":
            at = keys.astype(np.int64) - self.lo
            inside = (at >= 0) & (at < len(self.dense))
            code = np.where(inside, self.dense[np.where(inside, at, 0)], -1)
            found = code >= 0
            if found.all():
                return self.bounds[code], self.bounds[code + 1]
            pos = np.where(found, code, np.searchsorted(self.uniq, keys))
        else:
            pos = np.searchsorted(self.uniq, keys)
            found = np.searchsorted(self.uniq, keys, "right") > pos  # as a sort compares (a NaN finds NaN)
        a = self.bounds[pos]  # a missing key's insertion point: the next key's first row
        return a, np.where(found, self.bounds[np.minimum(pos + 1, len(self.bounds) - 1)], a)


class KeyedRowsByTime:
    """Rows grouped by a key and sorted by creation time within each key (for lookups with ``on``)."""

    def __init__(self, keys: np.ndarray, created: np.ndarray) -> None:
        self.uniq_keys, codes = np.unique(keys, return_inverse=True)
        self.times = np.unique(created)
        rank = np.searchsorted(self.times, created, side="right")
        self.span = len(self.times) + 2
        comp = codes.astype(np.int64) * self.span + rank
        self.order = np.argsort(comp, kind="stable")
        self.comp = comp[self.order]

    def sample(self, rng: np.random.Generator, keys: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row index or -1 when the key is absent, no-row-existed-yet mask).

        One sorted array of ``key code × span + time rank`` answers every (key, time) query with two
        searchsorted calls: the rank of a time is the number of distinct creation times at or before it.
        """
        pos = np.clip(np.searchsorted(self.uniq_keys, keys), 0, max(len(self.uniq_keys) - 1, 0))
        found = (self.uniq_keys[pos] == keys) if len(self.uniq_keys) else np.zeros(len(keys), bool)
        base = pos.astype(np.int64) * self.span
        a = np.searchsorted(self.comp, base, "left")
        k = np.searchsorted(self.comp, base + np.searchsorted(self.times, times, side="right"), "right")
        none_yet = found & (k == a)
        picked = pick_weighted(None, a, np.where(none_yet, a + 1, k), rng.random(len(keys)))
        return np.where(found, self.order[np.minimum(picked, len(self.order) - 1)], -1), none_yet



class EarlierRows:
    """Every row of a table in (creation time, row number) order, for self-lookups: a row draws uniformly among
    the rows created before it — ``(time, row number)`` smaller, so never itself and never a cycle — wherever
    they are in the table, and with ``on`` keys among those whose ``remote`` key equals its ``local`` one. The
    engine builds it from a first pass over the table's chunks, then each chunk draws with its own uniform
    numbers, so the result does not depend on the workers. Memory: a few int64 per row of such a table.

    >>> rows = EarlierRows(np.array([10, 20, 15, 5]), np.array([0, 1, 2, 3]))
    >>> j, none = rows.pick(np.array([0.99, 0.99, 0.0]), np.array([1, 2, 3]))
    >>> j.tolist(), none.tolist()  # row 1 (t=20) draws among 3 rows, row 2 (t=15) among rows 3 and 0
    ([2, 0, 0], [False, False, True])
    >>> keyed = EarlierRows(np.array([10, 20, 15, 5]), np.array([0, 1, 2, 3]), *[np.array(["a", "b", "a", "b"])] * 2)
    >>> keyed.pick(np.array([0.5, 0.5]), np.array([1, 2]))[0].tolist()  # same key, created earlier
    [3, 0]
    """

    def __init__(self, times: np.ndarray, rows: np.ndarray, remote: np.ndarray | None = None,
                 local: np.ndarray | None = None) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        n, size = len(rows), int(rows.max(initial=-1)) + 1
        by_time = np.lexsort((rows, np.asarray(times, dtype=np.int64)))
        self.time_rank = np.full(size, -1, dtype=np.int64)
        self.time_rank[rows[by_time]] = np.arange(n)
        self.by_rank = rows[by_time]
        self.local = np.full(size, 0 if remote is None else -1, dtype=np.int64)
        code = np.zeros(n, dtype=np.int64)
        if remote is not None and local is not None:
            uniq, code = np.unique(remote, return_inverse=True)
            pos = np.clip(np.searchsorted(uniq, local), 0, max(len(uniq) - 1, 0))
            self.local[rows] = np.where(uniq[pos] == local, pos, -1) if len(uniq) else -1
        self.n = max(n, 1)
        comp = code.astype(np.int64) * self.n + self.time_rank[rows]
        order = np.argsort(comp, kind="stable")
        self.comp, self.sorted_rows = comp[order], rows[order]

    def pick(self, u: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(referenced row number, no-earlier-row mask) per row. A row with none gets the next row of its key (not
        itself), else the next-created row of the table (the caller writes null instead where it may)."""
        rows = np.asarray(rows, dtype=np.int64)
        group, rank = self.local[rows], self.time_rank[rows]
        a = np.searchsorted(self.comp, group * self.n, "left")
        b = np.searchsorted(self.comp, group * self.n + self.n, "left")
        pos = np.searchsorted(self.comp, group * self.n + rank, "left")
        count = np.where(group >= 0, pos - a, 0)
        last = len(self.sorted_rows) - 1
        k = a + np.minimum((u * count).astype(np.int64), np.maximum(count - 1, 0))
        alt = np.where(self.sorted_rows[np.clip(pos, 0, last)] != rows, pos, pos + 1)
        nxt = self.by_rank[np.where(rank + 1 <= last, rank + 1, max(last - 1, 0))]
        none = count == 0
        j = np.where(none, np.where((group >= 0) & (alt < b), self.sorted_rows[np.clip(alt, 0, last)], nxt),
                     self.sorted_rows[np.clip(k, 0, last)])
        return j, none
