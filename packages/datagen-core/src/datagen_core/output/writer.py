"""Streaming parquet output: one file per table, written row group by row group as chunks arrive.

File names: a table name made only of ASCII letters, digits, ``_``, ``-`` and ``.`` is used as is
(``order`` → ``order.parquet``); any other name is reduced to those characters (others become ``_``) and gets
the first 8 hex digits of the name's sha256, so different names never collide (``"ordre été"`` →
``ordre__t_-1b2c3d4e.parquet``).

>>> file_name("order"), file_name("user events")[:12], file_name("Ünïcode")[:7], file_name("_staging")[:8]
('order.parquet', 'user_events-', 'n_code-', 'staging-')
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from datagen_contracts import dsl

from ..arrays import from_numpy

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # a leading _ or . would hide the file from every reader
ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "string": pa.string(), "bool": pa.bool_(),
               "date": pa.date32(), "datetime": pa.timestamp("us")}
US_PER_DAY = 86_400_000_000


def file_name(table: str) -> str:
    if _SAFE.match(table) and len(table) <= 200:
        return f"{table}.parquet"
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", table)[:100].lstrip("_-") or "table"
    return f"{safe}-{hashlib.sha256(table.encode()).hexdigest()[:8]}.parquet"


def new_part(size: int, rows: int, part_rows: int | None) -> bool:
    """Whether a chunk of ``rows`` starts a new part after ``size`` rows: a part is closed before a chunk would take
    it past ``part_rows`` (the one rule for the one-process writer and the scale-out client).

    >>> new_part(5, 3, 8), new_part(8, 4, 8), new_part(0, 9, 8), new_part(5, 9, None)
    (False, True, False, False)
    """
    return part_rows is not None and size > 0 and size + rows > part_rows


def part_name(index: int) -> str:
    """The file name of a partitioned table's part ``index``: ``part-00000.parquet``, … (sorted = written order)."""
    return f"part-{index:05d}.parquet"


def arrow_schema(columns: Sequence[tuple[str, str, bool]]) -> pa.Schema:
    return pa.schema([pa.field(name, ARROW_TYPES[kind], nullable=nullable) for name, kind, nullable in columns])


def to_arrow(values: Any, kind: str, nulls: np.ndarray | None) -> pa.Array:
    """Engine values (numpy, times as int64 µs; or pyarrow strings) → the column's arrow type."""
    mask = None if nulls is None or not nulls.any() else nulls
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr = values if values.type == ARROW_TYPES[kind] else values.cast(ARROW_TYPES[kind])
        if mask is not None:
            arr = pa.compute.if_else(from_numpy(mask), pa.nulls(len(arr), arr.type), arr)
        return arr
    v = np.asarray(values)
    if kind == "date":
        v = (v.astype(np.int64) // US_PER_DAY).astype(np.int32)
    elif kind == "datetime" or kind == "int":
        v = v.astype(np.int64)
    elif kind == "float":
        v = v.astype(np.float64)
    elif kind == "bool":
        v = v.astype(bool)
    elif kind == "string":
        v = v.astype(str)
    return from_numpy(v, ARROW_TYPES[kind], mask)


class TableWriter:
    """A ParquetWriter (zstd) for one table; ``write`` appends one chunk as row group(s). ``dictionary`` names
    the columns worth dictionary-encoding (few distinct values); trying it on near-unique columns (emails, keys,
    times) only costs time and bytes before parquet falls back to plain pages.

    With ``background`` (a one-thread executor shared by the run's writers) a chunk is encoded and written while
    the next one is generated — parquet's writer releases the GIL — and at most ``PENDING`` chunks wait, so
    memory stays bounded. One thread keeps every file's row groups in submission order: same bytes either way.

    With ``part_rows`` the table is a directory (``path``) of ``part-00000.parquet``, ``part-00001.parquet`` …: a
    part is closed before a chunk would take it past ``part_rows`` rows (a chunk is never split), so the parts
    depend only on the chunks, not on the worker count.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "t"
    >>> w = TableWriter(d, pa.schema([("x", pa.int64())]), part_rows=5)
    >>> for n in (3, 2, 4, 6):
    ...     w.write(pa.table({"x": pa.array(range(n), pa.int64())}))
    >>> w.close()
    >>> [(f.name, pq.ParquetFile(f).metadata.num_rows) for f in w.files]
    [('part-00000.parquet', 5), ('part-00001.parquet', 4), ('part-00002.parquet', 6)]
    """

    PENDING = 2

    def __init__(self, path: Path, schema: pa.Schema, dictionary: list[str] | None = None,
                 background: Executor | None = None, part_rows: int | None = None) -> None:
        self.path, self.schema, self.rows = path, schema, 0
        self.part_rows = part_rows
        self.files: list[Path] = []
        self._dictionary = True if dictionary is None else dictionary
        self._writer: pq.ParquetWriter | None = None
        self._in_part = 0
        if part_rows is None:
            self._open(path)
        else:
            path.mkdir(parents=True, exist_ok=False)
            self._open(path / part_name(0))
        self._background = background
        self._pending: deque[Future[None]] = deque()

    def _open(self, path: Path) -> None:
        self._writer = pq.ParquetWriter(path, self.schema, compression="zstd", write_statistics=True,
                                        use_dictionary=self._dictionary)
        self.files.append(path)
        self._in_part = 0

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self.rows += table.num_rows
        if self._background is None:
            self._write(table)
            return
        self._pending.append(self._background.submit(self._write, table))
        while len(self._pending) > self.PENDING:
            self._pending.popleft().result()

    def _write(self, table: pa.Table) -> None:
        assert self._writer is not None
        if new_part(self._in_part, table.num_rows, self.part_rows):
            self._writer.close()
            self._open(self.path / part_name(len(self.files)))
        self._writer.write_table(table, row_group_size=1 << 20)
        self._in_part += table.num_rows

    def close(self) -> None:
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            if self._writer is not None:
                self._writer.close()


#: faker methods whose values come from a pool (at most ``POOL_SIZE`` distinct values per locale)
_POOLED = {"name", "email", "uuid4", "bothify", "numerify", "ipv4", "latitude", "longitude", "date_of_birth"}


def dictionary_columns(node: dsl.Node) -> list[str]:
    """Columns with few distinct values by construction: choices, enum lists, string lookups (copies of another
    table's attribute) and pooled faker strings (``city``, ``job``… not ``name``/``email``, joined or unique).

    >>> from datagen_contracts.dsl import Column, Generator, ChoiceGen, SequenceGen, Node
    >>> dictionary_columns(Node(id="t", columns=[Column(name="id", type="int", generator=Generator(sequence=SequenceGen())),
    ...     Column(name="tier", type="string", generator=Generator(choice=ChoiceGen(choices=["a", "b"])))]))
    ['tier']
    """
    out = []
    for c in node.columns:
        g = c.generator
        if g.choice is not None or g.enum_list is not None or (g.lookup is not None and c.type == "string") or (
                g.faker is not None and c.type == "string" and g.faker.method not in _POOLED):
            out.append(c.name)
    return out


def column_kinds(node: dsl.Node) -> list[tuple[str, str, bool]]:
    return [(c.name, c.type, c.name != node.pk) for c in node.columns]


TOUCHPOINT_KINDS = ("int", "int", "string", "datetime", "int", "float")
