"""Where a model's SQL runs: one SELECT at a time in a locked DuckDB over the dataset's files only (no other
path, no extension, no configuration change), dry-run on a sample, then applied by swapping one table's file
— with the swap undone when the fix is not kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from datagen_contracts.text import quote_ident, quote_literal

from .dataset import TableFiles, find_tables

#: rows of each table a proposed SELECT is first dry-run on
SAMPLE_ROWS = 1000


def table_columns(root: Path, table: str) -> list[tuple[str, str]]:
    """The table's (column, DuckDB type) as the files hold them (never from the report's text)."""
    box = LockedDuckDB(root)
    try:
        return [(str(r[0]), str(r[1])) for r in box.con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
    finally:
        box.close()


class LockedDuckDB:
    """A DuckDB connection with one view per table over ``root``'s files, able to read only those files and to
    write only ``target`` (when given); ``sample`` views read a repeatable sample instead."""

    def __init__(self, root: Path, target: Path | None = None, sample: int | None = None) -> None:
        self.con = duckdb.connect(":memory:", config={"threads": 1})
        paths = []
        for t in find_tables(root):
            files = "[" + ", ".join(quote_literal(str(f)) for f in t.files) + "]"
            paths += [str(f) for f in t.files]
            cut = f" USING SAMPLE reservoir({sample} ROWS) REPEATABLE (7)" if sample else ""
            self.con.execute(f"CREATE VIEW {quote_ident(t.name)} AS SELECT * FROM read_parquet({files}){cut}")
        if target is not None:
            paths.append(str(target))
        self.con.execute("SET allowed_paths = [" + ", ".join(quote_literal(p) for p in paths) + "]")
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")

    def close(self) -> None:
        self.con.close()

    def one_select(self, sql: str) -> str | None:
        try:
            statements = self.con.extract_statements(sql)
        except duckdb.Error as exc:
            return f"syntax error: {str(exc).splitlines()[0]}"
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            return "not exactly one SELECT statement"
        return None


def dry_run(root: Path, select: str, columns: list[tuple[str, str]]) -> str | None:
    box = LockedDuckDB(root, sample=SAMPLE_ROWS)
    try:
        bad = box.one_select(select)
        if bad:
            return bad
        try:
            box.con.execute(f"SELECT count(*) FROM ({select})").fetchone()
            got = [(str(r[0]), str(r[1])) for r in box.con.execute(f"DESCRIBE ({select})").fetchall()]
        except duckdb.Error as exc:
            return f"the dry run failed: {str(exc).splitlines()[0][:300]}"
        if got != columns:
            return f"it returns columns {got}, not the table's {columns}"
        return None
    finally:
        box.close()


def _on_disk(root: Path, table: str) -> tuple[TableFiles, str]:
    """The table's files, and the name it has on disk (its file's or folder's: a table's name may be anything a
    schema allows, ``../x`` included, and never names a path)."""
    (t,) = [x for x in find_tables(root) if x.name == table]
    return t, (t.directory.name if t.directory is not None else t.files[0].stem)


def apply_select(root: Path, table: str, select: str) -> tuple[str | None, Path | None]:
    """Write the table's new content beside the dataset; ``(error, new file)``."""
    new = root / f".{_on_disk(root, table)[1]}.llm.parquet"
    box = LockedDuckDB(root, target=new)
    try:
        box.con.execute(f"COPY ({select}) TO {quote_literal(str(new))} (FORMAT parquet, COMPRESSION zstd)")
    except duckdb.Error as exc:
        new.unlink(missing_ok=True)
        return f"the full run failed: {str(exc).splitlines()[0][:300]}", None
    finally:
        box.close()
    return None, new


def offending_rows(root: Path, sql: str) -> int | None:
    """Rows a finding's SQL still returns (its ``failed_rows`` value when it counts), ``None`` if it cannot run."""
    box = LockedDuckDB(root)
    try:
        sql = sql.strip().rstrip(";").strip()
        if box.one_select(sql):
            return None
        cur = box.con.execute(f"SELECT * FROM ({sql}) LIMIT 2")
        names, rows = [d[0] for d in cur.description], cur.fetchall()
        if names == ["failed_rows"] and len(rows) == 1:
            return int(rows[0][0] or 0)
        (count,) = box.con.execute(f"SELECT count(*) FROM ({sql})").fetchone() or (0,)
        return int(count)
    except duckdb.Error:
        return None
    finally:
        box.close()


def swap_table(root: Path, table: str, new: Path) -> Path:
    """Put ``new`` in place of the table's files; the old ones are kept aside (returned) for an undo."""
    t, stem = _on_disk(root, table)
    old = root / f".{stem}.before"
    old.mkdir()
    source = t.directory if t.directory is not None else t.files[0]
    shutil.move(str(source), str(old / source.name))
    new.rename(_swapped_in(root, old / source.name))
    return old


def _swapped_in(root: Path, kept: Path) -> Path:
    """Where the new file of a table goes: the name of its old file, or ``<folder>.parquet`` for a folder of parts."""
    return root / (f"{kept.name}.parquet" if kept.is_dir() else kept.name)


def undo_swap(root: Path, table: str, old: Path) -> None:
    for entry in old.iterdir():
        _swapped_in(root, entry).unlink(missing_ok=True)
    for entry in old.iterdir():
        shutil.move(str(entry), str(root / entry.name))
    old.rmdir()
