"""The columns of generated tables that later tables need (keys, creation times, segments, lookup targets).

Only those columns are kept; a sequence column is kept as (start, step, n), not as an array, so the keys of a
50M-row table cost nothing. A kept per-row array past ``SPILL_BYTES`` is written to a file next to the output
(:class:`Spool`) and read back chunk by chunk (:class:`SpilledCol`), so memory does not grow with ``--scale``.
Everything here pickles, so chunks can run in other processes.

>>> keys = SeqCol(start=10, step=2, n=5)
>>> keys.take(np.array([0, 4])).tolist(), keys.slice(1, 3).take(np.array([0])).tolist()
([10, 18], [12])
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..arrays import indices, to_numpy
from ..errors import required
from .stage import Stage


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


#: a kept per-row array larger than this goes to disk (a table that big is read chunk by chunk by its children)
SPILL_BYTES = 8 * 2**20


@dataclass
class SpilledCol:
    """A kept per-row array in a file (raw ``dtype`` values): a chunk reads only its own rows back, a table read
    whole is memory-mapped.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "c.bin"
    >>> np.arange(10, dtype=np.int64).tofile(f)
    >>> col = SpilledCol(str(f), "<i8", 10)
    >>> col.slice(2, 5).tolist(), col.slice(8, 20).tolist(), col.values()[-1].item(), len(col.slice(12, 20))
    ([2, 3, 4], [8, 9], 9, 0)
    """

    path: str
    dtype: str
    n: int
    #: with object storage for staging (see ``stage``), the file's key there: another machine downloads it
    stage: Stage | None = None
    key: str = ""

    def file(self) -> str:
        """The file in this process: where it was written, or a copy from the staging's object storage."""
        if self.stage is None or self.stage.shared is None:
            return self.path
        return str(self.stage.get(self.key))

    def slice(self, a: int, b: int) -> np.ndarray:
        a, b = min(max(a, 0), self.n), min(max(b, 0), self.n)
        dt = np.dtype(self.dtype)
        return np.fromfile(self.file(), dtype=dt, count=max(b - a, 0), offset=a * dt.itemsize)

    def values(self) -> np.ndarray:
        if self.n == 0:
            return np.zeros(0, dtype=self.dtype)
        return np.memmap(self.file(), dtype=np.dtype(self.dtype), mode="r", shape=(self.n,))

    def __len__(self) -> int:
        return self.n


class Spool:
    """The per-chunk parts of one kept column, in chunk order: in memory while small; once past ``limit`` bytes
    (numbers or bools of one dtype) appended to ``path`` instead. ``finish`` gives what :func:`concat_values`
    would, or a :class:`SpilledCol`.

    >>> import tempfile
    >>> spool = Spool(Path(tempfile.mkdtemp()) / "k.bin", limit=16)
    >>> for part in (np.arange(3), np.arange(3, 5)):
    ...     spool.append(part)
    >>> col = spool.finish()
    >>> type(col).__name__, col.slice(0, 5).tolist(), spool.rows, spool.parts_count, spool.any_true
    ('SpilledCol', [0, 1, 2, 3, 4], 5, 2, True)
    """

    def __init__(self, path: Path, limit: int | None = None, stage: Stage | None = None) -> None:
        self.path, self.limit, self.stage = path, SPILL_BYTES if limit is None else limit, stage
        self.parts: list[Values] = []
        self.rows = self.parts_count = self._bytes = 0
        self.any_true = False  # any non-zero value (for null masks: any null at all)
        self._file: Any = None
        self._dtype: np.dtype | None = None

    def append(self, part: Values) -> None:
        self.rows += len(part)
        self.parts_count += 1
        if isinstance(part, np.ndarray) and part.dtype.kind in "biuf":
            self.any_true = self.any_true or bool(part.any())
        else:
            self.any_true = True
        if self._file is not None:
            if isinstance(part, np.ndarray) and part.dtype == self._dtype:
                np.ascontiguousarray(part).tofile(self._file)
                return
            self._unspill()
        self.parts.append(part)
        self._bytes += getattr(part, "nbytes", 0)
        if self._bytes > self.limit and self._spillable():
            self._dtype = self.parts[0].dtype
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "wb")  # noqa: SIM115 - closed in finish/_unspill
            for p in self.parts:
                np.ascontiguousarray(p).tofile(self._file)
            self.parts = []

    def _spillable(self) -> bool:
        first = self.parts[0]
        return all(isinstance(p, np.ndarray) and p.ndim == 1 and p.dtype == first.dtype for p in self.parts) and \
            first.dtype.kind in "biuf"

    def _unspill(self) -> None:  # a part of another kind after spilling (never seen in practice): back to memory
        self._file.close()
        self._file = None
        self.parts = [np.fromfile(self.path, dtype=self._dtype), *self.parts]
        self.path.unlink()

    def finish(self) -> Values:
        if self._file is not None:
            self._file.close()
            self._file = None
            assert self._dtype is not None  # set with the first part written
            key = "" if self.stage is None else self.stage.key(self.path)
            return SpilledCol(str(self.path), self._dtype.str, self.rows, self.stage, key)
        return concat_values(self.parts)


Values = Any  # np.ndarray | pa.Array | SeqCol | SpilledCol


def take(values: Values, idx: np.ndarray) -> Values:
    if isinstance(values, SeqCol):
        return values.take(idx)
    if isinstance(values, SpilledCol):
        return values.values()[idx]
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.take(indices(idx))
    return values[idx]


def slice_values(values: Values, a: int, b: int) -> Values:
    if isinstance(values, SeqCol | SpilledCol):
        return values.slice(a, b)
    return values[a:b]


def _loaded(values: Values) -> Values:
    return values.values() if isinstance(values, SpilledCol) else values


