"""What datapolisher knows about a dataset's structure: tables, column types, keys, FK edges, creation times.

Built from the data itself (column types), then ``.metadata.json`` (declared keys, FKs, creation columns,
nullability, roles), then the crunch report's discovered model for whatever the metadata does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from datagen_contracts.metadata import DatasetMetadata
from datagen_contracts.report import CrunchReport
from datagen_contracts.text import quote_ident, quote_literal, renamed_columns

from .dataset import TableFiles, find_tables

_MONEY_NAME = re.compile(r"(amount|price|total|revenue|cost|mrr|arr|fee|spend|value|balance|payment)", re.I)
_TIME_TYPES = ("TIMESTAMP", "DATE")
_NUMERIC = ("DOUBLE", "FLOAT", "DECIMAL", "REAL")


@dataclass
class TableModel:
    name: str
    source: TableFiles
    columns: dict[str, str] = field(default_factory=dict)  # name -> DuckDB type
    rows: int = 0
    pk: str | None = None
    created_at: str | None = None
    nullable: dict[str, bool] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=dict)
    #: column as DuckDB reads it -> its name in the file, where they differ: names SQL cannot keep apart (``id``
    #: beside ``ID``, a repeated or an empty name), which DuckDB reads as ``ID_1``, ``C3`` and would write so
    renamed: dict[str, str] = field(default_factory=dict)

    def is_time(self, column: str) -> bool:
        return self.columns.get(column, "").upper().startswith(_TIME_TYPES)

    def is_float(self, column: str) -> bool:
        return self.columns.get(column, "").upper().startswith(_NUMERIC)

    def is_money(self, column: str) -> bool:
        if "money" in self.roles.get(column, set()):
            return True
        return self.is_float(column) and bool(_MONEY_NAME.search(column))


@dataclass(frozen=True)
class Edge:
    """A foreign key: ``table.column`` references ``parent.parent_column``."""

    table: str
    column: str
    parent: str
    parent_column: str


@dataclass(frozen=True)
class CompositeEdge:
    """A composite foreign key: ``table.(columns)`` references ``parent.(parent_columns)``, in that order."""

    table: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


@dataclass
class DatasetModel:
    root: Path
    tables: dict[str, TableModel]
    edges: list[Edge] = field(default_factory=list)
    composite_edges: list[CompositeEdge] = field(default_factory=list)

    def parents_of(self, table: str) -> set[str]:
        """Every table ``table`` references, by single or composite foreign keys."""
        return {e.parent for e in self.edges_from(table)} | {e.parent for e in self.composite_edges if e.table == table}

    def table(self, name: str | None) -> TableModel | None:
        return self.tables.get(name) if name else None

    def edges_from(self, table: str) -> list[Edge]:
        return [e for e in self.edges if e.table == table]

    def edges_to(self, parent: str) -> list[Edge]:
        return [e for e in self.edges if e.parent == parent]

    def edge(self, table: str, column: str | None = None, parent: str | None = None) -> Edge | None:
        for e in self.edges_from(table):
            if (column is None or e.column == column) and (parent is None or e.parent == parent):
                return e
        return None

    def topological(self) -> list[str]:
        """Table names, parents before children (ties and cycles broken by name)."""
        done: list[str] = []
        pending = sorted(self.tables)
        while pending:
            ready = [t for t in pending if all(p in done or p == t for p in self.parents_of(t))]
            pick = ready[0] if ready else pending[0]
            done.append(pick)
            pending.remove(pick)
        return done


def _files_literal(source: TableFiles) -> str:
    """The table's files as a DuckDB list: exactly the parts datacruncher reads (hidden ones skipped)."""
    return "[" + ", ".join(quote_literal(str(f)) for f in source.files) + "]"


def _describe(con: duckdb.DuckDBPyConnection, root: Path, source: TableFiles) -> tuple[dict[str, str], int]:
    rel = _files_literal(source)
    cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet({rel})").fetchall()
    rows = con.execute(f"SELECT count(*) FROM read_parquet({rel})").fetchone()
    return {c[0]: str(c[1]) for c in cols}, int(rows[0]) if rows else 0


