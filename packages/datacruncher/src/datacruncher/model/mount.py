"""Mounting one table: its view (parquet, a DuckDB relation) or table (CSV, parsed once), its columns and rows,
the names DuckDB renamed (:mod:`.names`), the numbers it reads as times (:mod:`.epochs`) and the placeholder times
it reads as NULL (:mod:`.sentinels`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from datagen_contracts.text import quote_ident, quote_literal, renamed_columns

from ..errors import InputError
from . import table_files
from .csv_files import (
    Tokens,
    decimal_comma_columns,
    null_token_columns,
    null_token_sql,
    read_csv_sql,
    read_json_sql,
)
from .epochs import read_epochs_as_times
from .names import file_names
from .sentinels import read_sentinels_as_null

#: columns past which a parquet table is loaded into DuckDB's own storage instead of viewed: DuckDB binds a view
#: over a parquet scan anew for every query, about 7 µs per column, and a table gets a few queries per column, so
#: a 1,200-column table spent about 45 s binding; a loaded table binds in under a millisecond. Only up to WIDE_BYTES of
#: parquet: past that the scans, not the binding, take the time.
WIDE = 150
WIDE_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class ColumnSchema:
    name: str
    type: str  # DuckDB type name, e.g. BIGINT, VARCHAR, TIMESTAMP WITH TIME ZONE


@dataclass
class TableSource:
    name: str
    files: list[Path]
    hive: bool = False
    reader: str = "parquet"  # parquet | csv | json | duckdb (a table or view of an attached DuckDB database file)
    relation: str | None = None  # for duckdb: the quoted schema.name inside the attached database
    rows: int = 0
    columns: list[ColumnSchema] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # column as read -> its name in the file (see names.py)
    epochs: dict[str, str] = field(default_factory=dict)  # numbers read as times: column -> unit (see epochs.py)
    decimal_comma: list[str] = field(default_factory=list)  # CSV text columns read as numbers (see csv_files.py)
    #: CSV text columns of numbers and null tokens read as numbers: column -> (type, [(token, rows)])
    null_tokens: dict[str, Tokens] = field(default_factory=dict)
    #: keys the file itself declares (a SQLite table's): {"pk": column | None, "fks": [(column, table, column)]}
    declared: dict[str, Any] = field(default_factory=dict)
    #: placeholder times read as NULL: column -> [(value, rows)] (see sentinels.py)
    sentinels: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)

    @property
    def sql(self) -> str:
        return quote_ident(self.name)


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> tuple[Any, ...]:
    """The one row of an aggregate query (one without ``GROUP BY`` always returns a row).
    >>> fetch_one(duckdb.connect(), "SELECT count(*), max(x) FROM range(3) t(x)")
    (3, 2)
    """
    if (row := (con.execute(sql) if params is None else con.execute(sql, params)).fetchone()) is None:
        raise RuntimeError(f"an aggregate query returned no row: {sql[:120]}")
    return row


def mount(con: duckdb.DuckDBPyConnection, source: TableSource) -> None:
    """Create the view for one table, then read its columns and row count."""
    files = "[" + ", ".join(quote_literal(str(f)) for f in source.files) + "]"
    if source.reader == "duckdb":
        body = f"SELECT * FROM {source.relation}"
    elif source.reader == "csv":
        body = read_csv_sql(source.files)  # in the files' own encoding
        try:  # parsed once into DuckDB's own storage (spills under --memory-limit): dozens of queries read it
            con.execute(f"CREATE TABLE {source.sql} AS {body}")
            kinds = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {source.sql}").fetchall()]
            if commas := decimal_comma_columns(con, source.sql, kinds):  # 1234,56: read again as numbers
                con.execute(f"CREATE OR REPLACE TABLE {source.sql} AS "
                            f"{read_csv_sql(source.files, decimal_comma=True)}")
                source.decimal_comma = commas
                kinds = [(str(r[0]), str(r[1])) for r in con.execute(f"DESCRIBE {source.sql}").fetchall()]
            if tokens := null_token_columns(con, source.sql, kinds):  # 12.5, N/A, NULL: numbers and no value
                con.execute(f"CREATE OR REPLACE TABLE {source.sql} AS "
                            f"SELECT * REPLACE ({null_token_sql(tokens)}) FROM {source.sql}")
                source.null_tokens = tokens
            body = ""
        except duckdb.Error as exc:
            raise InputError(f"cannot read {source.files[0]} as CSV: {str(exc).splitlines()[0]}") from None
    elif source.reader == "sqlite":  # stored once in DuckDB's storage, like CSV
        table_files.load(con, source.files[0], str(source.relation), source.sql)
        source.declared = table_files.keys(source.files[0], str(source.relation))
        body = ""
    elif source.reader == "workbook":  # stored once in DuckDB's storage, like SQLite
        table_files.load_sheet(con, source.files[0], str(source.relation), source.sql)
        body = ""
    elif source.reader == "json":
        try:  # parsed once into DuckDB's own storage, like CSV
            con.execute(f"CREATE TABLE {source.sql} AS {read_json_sql(source.files)}")
            body = ""
        except duckdb.Error as exc:
            raise InputError(f"cannot read {source.files[0]} as JSON lines: {str(exc).splitlines()[0]}") from None
    schemas = [] if source.reader != "parquet" else [_check_parquet(f) for f in source.files]
    loaded = False
    if schemas:
        _same_types(source, schemas)
        hive = ", hive_partitioning = true" if source.hive else ""
        body = f"SELECT * FROM read_parquet({files}, union_by_name = true{hive})"
        loaded = max(map(len, schemas)) > WIDE and sum(f.stat().st_size for f in source.files) <= WIDE_BYTES
    try:
        if loaded:  # read once into DuckDB's storage (it spills under --memory-limit); see WIDE
            con.execute(f"CREATE TABLE {source.sql} AS {body}")
            body = ""
        elif body:
            con.execute(f"CREATE VIEW {source.sql} AS {body}")
        desc = con.execute(f"DESCRIBE {source.sql}").fetchall()
        source.rows = int(fetch_one(con, f"SELECT count(*) FROM {source.sql}")[0])
    except duckdb.Error as exc:
        where = source.files[0] if len(source.files) == 1 else source.files[0].parent
        raise InputError(f"cannot read table {source.name!r} from {where}: {exc}") from None
    source.columns = [ColumnSchema(str(r[0]), str(r[1])) for r in desc]
    source.renamed = renamed_columns([c.name for c in source.columns], file_names(schemas))
    body = read_epochs_as_times(con, source, body)
    read_sentinels_as_null(con, source, body)


def _check_parquet(f: Path) -> Any:
    """The file's arrow schema, read from its footer; :class:`InputError` naming the file if it cannot be."""
    import pyarrow.parquet as pq

    if f.stat().st_size == 0:
        raise InputError(f"empty file (0 bytes), not parquet: {f}")
    try:
        return pq.ParquetFile(f).schema_arrow
    except Exception as exc:  # pyarrow raises several types for a bad footer
        raise InputError(f"corrupt or unreadable parquet file {f}: {exc}") from None