def as_numpy(values: Values) -> np.ndarray:
    if isinstance(values, SeqCol | SpilledCol):
        return values.values()
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return to_numpy(values)
    return np.asarray(values)


_INDEX_LOCK = threading.Lock()


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
    _view: Any = None  # the memory-mapped view built by loaded(), reused by every later table
    _indexes: dict[Any, Any] = field(default_factory=dict)  # see index()
    #: names this finished table in other processes, which keep one loaded copy of it (see ``shared``)
    token: str = ""

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (to another process) without the caches: a memory-mapped view would travel as a full copy; the
        other side maps the spilled files itself."""
        return {**self.__dict__, "_cum": None, "_by_time": None, "_view": None, "_indexes": {}}

    def index(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, once per ``key`` for this table: a lookup structure over its columns (sorted keys, rows
        by key and time) that every chunk reading the table shares instead of rebuilding it — also when two
        generation threads ask at once (built under a lock: indexes are few, one per table and key)."""
        if key not in self._indexes:
            with _INDEX_LOCK:
                if key not in self._indexes:
                    self._indexes[key] = build()
        return self._indexes[key]

    def slice(self, a: int, b: int) -> KeptTable:
        """Rows [a, b) — the primary-parent rows of one chunk (spilled columns read back from disk)."""
        cut = lambda v: None if v is None else slice_values(v, a, b)  # noqa: E731
        return KeptTable(
            self.name, max(0, min(b, self.n) - a),
            {k: slice_values(v, a, b) for k, v in self.columns.items()},
            {k: slice_values(v, a, b) for k, v in self.nulls.items()},
            cut(self.created), cut(self.fanout_mult), cut(self.value_mult), cut(self.segment), cut(self.decay),
        )

    def loaded(self) -> KeptTable:
        """This table with every spilled column memory-mapped (for chunks that read the table whole)."""
        if not any(isinstance(v, SpilledCol) for v in (*self.columns.values(), *self.nulls.values(), self.created,
                                                        self.fanout_mult, self.value_mult, self.decay)):
            return self
        if self._view is None:
            self._view = KeptTable(self.name, self.n, {k: _loaded(v) for k, v in self.columns.items()},
                                   {k: _loaded(v) for k, v in self.nulls.items()}, _loaded(self.created),
                                   _loaded(self.fanout_mult), _loaded(self.value_mult), self.segment,
                                   _loaded(self.decay))
        return self._view

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
        from ..columns.references import RowsByTime

        if self._by_time is None:
            self._by_time = RowsByTime(required(self.created, "the creation times"), self.fanout_mult)
        return self._by_time.sample(rng, times)


#: where kept columns spill, in the staging directory
SPILL_DIR = ".kept"
#: a kept array at least this large goes to worker processes as a file (its path), not inside every chunk job
SHIP_BYTES = 1 << 12


def for_workers(table: KeptTable, stage: Stage) -> KeptTable:
    """``table`` as chunk jobs carry it to worker processes, named by a fresh token (see :func:`shared`): each
    per-row array of numbers past ``SHIP_BYTES`` in a file of the staging — a job then carries its path, and each
    worker memory-maps it once instead of unpickling it with every chunk —, uploaded where the staging is object
    storage."""
    token = uuid.uuid4().hex
    folder = stage.root() / SPILL_DIR
    shipped = 0

    def ship(v: Values) -> Values:
        nonlocal shipped
        if not (isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind in "biuf" and v.nbytes >= SHIP_BYTES):
            return v
        path = folder / f"{token}.{shipped}.ship"
        shipped += 1
        folder.mkdir(parents=True, exist_ok=True)
        np.ascontiguousarray(v).tofile(path)
        return SpilledCol(str(path), v.dtype.str, len(v), stage, stage.key(path))

    out = KeptTable(table.name, table.n, {k: ship(v) for k, v in table.columns.items()},
                    {k: ship(v) for k, v in table.nulls.items()}, ship(table.created), ship(table.fanout_mult),
                    ship(table.value_mult), table.segment, ship(table.decay), token=token)
    return share(out)


def share(table: KeptTable, move: bool = False) -> KeptTable:
    """``table`` with its spilled columns uploaded to the staging's object storage, for processes elsewhere to
    download (nothing to do without one); with ``move`` this process's copies go (a worker's, once sent)."""
    for v in (*table.columns.values(), *table.nulls.values(), table.created, table.fanout_mult, table.value_mult,
              table.decay):
        if isinstance(v, SpilledCol) and v.stage is not None and v.stage.shared is not None:
            v.stage.put(v.key)
            if move:
                Path(v.path).unlink(missing_ok=True)
    return table


_SHARED: dict[str, KeptTable] = {}
_SHARED_MAX = 16


def shared(table: KeptTable) -> KeptTable:
    """``table.loaded()``, one copy per process per finished table: a worker process receives the table with every
    chunk job, and keeps its first copy (memory-mapped columns, and the samplers built on first use) for the next
    chunks instead of rebuilding them each time. A table without a token (a chunk's slice) is not kept."""
    if not table.token:
        return table.loaded()
    if table.token not in _SHARED:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[table.token] = table.loaded()
    return _SHARED[table.token]


def concat_values(parts: list[Values]) -> Values:
    """Join per-chunk pieces of one kept column."""
    if not parts:
        return np.zeros(0)
    if all(isinstance(p, SeqCol) for p in parts):
        return SeqCol(parts[0].start, parts[0].step, sum(p.n for p in parts))
    if isinstance(parts[0], pa.Array | pa.ChunkedArray):
        return pa.chunked_array(parts).combine_chunks()
    return np.concatenate([as_numpy(p) for p in parts])
