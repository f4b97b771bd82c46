"""The one SQL tool an analyst agent gets: ``run_sql`` on a read-only, locked DuckDB connection.

A model's SQL is untrusted. The sandbox is a connection of its own (never the catalog's), built for the dataset:

- one view per table over exactly the dataset's files, then ``allowed_paths`` = those files,
  ``enable_external_access = false`` and ``lock_configuration = true`` — so no other file can be read or written
  (``read_csv('/etc/passwd')``, ``read_parquet`` outside the dataset, ``COPY … TO``, ``INSTALL``/``LOAD``) and
  no setting can be changed back (``SET``, ``PRAGMA``);
- a memory limit and one thread (results come back in the same order every run);
- exactly one statement, and it must parse as a ``SELECT`` (DuckDB's own parser, not a regular expression):
  ``ATTACH``, ``COPY``, ``PRAGMA``, ``SET``, ``EXPLAIN``, DDL and several statements are refused;
- a statement timeout (the query is interrupted) and a cap on returned rows and on the size of each value.

Refusals and errors come back as a :class:`SqlResult` with ``error`` set: the agent reads them like any result
and the loop goes on; nothing raises into the caller.

>>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pq.write_table(pa.table({"id": [1, 2, 3]}), d / "users.parquet")
>>> from datacruncher.model.catalog import find_tables
>>> with Sandbox(find_tables(d)) as box:
...     box.run("SELECT count(*) AS n FROM users").rows, box.run("COPY users TO 'x.csv'").error
([[3]], 'refused: only one SELECT statement is allowed (got COPY)')
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import duckdb

from datagen_contracts.text import quote_ident, quote_literal

from ..model import table_files
from ..model.catalog import TableSource
from ..model.csv_files import files_read, null_token_sql, read_csv_sql, read_json_sql

MAX_ROWS = 200  # rows returned to the model per query
MAX_VALUE_CHARS = 200  # longer strings are cut (a value cannot flood the context)
MAX_SQL_CHARS = 20_000
TIMEOUT_SECONDS = 20.0
MEMORY_LIMIT = "1GB"


@dataclass
class SqlResult:
    sql: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    truncated: bool = False  # more rows existed than were returned
    error: str | None = None

    def to_tool(self) -> dict[str, Any]:
        """What the model sees: plain JSON values."""
        if self.error is not None:
            return {"error": self.error}
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated}


def _plain(v: Any) -> Any:
    if v is None or isinstance(v, bool | int):
        return v
    if isinstance(v, float):
        return v if v == v and abs(v) != float("inf") else str(v)
    s = str(v)
    return s if len(s) <= MAX_VALUE_CHARS else s[:MAX_VALUE_CHARS] + "…"


class Sandbox:
    """A locked DuckDB connection over the dataset's tables; close it (or use ``with``)."""

    def __init__(self, sources: list[TableSource], *, memory_limit: str = MEMORY_LIMIT,
                 timeout: float = TIMEOUT_SECONDS, max_rows: int = MAX_ROWS) -> None:
        self.timeout = timeout
        self.max_rows = max_rows
        self.tables = [s.name for s in sources]
        self.con = duckdb.connect(":memory:", config={"threads": 1})
        try:
            self._build(sources, memory_limit)
        except BaseException:
            self.con.close()
            raise

    def _build(self, sources: list[TableSource], memory_limit: str) -> None:
        con = self.con
        paths: list[str] = []
        attached = False
        for s in sources:
            files = "[" + ", ".join(quote_literal(str(f)) for f in s.files) + "]"
            paths += [str(f) for f in s.files]
            if s.reader == "duckdb":
                if not attached:
                    con.execute(f"ATTACH {quote_literal(str(s.files[0]))} AS __source (READ_ONLY)")
                    attached = True
                body = f"SELECT * FROM {s.relation}"
            elif s.reader == "csv":
                body = read_csv_sql(s.files, decimal_comma=bool(s.decimal_comma))  # as the crunch read it
                paths += [str(f) for f in files_read(s.files)[0]]  # a Windows-1252 file's UTF-8 copy
                if s.null_tokens:  # N/A, NULL in a column of numbers: no value
                    body = f"SELECT * REPLACE ({null_token_sql(s.null_tokens)}) FROM ({body})"
            elif s.reader == "json":
                body = read_json_sql(s.files)
            elif s.reader == "sqlite":  # loaded into this in-memory database: nothing left to read from disk
                table_files.load(con, s.files[0], str(s.relation), quote_ident(s.name))
                continue
            elif s.reader == "workbook":
                table_files.load_sheet(con, s.files[0], str(s.relation), quote_ident(s.name))
                continue
            else:
                hive = ", hive_partitioning = true" if s.hive else ""
                body = f"SELECT * FROM read_parquet({files}, union_by_name = true{hive})"
            con.execute(f"CREATE VIEW {quote_ident(s.name)} AS {body}")
        con.execute(f"SET memory_limit = {quote_literal(memory_limit)}")
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET allowed_paths = [" + ", ".join(quote_literal(p) for p in sorted(set(paths))) + "]")
        con.execute("SET enable_external_access = false")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET lock_configuration = true")

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def check(self, sql: str) -> str | None:
        """Why ``sql`` is refused, or ``None``: exactly one statement, a SELECT, within the size limit."""
        if not isinstance(sql, str) or not sql.strip():
            return "refused: empty SQL"
        if len(sql) > MAX_SQL_CHARS:
            return f"refused: the SQL is longer than {MAX_SQL_CHARS} characters"
        try:
            statements = self.con.extract_statements(sql)
        except duckdb.Error as exc:
            return f"syntax error: {str(exc).splitlines()[0]}"
        if len(statements) != 1:
            return f"refused: exactly one statement is allowed (got {len(statements)})"
        kind = statements[0].type
        if kind != duckdb.StatementType.SELECT:
            return f"refused: only one SELECT statement is allowed (got {kind.name})"
        return None

    def run(self, sql: str, *, max_rows: int | None = None) -> SqlResult:
        """Run one SELECT under the limits; every failure is a result with ``error`` set."""
        cap = self.max_rows if max_rows is None else max_rows
        refused = self.check(sql)
        if refused is not None:
            return SqlResult(sql=str(sql)[:MAX_SQL_CHARS], error=refused)
        timer = threading.Timer(self.timeout, self.con.interrupt)
        timer.start()
        try:
            cur = self.con.execute(sql)
            columns = [d[0] for d in cur.description] if cur.description else []
            got = cur.fetchmany(cap + 1)
        except duckdb.InterruptException:
            return SqlResult(sql=sql, error=f"stopped: the query ran longer than {self.timeout:g} s")
        except duckdb.Error as exc:
            return SqlResult(sql=sql, error=f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
        finally:
            timer.cancel()
        return SqlResult(sql=sql, columns=columns, rows=[[_plain(v) for v in r] for r in got[:cap]],
                         truncated=len(got) > cap)
