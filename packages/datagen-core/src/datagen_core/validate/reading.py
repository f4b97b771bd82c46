"""Access to the dataset for the checks: where each table's parquet files are, their footers, lazy scans.

All data access is through polars lazy scans (column pruning, streaming aggregation) or row group by row group
with pyarrow, so memory stays bounded by the widest aggregation — a key set for uniqueness and foreign keys —
not by the dataset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from datagen_contracts import dsl, layout
from datagen_contracts.dsl import parse_timestamp, semantics

from ..columns.references import creation_column
from ..errors import DatasetReadError
from .report import Check, skipped

#: a key column up to this many rows is tested as a permutation of its range (a bitmap of one byte per row)
PERMUTATION_ROWS = 500_000_000


@dataclass
class TableData:
    name: str
    files: list[Path]
    arrow_schema: pa.Schema | None
    rows: int
    hive: bool = False  # parts under k=v/ folders: the folder names are columns too


class ValidationContext:
    """The schema, the dataset's files (footers read up front) and shared look-ups for the checks."""

    def __init__(self, schema: dsl.Schema, data_dir: Path, metadata: Any | None = None) -> None:
        self.schema = schema
        self.data_dir = data_dir
        self.metadata = metadata
        self.tables: dict[str, TableData | None] = {}
        self._tables_on_disk: dict[str, layout.TableLayout] | None = None
        #: (table, column) -> (unique, (min, max) when exactly that range) — computed once, see key_order
        self.key_orders: dict[tuple[str, str], tuple[bool, tuple[int, int] | None]] = {}
        tf_start = parse_timestamp(schema.timeframe.start)
        tf_end = parse_timestamp(schema.timeframe.end)
        assert tf_start is not None and tf_end is not None  # guaranteed by the contracts' rules
        self.timeframe = (tf_start, tf_end)
        #: what the schema claims about its data, as every stage reads it (``datagen_contracts.dsl.semantics``)
        self.said = semantics.expectations(schema)
        for name in self.expected_tables():
            self.tables[name] = self._locate(name)

    def expected_tables(self) -> list[str]:
        names = [n.id for n in self.schema.nodes]
        names += [n.touchpoint_table for n in self.schema.nodes if n.touchpoint_table]
        if self.metadata is not None:
            names += [t.name for t in self.metadata.tables]
        return list(dict.fromkeys(names))

    def _locate(self, name: str) -> TableData | None:
        """A table's files: as ``.metadata.json`` lists them, else by the layout rule every stage shares (``t.parquet``,
        or a folder of parts at any depth, hive-style ``k=v/`` folders included)."""
        files: list[Path] = []
        hive = False
        meta = self.metadata.table(name) if self.metadata is not None else None
        if meta is not None and meta.files:
            files = [self.data_dir / f.path for f in meta.files]
        elif (found := self._layout().get(name)) is not None:
            files, hive = list(found.files), found.hive
        elif (self.data_dir / f"{name}.parquet").is_file():  # a name the layout rule hides (``_x``)
            files = [self.data_dir / f"{name}.parquet"]
        files = [f for f in files if f.is_file()]
        if not files:
            return None
        rows, arrow_schema = 0, None
        for f in files:
            try:
                pf = pq.ParquetFile(f)
                rows += pf.metadata.num_rows
                arrow_schema = arrow_schema or pf.schema_arrow
            except Exception as exc:  # pyarrow raises several types for a damaged file
                raise DatasetReadError(f"cannot read parquet file {f}: {exc}") from None
        if hive:  # the partition columns come from the folder names
            arrow_schema = pl.DataFrame(schema=self._hive_scan(files).collect_schema()).to_arrow().schema
        return TableData(name, files, arrow_schema, rows, hive)

    def _layout(self) -> dict[str, layout.TableLayout]:
        if self._tables_on_disk is None:
            try:
                found = layout.find_tables(self.data_dir) if self.data_dir.is_dir() else []
            except layout.DatasetLayoutError as exc:
                raise DatasetReadError(str(exc)) from None
            self._tables_on_disk = {t.name: t for t in found}
        return self._tables_on_disk

    @staticmethod
    def _hive_scan(files: list[Path]) -> pl.LazyFrame:
        return pl.scan_parquet([str(f) for f in files], hive_partitioning=True)

    # ---- look-ups
    def table(self, name: str) -> TableData | None:
        return self.tables.get(name)

    def has(self, table: str, column: str) -> bool:
        t = self.tables.get(table)
        return t is not None and t.arrow_schema is not None and column in t.arrow_schema.names

    def missing(self, category: str, name: str, table: str, column: str | None,
                target: str | None = None) -> Check | None:
        """A skipped check when the table or column is not there (its absence is reported by the structural
        checks); ``target`` names the check when it is not ``table[.column]``."""
        where = table if column is None else f"{table}.{column}"
        if self.table(table) is None:
            return skipped(category, name, target or where, f"table {table!r} is missing")
        if column is not None and not self.has(table, column):
            return skipped(category, name, target or where, f"column {column!r} is missing from {table!r}")
        return None

    def arrow_type(self, table: str, column: str) -> pa.DataType | None:
        t = self.tables.get(table)
        if t is None or t.arrow_schema is None or column not in t.arrow_schema.names:
            return None
        return t.arrow_schema.field(column).type

    def polars_type(self, table: str, column: str) -> pl.DataType:
        t = self.arrow_type(table, column)
        assert t is not None
        return pl.from_arrow(pa.array([], type=t)).dtype  # type: ignore[union-attr]

    def scan(self, table: str) -> pl.LazyFrame:
        t = self.tables[table]
        assert t is not None
        return self._hive_scan(t.files) if t.hive else pl.scan_parquet([str(f) for f in t.files])

    def batches(self, table: str, column: str, batch_size: int = 65_536) -> Iterator[pa.Array]:
        """One column of a table, batch by batch (for what polars cannot express)."""
        t = self.tables[table]
        assert t is not None
        if t.hive:  # a partition column is in no file: read through polars (a hive table from another tool)
            yield from collect(self.scan(table).select(column)).to_arrow().column(0).chunks
            return
        for f in t.files:
            for batch in pq.ParquetFile(f).iter_batches(columns=[column], batch_size=batch_size):
                yield batch.column(0)

    def rows(self, table: str) -> int:
        t = self.tables.get(table)
        return 0 if t is None else t.rows

    def node_columns(self) -> Iterator[tuple[dsl.Node, dsl.Column]]:
        for node in self.schema.nodes:
            for col in node.columns:
                yield node, col

    def creation_column(self, table: str) -> str | None:
        """A table's creation time, as the engine chose it (the metadata's ``created_at_column``; without
        metadata the engine's own rule: vintage ``created_at_column``, else the first datetime column that
        follows its parent, else the first such date column, else the first date/datetime column)."""
        meta = self.metadata.table(table) if self.metadata is not None else None
        if meta is not None and meta.created_at_column is not None:
            return meta.created_at_column
        node = self.schema.node(table)
        return None if node is None else creation_column(node)

    def values_changed(self, node: dsl.Node, col: dsl.Column) -> bool:
        """Whether a column's generated values are changed afterwards (modifiers, segment or vintage multipliers)."""
        if col.modifiers:
            return True
        for parent in (self.schema.node(p) for p in node.parents):
            if parent is None:
                continue
            sb, vb = parent.segment_behavior, parent.vintage_behavior
            if sb is not None and col.name in (sb.applies_to_columns or []):
                return True
            if vb is not None:
                for m in vb.age_based_multipliers.values():
                    targets = [m.applies_to] if isinstance(m.applies_to, str) else m.applies_to
                    if col.name in targets or "all" in targets:
                        return True
        return False

    def foreign_keys(self) -> list[tuple[str, str, str, str, str]]:
        """(table, column, parent_table, parent_column, source) from constraints, lookups and metadata."""
        out: dict[tuple[str, str, str, str], str] = {}
        for fk in self.schema.constraints.foreign_keys:
            t, _, c = fk.from_.partition(".")
            pt, _, pc = fk.to.partition(".")
            out.setdefault((t, c, pt, pc), "constraint")
        for node, col in self.node_columns():
            if col.generator.lookup is not None and not self.values_changed(node, col):
                pt, _, pc = col.generator.lookup.from_.partition(".")
                out.setdefault((node.id, col.name, pt, pc), "lookup")
        if self.metadata is not None:
            for t in self.metadata.tables:
                for fk in t.foreign_keys:
                    out.setdefault((t.name, fk.column, fk.references_table, fk.references_column), "metadata")
        return [(*k, v) for k, v in out.items()]

    def key_order(self, table: str, column: str) -> tuple[bool, tuple[int, int] | None]:
        """(unique, (min, max) when the values are exactly min, min+1, …, max, each once) for an integer column
        without nulls, one row group in memory at a time. The engine's keys are both: in file order, or — a fact
        numbered in time order across chunks — as a permutation, told by a bitmap of the range."""
        key = (table, column)
        if key not in self.key_orders:
            self.key_orders[key] = self._scan_key_order(table, column)
        return self.key_orders[key]

    def _int_groups(self, table: str, column: str) -> Iterator[np.ndarray | None]:
        t = self.table(table)
        if t is not None and t.hive:
            for chunk in self.batches(table, column):
                yield None if chunk.null_count else chunk.to_numpy()
            return
        assert t is not None
        for f in t.files:
            pf = pq.ParquetFile(f)
            for rg in range(pf.metadata.num_row_groups):
                col = pf.read_row_group(rg, columns=[column]).column(0)
                yield None if col.null_count else col.to_numpy()

    def _scan_key_order(self, table: str, column: str) -> tuple[bool, tuple[int, int] | None]:
        arrow_type = self.arrow_type(table, column)
        if self.table(table) is None or arrow_type is None or not pa.types.is_integer(arrow_type):
            return False, None
        lo = hi = last = None
        rows, increasing, contiguous = 0, True, True
        for values in self._int_groups(table, column):
            if values is None:
                return False, None
            if len(values) == 0:
                continue
            steps = np.diff(values)
            if increasing and ((last is not None and values[0] <= last) or not (steps > 0).all()):
                increasing = False
            contiguous = contiguous and (last is None or values[0] == last + 1) and bool((steps == 1).all())
            lo = int(values.min()) if lo is None else min(lo, int(values.min()))
            hi = int(values.max()) if hi is None else max(hi, int(values.max()))
            last, rows = int(values[-1]), rows + len(values)
        if lo is None or hi is None:
            return True, None
        if increasing:
            return True, ((lo, hi) if contiguous else None)
        if hi - lo + 1 != rows or rows > PERMUTATION_ROWS:
            return False, None
        seen = np.zeros(rows, dtype=bool)  # rows values in a range of rows: a permutation iff every slot is hit
        for values in self._int_groups(table, column):
            if values is not None:
                seen[values - lo] = True
        return (True, (lo, hi)) if seen.all() else (False, None)


def collect(lf: pl.LazyFrame) -> pl.DataFrame:
    return lf.collect(engine="streaming")


def count(lf: pl.LazyFrame, expr: pl.Expr) -> int:
    """The integer one aggregate expression evaluates to over a lazy frame (streaming)."""
    return int(collect(lf.select(expr.alias("n")))["n"][0])
