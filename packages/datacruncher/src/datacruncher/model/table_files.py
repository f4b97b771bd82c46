"""Files that hold several tables, read with Python: SQLite databases and spreadsheet workbooks.

**SQLite** (an application's ``app.db``, a dataset shipped as ``.sqlite``): each table and view is a table of the
dataset. DuckDB reads SQLite through an extension it downloads at run time, which an offline machine cannot do. So
the tables are read with Python's own ``sqlite3`` module, opened read-only. Each table is read in batches of
65,536 rows, turned into Arrow columns, and stored once in DuckDB's storage, which spills under ``--memory-limit``.

SQLite types its values, not its columns. So one scan first finds the storage classes each column holds:

- whole numbers only: an integer;
- whole and real numbers: a double;
- any text among them: text, with the numbers written as SQLite writes them;
- bytes: a blob.

A date stored as text stays text, which is what it is, and what the type checks report. The keys a table declares
(:func:`keys`) are declared facts of the dataset, as ``.metadata.json``'s are.

**Workbooks** (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``; the ``[excel]`` extra, fastexcel): each sheet
with a header row is a table named after the sheet, its column types as the cells have them (dates stay dates).
A spreadsheet stores every number as a double, so a column of whole numbers only is read as integers — ids, counts
and years are not "integers stored as floats" when the file could not store them otherwise.

>>> import sqlite3, tempfile, pathlib, duckdb
>>> db = pathlib.Path(tempfile.mkdtemp()) / "app.db"
>>> src = sqlite3.connect(db)
>>> _ = src.execute("CREATE TABLE t (id INTEGER, price, note TEXT)")
>>> _ = src.executemany("INSERT INTO t VALUES (?, ?, ?)", [(1, 2, "a"), (2, 2.5, None), (3, 7, "c")])
>>> src.commit(); src.close()
>>> tables(db)
['t']
>>> con = duckdb.connect()
>>> load(con, db, "t", '"t"')
>>> con.execute("SELECT id, price, note FROM t ORDER BY id").fetchall()
[(1, 2.0, 'a'), (2, 2.5, None), (3, 7.0, 'c')]
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datagen_contracts.text import quote_ident

from ..errors import InputError

MAGIC = b"SQLite format 3\x00"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
BATCH = 65_536


def _open(db: Path) -> sqlite3.Connection:
    try:  # read-only: the input is never modified, not even by a journal; DuckDB pulls the batches from a thread
        # of its own, one at a time
        return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open the SQLite database {db}: {exc}") from None


def tables(db: Path) -> list[str]:
    """The tables and views of ``db``, by name (SQLite's own ``sqlite_*`` tables left out)."""
    src = _open(db)
    try:
        rows = src.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                           "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").fetchall()
    except sqlite3.Error as exc:
        raise InputError(f"cannot read the SQLite database {db}: {exc}") from None
    finally:
        src.close()
    return [str(r[0]) for r in rows]


def keys(db: Path, table: str) -> dict[str, Any]:
    """What ``table`` declares: its one-column primary key and its one-column foreign keys (SQLite does not enforce
    them unless a connection asks, so their orphans are common), as ``{"pk": …, "fks": [(column, table, column)]}``;
    a foreign key naming no column points at the parent's primary key."""
    src = _open(db)
    try:
        refs = src.execute(f"PRAGMA foreign_key_list({quote_ident(table)})").fetchall()
        pk = _pk(src, table)
        groups: dict[int, list[Any]] = {}
        for r in refs:  # id, seq, table, from, to, …: a composite key has several rows of one id
            groups.setdefault(int(r[0]), []).append(r)
        fks = []
        for rows in groups.values():
            if len(rows) == 1:
                parent, column, target = str(rows[0][2]), str(rows[0][3]), rows[0][4]
                fks.append((column, parent, str(target) if target else _pk(src, parent)))
    except sqlite3.Error:
        return {}
    finally:
        src.close()
    return {"pk": pk or None, "fks": [fk for fk in fks if fk[2]]}


def _pk(src: sqlite3.Connection, table: str) -> str:
    """The table's one-column primary key ("" when it has none, or several columns)."""
    pks = [str(r[1]) for r in src.execute(f"PRAGMA table_info({quote_ident(table)})").fetchall() if r[5]]
    return pks[0] if len(pks) == 1 else ""