def file_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The top-level column names of a parquet file as written (its schema elements, depth first: root, then
    each column followed by its children).

    >>> import tempfile, pathlib
    >>> con = duckdb.connect()
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> _ = con.execute(f"COPY (SELECT 1 AS a, {{'x': 1, 'y': [2]}} AS s, 3 AS b) TO '{f}'")
    >>> file_columns(con, f)
    ['a', 's', 'b']
    """
    elements = con.execute("SELECT name, coalesce(num_children, 0) FROM parquet_schema(?)", [str(path)]).fetchall()

    def after(i: int) -> int:  # the index past element i's subtree
        end = i + 1
        for _ in range(int(elements[i][1])):
            end = after(end)
        return end

    names, i = [], 1
    while i < len(elements):
        names.append(str(elements[i][0]))
        i = after(i)
    return names


def unkeepable_names(model: DatasetModel) -> str | None:
    """Why a SQL script cannot write the dataset back unchanged: tables whose column names DuckDB renames."""
    bad = [f"{name}: " + ", ".join(f"{w!r} (read as {r!r})" for r, w in t.renamed.items())
           for name, t in sorted(model.tables.items()) if t.renamed]
    return "; ".join(bad) or None


def build_model(root: Path, metadata: DatasetMetadata | None = None, report: CrunchReport | None = None) -> DatasetModel:
    sources = find_tables(root)
    con = duckdb.connect(":memory:")
    try:
        tables = {}
        for source in sources:
            columns, rows = _describe(con, root, source)
            renamed = renamed_columns(list(columns), file_columns(con, source.files[0]))
            tables[source.name] = TableModel(source.name, source, columns, rows, renamed=renamed)
    finally:
        con.close()
    model = DatasetModel(root, tables)
    if metadata is not None:
        _apply_metadata(model, metadata)
    if report is not None:
        _apply_report(model, report)
    return model


def _add_edge(model: DatasetModel, edge: Edge) -> None:
    child, parent = model.tables.get(edge.table), model.tables.get(edge.parent)
    if child is None or parent is None or edge.column not in child.columns:
        return
    if edge.parent_column not in parent.columns or model.edge(edge.table, edge.column) is not None:
        return
    model.edges.append(edge)


def _apply_metadata(model: DatasetModel, meta: DatasetMetadata) -> None:
    for info in meta.tables:
        t = model.tables.get(info.name)
        if t is None:
            continue
        t.pk = t.pk or info.primary_key
        t.created_at = t.created_at or info.created_at_column
        for c in info.columns:
            t.nullable[c.name] = c.nullable
            if c.role:
                t.roles.setdefault(c.name, set()).add(c.role)
            if c.primary_key and t.pk is None:
                t.pk = c.name
            if c.foreign_key and "." in c.foreign_key:
                parent, _, pcol = c.foreign_key.partition(".")
                _add_edge(model, Edge(info.name, c.name, parent, pcol))
        for fk in info.foreign_keys:
            _add_edge(model, Edge(info.name, fk.column, fk.references_table, fk.references_column))


def _apply_report(model: DatasetModel, report: CrunchReport) -> None:
    for mt in report.model.tables:
        t = model.tables.get(mt.name)
        if t is None:
            continue
        t.pk = t.pk or mt.primary_key
        t.created_at = t.created_at or mt.created_at_column
        for mc in mt.columns:
            if mc.roles:
                t.roles.setdefault(mc.name, set()).update(mc.roles)
    for fk in report.model.foreign_keys:
        if fk.from_columns:  # a composite FK: orphans are dropped along it; no single column to move times by
            child, parent = model.tables.get(fk.from_table), model.tables.get(fk.to_table)
            if (child is not None and parent is not None and len(fk.from_columns) == len(fk.to_columns)
                    and set(fk.from_columns) <= set(child.columns) and set(fk.to_columns) <= set(parent.columns)):
                model.composite_edges.append(CompositeEdge(fk.from_table, tuple(fk.from_columns), fk.to_table,
                                                           tuple(fk.to_columns)))
            continue
        _add_edge(model, Edge(fk.from_table, fk.from_column, fk.to_table, fk.to_column))


def distinct_values(root: Path, table: TableModel, column: str, limit: int = 1000) -> list[tuple[str, int]]:
    """(value, count) of a text column, most frequent first (for code normalization)."""
    con = duckdb.connect(":memory:")
    try:
        rel = _files_literal(table.source)
        col = quote_ident(column)
        sql = (
            f"SELECT {col}::VARCHAR AS v, count(*) AS n FROM read_parquet({rel}) WHERE {col} IS NOT NULL "
            f"GROUP BY 1 ORDER BY n DESC, v LIMIT {int(limit)}"
        )
        return [(str(v), int(n)) for v, n in con.execute(sql).fetchall()]
    finally:
        con.close()
