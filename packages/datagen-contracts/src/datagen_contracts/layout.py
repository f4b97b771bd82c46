"""The table-file layout rule every stage reads a dataset directory by, with its inputs confined.

Each ``*.parquet`` file at the top (``.PARQUET``, ``.parq`` and ``.pq`` too) is a table named after the file; each sub-directory holding parquet files
(part files, or hive partitions ``k=v/``) is one table named after the directory. Hidden entries (``.x``, ``_x``,
at any depth) are not data: staging directories, markers, ``.metadata.json``.

A dataset is untrusted input: a symlink inside it may point anywhere (``/etc``, a home directory). Every file
and folder is resolved, and one that leads outside the dataset directory is refused with its name — unless the
caller passes ``follow_symlinks=True`` (the CLIs' explicit flag).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "order.parquet").write_bytes(b""); (d / "events").mkdir(); _ = (d / "events" / "p0.parquet").write_bytes(b"")
>>> [(t.name, len(t.files), t.directory is not None) for t in find_tables(d)]
[('events', 1, True), ('order', 1, False)]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ContractFileError


class OutsideInputError(ContractFileError):
    """A symlink in a dataset leads outside it."""


@dataclass(frozen=True)
class TableLayout:
    name: str
    files: tuple[Path, ...]
    directory: Path | None = None  # set when the table is a directory of part files
    hive: bool = False  # part files under k=v/ folders


_DAMAGE = re.compile(r"(?i)parquet|could not read|decompress|corrupt|magic bytes|too small|snappy|zstd|thrift|"
                     r"ttype|checksum|footer|invalid (page|dictionary|encoding)|out of range for file|unexpected end")
_NAMED = re.compile(r"""file ["']([^"']+)["']|["']([^"']+\.parquet)["']""")


def damaged_file(message: str) -> tuple[bool, str | None]:
    """Whether a reader's error message (DuckDB's, pyarrow's) says a data file is damaged, and the file it names.

    >>> damaged_file("Invalid Input Error: Footer length error in file 'data/bad.parquet'")
    (True, 'data/bad.parquet')
    >>> damaged_file("Binder Error: column x not found")
    (False, None)
    """
    if not _DAMAGE.search(message):
        return False, None
    found = _NAMED.search(message)
    return True, (found.group(1) or found.group(2)) if found else None


#: the suffixes of a one-file table, in any case (``orders.PARQUET`` from a Windows export, ``.parq``, ``.pq``);
#: part files in a table's folder end in ``.parquet``, as every writer of partitioned data names them
TABLE_SUFFIXES = (".parquet", ".parq", ".pq")


def hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def check_inside(path: Path, root: Path, *, follow_symlinks: bool = False) -> None:
    """Refuse ``path`` when it resolves (through symlinks) outside ``root``."""
    if follow_symlinks:
        return
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(real_root):
        raise OutsideInputError(
            f"{path} is a symlink leading outside the dataset ({real}); refusing to read it")


def _parts(table_dir: Path, root: Path, follow_symlinks: bool) -> list[Path]:
    found: list[Path] = []
    for here, dirs, files in os.walk(table_dir, followlinks=follow_symlinks):
        base = Path(here)
        dirs[:] = sorted(d for d in dirs if not hidden(d))
        for d in dirs:
            if (base / d).is_symlink():
                check_inside(base / d, root, follow_symlinks=follow_symlinks)
        for f in files:
            if not hidden(f) and f.endswith(".parquet"):
                check_inside(base / f, root, follow_symlinks=follow_symlinks)
                found.append(base / f)
    return sorted(found)


def find_tables(root: Path, *, follow_symlinks: bool = False) -> list[TableLayout]:
    """The tables of a dataset directory, sorted by name (an empty list when it holds no parquet)."""
    tables: list[TableLayout] = []
    for entry in sorted(Path(root).iterdir()):
        if hidden(entry.name):
            continue
        if entry.is_file() and entry.suffix.lower() in TABLE_SUFFIXES:
            check_inside(entry, root, follow_symlinks=follow_symlinks)
            tables.append(TableLayout(entry.stem, (entry,)))
        elif entry.is_dir():
            check_inside(entry, root, follow_symlinks=follow_symlinks)
            parts = _parts(entry, root, follow_symlinks)
            if parts:
                hive = any("=" in p for f in parts for p in f.relative_to(entry).parts[:-1])
                tables.append(TableLayout(entry.name, tuple(parts), entry, hive))
    return tables
