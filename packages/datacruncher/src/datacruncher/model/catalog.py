"""The catalog: every parquet table of a dataset mounted as a DuckDB view, plus what is declared about it.

A dataset is a directory (or one parquet file, or a glob). Each ``*.parquet`` file is a table named after the
file; each sub-directory holding parquet files (part files or hive partitions ``k=v/``) is one table named after
the directory. Hidden entries (``.x``, ``_x``) are ignored. ``.metadata.json`` and a DSL schema are read when
present and never required. Nothing is ever written into the dataset directory.

>>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pq.write_table(pa.table({"select": [1, 2]}), d / "order.parquet")
>>> with open_catalog(d) as cat:
...     cat.tables["order"].rows, cat.scalar('SELECT max("select") FROM "order"')
(2, 2)
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from datagen_contracts import layout
from datagen_contracts.fingerprint import dataset_fingerprint
from datagen_contracts.text import quote_ident, quote_literal

from ..errors import InputError, ResourceError
from . import table_files
from .mount import ColumnSchema as ColumnSchema  # re-exported: the catalog's vocabulary
from .mount import TableSource as TableSource
from .mount import fetch_one as fetch_one
from .mount import mount

DEFAULT_MEMORY_LIMIT = "2GB"


@dataclass
class Catalog:
    """An open DuckDB connection with one view per table; close it (or use ``with``) to drop the spill dir."""

    path: Path
    con: duckdb.DuckDBPyConnection
    tables: dict[str, TableSource]
    metadata: Any = None  # datagen_contracts.metadata.DatasetMetadata | None
    schema: dict[str, Any] | None = None  # the DSL schema as plain JSON values
    schema_path: str | None = None
    temp_dir: Path | None = None
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    _fingerprint: str | None = None

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            if self.temp_dir is not None:
                shutil.rmtree(self.temp_dir, ignore_errors=True)
                self.temp_dir = None

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run ``sql`` and return (column names, rows)."""
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description] if cur.description else []
        return names, cur.fetchall()

    def fetchone_each(self, sqls: list[str], workers: int = 2, *,
                      errors: bool = False) -> list[Any]:
        """The first row of each statement, in order; up to ``workers`` run at once, each on its own cursor of
        this database (per-table passes whose single-threaded phases would otherwise leave a core idle).

        A statement that runs out of memory beside another is run again alone once the others are done; one that
        still fails raises :class:`ResourceError` (out of memory) or the DuckDB error — or, with ``errors=True``,
        stands in the result list as the exception for the caller to handle.
        """
        def one(sql: str, con: Any = None) -> tuple[Any, ...] | duckdb.Error | None:
            cur = con or self.con.cursor()
            try:
                return cur.execute(sql).fetchone()
            except duckdb.Error as exc:
                return exc
            finally:
                if con is None:
                    cur.close()

        if workers <= 1 or len(sqls) < 2:
            out = [one(sql, self.con) for sql in sqls]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(workers) as pool:
                out = list(pool.map(one, sqls))
            out = [one(sql, self.con) if isinstance(r, duckdb.OutOfMemoryException) else r
                   for sql, r in zip(sqls, out, strict=True)]
        if not errors:
            for r in out:
                if isinstance(r, duckdb.Error):
                    self.raise_error(r)
        return out

    def raise_error(self, exc: duckdb.Error) -> None:
        """Raise a statement's failure: out of memory as :class:`ResourceError` (exit 3, with the limit to raise),
        a damaged file as :class:`InputError` naming it (exit 2), anything else as the DuckDB error itself."""
        damaged = reading_error(exc, self.files)
        if damaged is not None:
            raise damaged from None
        if isinstance(exc, duckdb.OutOfMemoryException):
            raise ResourceError(f"DuckDB ran out of memory within --memory-limit {self.memory_limit}: "
                                f"{str(exc).splitlines()[0]} — raise --memory-limit") from None
        raise exc

    def scalar(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        return row[0] if row else None

    @property
    def files(self) -> list[Path]:
        return sorted(f for t in self.tables.values() for f in t.files)

    def fingerprint(self) -> str:
        """The dataset fingerprint (datagen_contracts.fingerprint): every file's relative name, size and sha256."""
        if self._fingerprint is None:
            root = self.path if self.path.is_dir() else self.path.parent
            self._fingerprint = dataset_fingerprint(root, self.files)
        return self._fingerprint


def find_tables(path: Path, *, follow_symlinks: bool = False) -> list[TableSource]:
    """Map a dataset path (directory, file or glob) to table sources, sorted by name; in a directory a symlink
    leading outside it is refused unless ``follow_symlinks`` (datagen_contracts.layout)."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        files = sorted(Path(f) for f in glob.glob(text, recursive=True)
                       if Path(f).suffix.lower() in layout.TABLE_SUFFIXES or text_kind(Path(f)) is not None)
        if not files:
            raise InputError(f"no parquet, CSV or JSON-lines files match {text}")
        return _unique([TableSource(_table_name(f), [f], reader=_reader(f)) for f in files])
    if not path.exists():
        raise InputError(f"dataset not found: {path}")
    if path.is_file():
        return [TableSource(_table_name(path), [path], reader=_reader(path))]
    try:
        found = layout.find_tables(path, follow_symlinks=follow_symlinks)
        texts = sorted(f for f in path.iterdir() if text_kind(f) is not None and not layout.hidden(f.name)
                       and f.is_file())
        for f in texts:
            layout.check_inside(f, path, follow_symlinks=follow_symlinks)
    except layout.OutsideInputError as exc:
        raise InputError(f"{exc} (--follow-symlinks allows links that leave the dataset directory)") from None
    except layout.DatasetLayoutError as exc:
        raise InputError(str(exc)) from None
    sources = [TableSource(t.name, list(t.files), hive=t.hive) for t in found]
    sources += [TableSource(_table_name(f), [f], reader=str(text_kind(f))) for f in texts]
    if not sources:
        raise InputError(f"no parquet, CSV or JSON-lines files in {path}")
    return _unique(sources)


#: delimited text (DuckDB's sniffer tells the delimiter), JSON lines, each optionally gzip- or zstd-compressed
TEXT_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".psv": "csv", ".jsonl": "json", ".ndjson": "json"}
COMPRESSED = (".gz", ".zst")


def text_kind(f: Path) -> str | None:
    """``csv`` or ``json`` for a text data file in a dataset directory, told by its suffixes (``orders.tsv.gz``).

    >>> [text_kind(Path(n)) for n in ("a.csv", "b.TSV.gz", "c.ndjson.zst", "d.json", "e.txt", "f.parquet")]
    ['csv', 'csv', 'json', None, None, None]
    """
    low = f.name.lower()
    for end in COMPRESSED:
        low = low.removesuffix(end)
    return TEXT_SUFFIXES.get(Path(low).suffix)


def _table_name(f: Path) -> str:
    """A file's table: its name without the data and compression suffixes (``orders.csv.gz`` → ``orders``)."""
    name = f.name
    for end in COMPRESSED:
        if name.lower().endswith(end):
            name = name[: -len(end)]
    return Path(name).stem


def _reader(f: Path) -> str:
    """How a single input file is read: parquet, delimited text (also ``.txt`` named on its own), JSON lines (also
    ``.json``), or a DuckDB database (by its magic bytes); anything else is an input error naming the file."""
    if (kind := text_kind(f)) is not None:
        return kind
    if f.suffix.lower() == ".txt":
        return "csv"
    if f.suffix.lower() == ".json":
        return "json"
    try:
        with f.open("rb") as fh:
            head = fh.read(12)
    except OSError as exc:
        raise InputError(f"cannot read {f}: {exc.strerror or exc}") from None
    if head[8:12] == b"DUCK":
        return "duckdb"
    if f.suffix.lower() in table_files.WORKBOOK_SUFFIXES:
        return "workbook"
    if head[:12] == table_files.MAGIC[:12]:
        return "sqlite"
    if head[:4] == b"PAR1" or f.suffix.lower() in layout.TABLE_SUFFIXES:
        return "parquet"
    raise InputError(f"{f} is not a parquet file, delimited text (.csv, .tsv, .psv), JSON lines (.jsonl), a DuckDB "
                     "or a SQLite database, or a spreadsheet workbook (.xlsx, .ods)")


def _unique(sources: list[TableSource]) -> list[TableSource]:
    seen: dict[str, int] = {}
    for s in sources:
        key = s.name.lower()  # DuckDB identifiers are case-insensitive
        if key in seen:
            seen[key] += 1
            s.name = f"{s.name}_{seen[key]}"
        else:
            seen[key] = 1
    return sorted(sources, key=lambda s: s.name)


_NOT_DAMAGE = (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException,
               duckdb.OutOfMemoryException, duckdb.InterruptException, duckdb.ConversionException)


def reading_error(exc: BaseException, files: list[Path]) -> InputError | None:
    """The :class:`InputError` for a DuckDB failure that comes from a damaged data file (a footer, page or
    decompression error found mid-query), naming the file; ``None`` for any other failure.

    When DuckDB's message does not name the file, the dataset's files are decoded one at a time (streaming,
    on this error path only) to find it."""
    if not isinstance(exc, duckdb.Error) or isinstance(exc, _NOT_DAMAGE):
        return None
    text = str(exc).splitlines()[0]
    damaged, named = layout.damaged_file(text)
    if not damaged:
        return None
    where = named or _first_undecodable(files)
    return InputError(f"cannot read {where or 'a data file of the dataset'}: it is damaged ({text})")


def _first_undecodable(files: list[Path]) -> Path | None:
    import pyarrow.parquet as pq

    for f in files:
        try:
            for _ in pq.ParquetFile(f).iter_batches(batch_size=65_536):
                pass
        except Exception:  # any decoding failure names this file
            return f
    return None


def connect(memory_limit: str = DEFAULT_MEMORY_LIMIT, temp_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with bounded memory, a spill directory and UTC session time."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET memory_limit = {quote_literal(memory_limit)}")
    except duckdb.Error as exc:
        con.close()
        raise InputError(f"invalid --memory-limit {memory_limit!r}: {exc}") from None
    if temp_dir is not None:
        con.execute(f"SET temp_directory = {quote_literal(str(temp_dir))}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET parquet_metadata_cache = true")  # dozens of queries read the same footers
    con.execute("SET TimeZone = 'UTC'")
    return con


def _attach(con: duckdb.DuckDBPyConnection, db: Path) -> list[TableSource]:
    """Attach a DuckDB database file read-only; each of its tables and views becomes a table of the dataset."""
    try:
        con.execute(f"ATTACH {quote_literal(str(db))} AS __source (READ_ONLY)")
        rows = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                           "WHERE table_catalog = '__source' ORDER BY table_schema <> 'main', 1, 2").fetchall()
    except duckdb.Error as exc:
        raise InputError(f"cannot open the DuckDB database {db}: {str(exc).splitlines()[0]}") from None
    if not rows:
        raise InputError(f"the DuckDB database {db} holds no table or view")
    sources = []
    for schema, name in rows:
        label = name if schema == "main" else f"{schema}.{name}"
        sources.append(TableSource(label, [db], reader="duckdb",
                                   relation=f"__source.{quote_ident(schema)}.{quote_ident(name)}"))
    return _unique(sources)