def load(con: Any, db: Path, table: str, target: str) -> None:
    """Store ``table`` of ``db`` as the DuckDB table ``target`` (an identifier already quoted)."""
    import pyarrow as pa

    src = _open(db)
    try:
        name = quote_ident(table)
        columns = [str(r[1]) for r in src.execute(f"PRAGMA table_info({name})").fetchall()]
        if not columns:
            raise InputError(f"the SQLite table {table!r} of {db} has no columns")
        classes = src.execute("SELECT " + ", ".join(f"group_concat(DISTINCT typeof({quote_ident(c)}))"
                                                    for c in columns) + f" FROM {name}").fetchone() or ()
        kinds = [_kind(set(str(k or "null").split(","))) for k in classes]
        select = ", ".join(f"CAST({quote_ident(c)} AS TEXT)" if k == "text" else quote_ident(c)
                           for c, k in zip(columns, kinds, strict=True))
        arrow = {"int": pa.int64(), "float": pa.float64(), "text": pa.string(), "blob": pa.binary()}
        schema = pa.schema([pa.field(c, arrow[k]) for c, k in zip(columns, kinds, strict=True)])
        cursor = src.execute(f"SELECT {select} FROM {name}")

        def batches() -> Iterator[Any]:
            while rows := cursor.fetchmany(BATCH):
                yield pa.record_batch([pa.array(values, type=f.type)
                                       for values, f in zip(zip(*rows, strict=True), schema, strict=True)],
                                      schema=schema)

        cur = con.cursor()  # its own view of the stream; the table it creates is the database's
        try:
            cur.register("__sqlite_rows", pa.RecordBatchReader.from_batches(schema, batches()))
            cur.execute(f"CREATE TABLE {target} AS SELECT * FROM __sqlite_rows").fetchall()
        finally:
            cur.close()
    except (sqlite3.Error, pa.ArrowException) as exc:
        raise InputError(f"cannot read the SQLite table {table!r} of {db}: {exc}") from None
    finally:
        src.close()


def _kind(classes: set[str]) -> str:
    """A column's type from the storage classes its values have (``integer``, ``real``, ``text``, ``blob``)."""
    classes.discard("null")
    if "text" in classes or ("blob" in classes and len(classes) > 1):
        return "text"
    if classes == {"blob"}:
        return "blob"
    return "float" if "real" in classes else "int"


def _workbook(book: Path) -> Any:
    try:
        import fastexcel  # noqa: F401
    except ImportError:
        raise InputError(f"{book} is a spreadsheet workbook; reading one needs the [excel] extra: "
                         "pip install 'datacruncher[excel]' (or save each sheet as CSV)") from None
    try:
        return _opened(book.resolve(), book.stat().st_mtime_ns)
    except Exception as exc:  # fastexcel's errors (a damaged or encrypted file) name no common base
        raise InputError(f"cannot read the workbook {book}: {str(exc).splitlines()[0]}") from None


@functools.lru_cache(maxsize=4)
def _opened(book: Path, _mtime: int) -> Any:
    """The workbook read once for its sheet list and every sheet (the crunch, then the agents' sandbox)."""
    import fastexcel

    return fastexcel.read_excel(book)


def sheets(book: Path) -> list[str]:
    """The sheets of ``book`` that hold a table (a header row at least), in the workbook's order."""
    reader = _workbook(book)
    out = []
    for name in reader.sheet_names:
        try:
            if reader.load_sheet_by_name(name, n_rows=0).width:
                out.append(str(name))
        except Exception:  # an empty sheet has no header row to read: no table
            continue
    return out


def load_sheet(con: Any, book: Path, sheet: str, target: str) -> None:
    """Store ``sheet`` of ``book`` as the DuckDB table ``target`` (an identifier already quoted); columns of whole
    numbers become integers (a workbook stores every number as a double)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        table = pa.Table.from_batches([_workbook(book).load_sheet_by_name(sheet).to_arrow()])
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read sheet {sheet!r} of {book}: {str(exc).splitlines()[0]}") from None
    for i, field in enumerate(table.schema):
        col = table.column(i)
        if pa.types.is_floating(field.type) and col.null_count < len(col):
            finite = pc.filter(col, pc.is_finite(col))
            if len(finite) == len(col) - col.null_count and pc.all(pc.equal(finite, pc.round(finite))).as_py() \
                    and pc.max(pc.abs(finite)).as_py() < 2**53:
                table = table.set_column(i, field.name, pc.cast(col, pa.int64()))
    cur = con.cursor()
    try:
        cur.register("__sheet_rows", table)
        cur.execute(f"CREATE TABLE {target} AS SELECT * FROM __sheet_rows").fetchall()
    finally:
        cur.close()
