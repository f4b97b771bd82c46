"""Shared plumbing of the public-dataset replicas (``chinook``, ``northwind``, ``sakila``, ``olist``).

Each replica builds its tables as columns — name → (arrow type, values) — so that defects can be injected into
the plain lists before :func:`write` turns every table into one parquet file named after it (``Order Details``
keeps its space), with no ``.metadata.json``: discovery has only names and values to go on.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

Column = tuple[pa.DataType, list]
Table = dict[str, Column]
DECIMAL = pa.decimal128(10, 2)


def table(**columns: Column) -> Table:
    """A table from keyword columns, in order (``table(Id=(pa.int64(), [1, 2]))``)."""
    lengths = {len(values) for _, values in columns.values()}
    assert len(lengths) == 1, f"ragged columns: {lengths}"
    return dict(columns)


def money(values: list) -> Column:
    """A NUMERIC(10,2) column (SQL money exported as decimal)."""
    return (DECIMAL, values)


def rows(t: Table) -> int:
    return len(next(iter(t.values()))[1])


def duplicate_rows(t: Table, start: int, count: int) -> None:
    """Append exact copies of rows ``start .. start + count - 1``."""
    for _, values in t.values():
        values.extend(values[start:start + count])


def retype(t: Table, column: str, new_type: pa.DataType, convert=lambda v: v) -> None:
    _, values = t[column]
    t[column] = (new_type, [None if v is None else convert(v) for v in values])


def write(directory: Path, data: dict[str, Table]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, cols in data.items():
        arrays = {}
        for col, (typ, values) in cols.items():
            if pa.types.is_decimal(typ):
                arrays[col] = pa.array(values, type=pa.float64()).cast(typ)
            else:
                arrays[col] = pa.array(values, type=typ)
        pq.write_table(pa.table(arrays), directory / f"{name}.parquet")
    return directory