_SPILL = re.compile(r"^datacruncher-(\d+)-\w+$")


def spill_directory(temp_dir: str | Path | None = None) -> Path:
    """DuckDB's spill directory for this run, ``datacruncher-<pid>-<token>`` under the temp directory; those of
    runs whose process is gone (killed mid-crunch) are removed first."""
    from datagen_contracts.staging import alive

    root = Path(temp_dir) if temp_dir is not None else Path(tempfile.gettempdir())
    try:
        for entry in root.iterdir():
            m = _SPILL.match(entry.name)
            if m is not None and not alive(int(m.group(1))) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix=f"datacruncher-{os.getpid()}-", dir=root)).resolve()


def open_catalog(
    path: str | Path,
    *,
    schema: str | Path | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    temp_dir: str | Path | None = None,
    follow_symlinks: bool = False,
) -> Catalog:
    """Mount a dataset. Raises :class:`InputError` naming the file on a missing, empty or corrupt input, or on a
    symlink leading outside the dataset directory (unless ``follow_symlinks``)."""
    from .declarations import read_metadata, read_schema

    path = Path(path)
    sources = find_tables(path, follow_symlinks=follow_symlinks)
    spill = spill_directory(temp_dir)
    con = connect(memory_limit, spill)
    catalog = Catalog(path=path, con=con, tables={}, temp_dir=spill, memory_limit=memory_limit)
    try:
        if len(sources) == 1 and sources[0].reader == "duckdb":
            sources = _attach(con, sources[0].files[0])
        elif len(sources) == 1 and sources[0].reader == "sqlite":  # each of its tables, read by Python's sqlite3
            db = sources[0].files[0]
            sources = _unique([TableSource(t, [db], reader="sqlite", relation=t) for t in table_files.tables(db)])
            if not sources:
                raise InputError(f"the SQLite database {db} holds no table or view")
        elif len(sources) == 1 and sources[0].reader == "workbook":  # each sheet with a header row
            book = sources[0].files[0]
            sources = _unique([TableSource(t, [book], reader="workbook", relation=t) for t in table_files.sheets(book)])
            if not sources:
                raise InputError(f"the workbook {book} holds no sheet with a header row")
        meta_dir = path if path.is_dir() else path.parent
        catalog.metadata = read_metadata(meta_dir)
        if catalog.metadata is not None:  # a table is called what the metadata calls it, not its file's name
            renames = layout.names_from_metadata([(s.name, s.files) for s in sources], meta_dir,
                                                 catalog.metadata.table_of_files())
            for s in sources:
                s.name = renames.get(s.name, s.name)
        for s in sources:
            mount(con, s)
            catalog.tables[s.name] = s
        if schema is not None:
            catalog.schema = read_schema(Path(schema))
            catalog.schema_path = str(schema)
    except BaseException:
        catalog.close()
        raise
    return catalog