def _same_types(source: TableSource, schemas: list[Any]) -> None:
    """Part files of one table must agree on each shared column's type, up to a lossless widening DuckDB reads as
    the wider type (int32 parts beside int64 ones, float beside double, ms beside µs timestamps of one time zone,
    dictionary-encoded beside plain text): merged across families, an int id would silently become text.
    (Columns present in some parts only are read as NULL elsewhere, as DuckDB's union_by_name does.)"""
    seen: dict[str, tuple[Any, Path]] = {}
    for f, schema in zip(source.files, schemas, strict=True):
        for field_ in schema:
            first = seen.setdefault(field_.name, (field_.type, f))
            if first[0] != field_.type and first[1] != f and _family(first[0]) != _family(field_.type):
                raise InputError(
                    f"part files of table {source.name!r} disagree on column {field_.name!r}: {first[1]} holds "
                    f"{first[0]}, {f} holds {field_.type} (schemas: {_schema_text(schemas[source.files.index(first[1])])}"
                    f" vs {_schema_text(schema)})")


def _family(t: Any) -> Any:
    """The types one arrow type widens to without loss, as a key (the type itself when it widens to no other).

    >>> import pyarrow as pa
    >>> _family(pa.int32()) == _family(pa.uint64()), _family(pa.int64()) == _family(pa.float64())
    (True, False)
    >>> ms, ns, utc = pa.timestamp("ms"), pa.timestamp("ns"), pa.timestamp("ms", "UTC")
    >>> _family(ms) == _family(ns), _family(utc) == _family(ms)
    (True, False)
    """
    import pyarrow.types as pt

    if pt.is_dictionary(t):
        t = t.value_type
    if pt.is_integer(t):
        return "integer"
    if pt.is_floating(t):
        return "float"
    if pt.is_string(t) or pt.is_large_string(t):
        return "text"
    if pt.is_timestamp(t):
        return ("timestamp", t.tz)
    return t


def _schema_text(schema: Any) -> str:
    return "(" + ", ".join(f"{f.name} {f.type}" for f in schema) + ")"
