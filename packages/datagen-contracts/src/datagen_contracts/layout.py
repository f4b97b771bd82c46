"""The table-file layout rule every stage reads a dataset directory by, with its inputs confined.

Each ``*.parquet`` file at the top (``.PARQUET``, ``.parq`` and ``.pq`` too) is a table named after the file;
each sub-directory holding parquet files (part files, or hive partitions ``k=v/``) is one table named after the
directory. Hidden entries (``.x``, ``_x``, at any depth) are not data: staging directories, markers,
``.metadata.json``. A Delta Lake table's folder (or a dataset that is one) holds only the files its log names
current; an Iceberg table's folder is refused (see *Lakehouse tables* below).

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

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .errors import DatasetLayoutError as DatasetLayoutError  # re-exported: what find_tables raises


class OutsideInputError(DatasetLayoutError):
    """A symlink in a dataset leads outside it."""


@dataclass(frozen=True)
class TableLayout:
    name: str
    files: tuple[Path, ...]
    directory: Path | None = None  # set when the table is a directory of part files
    hive: bool = False  # part files under k=v/ folders
    log: str | None = None  # "delta": the files are the current ones of a Delta table's log, not every file


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
    root = Path(root)
    if is_iceberg(root):
        raise iceberg_refusal(root)
    if is_delta(root):  # the dataset is one Delta table
        table = _delta_table(root, root, follow_symlinks)
        return [table] if table is not None else []
    tables: list[TableLayout] = []
    for entry in sorted(root.iterdir()):
        if hidden(entry.name):
            continue
        if entry.is_file() and entry.suffix.lower() in TABLE_SUFFIXES:
            check_inside(entry, root, follow_symlinks=follow_symlinks)
            tables.append(TableLayout(entry.stem, (entry,)))
        elif entry.is_dir():
            check_inside(entry, root, follow_symlinks=follow_symlinks)
            if is_iceberg(entry):
                raise iceberg_refusal(entry)
            if is_delta(entry):
                table = _delta_table(entry, root, follow_symlinks)
                tables += [table] if table is not None else []
                continue
            parts = _parts(entry, root, follow_symlinks)
            if parts:
                hive = any("=" in p for f in parts for p in f.relative_to(entry).parts[:-1])
                tables.append(TableLayout(entry.name, tuple(parts), entry, hive))
    return tables


def names_from_metadata(tables: Iterable[tuple[str, Sequence[Path]]], root: Path,
                        table_of_files: Mapping[str, str]) -> dict[str, str]:
    """The tables to rename as the dataset's ``.metadata.json`` names them (``table_of_files``: each file's relative
    path → its table): datagen writes a table whose name is no safe file name (``Kunden Liste``) as
    ``Kunden_Liste-<hash>.parquet``, and every stage must call it ``Kunden Liste`` as the schema and the metadata do.
    ``tables`` are (name, files) as a stage found them; a table is renamed when every one of its files is recorded
    for one other name that no other table has. The result maps old names to new ones.

    >>> root = Path("/d")
    >>> found = [("Kunden_Liste-c4ffc7c2", [root / "Kunden_Liste-c4ffc7c2.parquet"]), ("order", [root / "order.parquet"])]
    >>> names_from_metadata(found, root, {"Kunden_Liste-c4ffc7c2.parquet": "Kunden Liste", "order.parquet": "order"})
    {'Kunden_Liste-c4ffc7c2': 'Kunden Liste'}
    """
    found, root = list(tables), Path(root).absolute()
    taken = {name for name, _ in found}
    renames: dict[str, str] = {}
    for name, files in found:
        paths = [Path(f).absolute() for f in files]
        recorded = {table_of_files.get(f.relative_to(root).as_posix()) if f.is_relative_to(root) else None
                    for f in paths}
        if len(recorded) == 1 and (new := recorded.pop()) is not None and new != name and new not in taken:
            renames[name] = new
            taken.add(new)
    return renames


def _delta_table(folder: Path, root: Path, follow_symlinks: bool) -> TableLayout | None:
    """A Delta table's current files (none: no table), ``k=v/`` folders read as hive partitions."""
    files = delta_files(folder)
    for f in files:
        check_inside(f, root, follow_symlinks=follow_symlinks)
    if not files:
        return None
    hive = any("=" in p for f in files for p in f.relative_to(folder).parts[:-1])
    return TableLayout(folder.name, files, folder, hive, log="delta")


# -------------------------------------------------------------------------------- lakehouse tables
# A Delta Lake table (a folder holding ``_delta_log/``) keeps the parquet files of its past versions beside the
# current ones until someone vacuums it. Reading every file in it would count deleted and overwritten rows, so its
# log says which files are current. :func:`delta_files` replays the log's JSON commits from version 0 and returns
# those files. What it cannot read faithfully is refused, with the reason and what to do instead:
#
# - a log trimmed to a checkpoint (checkpoints are parquet, and datagen does not read them);
# - deletion vectors (rows deleted without rewriting their file);
# - column mapping (the files' column names are not the table's);
# - a file path outside the folder.
#
# An Apache Iceberg table (``metadata/*.metadata.json``) lists its current files in Avro manifests. No stage reads
# Avro, so such a folder is refused rather than read whole (:func:`is_iceberg`).

DELTA_LOG = "_delta_log"
_SNAPSHOT = ("export its current version to plain parquet first, e.g. with the deltalake package: "
             "pyarrow.parquet.write_table(deltalake.DeltaTable(path).to_pyarrow_table(), 'table.parquet')")


class LakehouseTableError(DatasetLayoutError):
    """A table folder whose engine's log cannot be read faithfully here."""


def is_delta(folder: Path) -> bool:
    return (folder / DELTA_LOG).is_dir()


def is_iceberg(folder: Path) -> bool:
    meta = folder / "metadata"
    return meta.is_dir() and any(meta.glob("*.metadata.json"))


def iceberg_refusal(folder: Path) -> LakehouseTableError:
    return LakehouseTableError(
        f"{folder} is an Apache Iceberg table: its metadata lists which of its parquet files are current, in Avro "
        "manifests that datagen does not read, and reading every file would count deleted and overwritten rows; "
        "export its current snapshot to plain parquet first, e.g. with pyiceberg: "
        "pyarrow.parquet.write_table(table.scan().to_arrow(), 'table.parquet')")


def delta_files(folder: Path) -> tuple[Path, ...]:
    """The current data files of the Delta table in ``folder``, in path order."""
    log = folder / DELTA_LOG
    commits = sorted((int(p.name[:-5]), p) for p in log.glob("*.json") if p.name[:-5].isdigit())
    if not commits:
        raise LakehouseTableError(f"{folder} is a Delta table with no commit in {log} (an empty or damaged log)")
    if commits[0][0] != 0 or [v for v, _ in commits] != list(range(commits[-1][0] + 1)):
        gap = next(v for v in range(commits[-1][0] + 1) if v not in dict(commits))
        raise LakehouseTableError(
            f"{folder} is a Delta table whose log lacks version {gap} (commits before a checkpoint are cleaned up "
            f"after a while); datagen replays a Delta log's JSON commits from version 0 and does not read "
            f"checkpoints: {_SNAPSHOT}")
    current: dict[str, dict] = {}
    mapping = None
    for _, path in commits:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                action = json.loads(line)
            except ValueError:
                raise LakehouseTableError(f"{path}:{n} is not JSON (a damaged Delta log)") from None
            if not isinstance(action, dict):
                raise LakehouseTableError(f"{path}:{n} is not a Delta log action")
            if isinstance(action.get("add"), dict):
                current[str(action["add"].get("path"))] = action["add"]
            elif isinstance(action.get("remove"), dict):
                current.pop(str(action["remove"].get("path")), None)
            elif isinstance(action.get("metaData"), dict):
                mapping = (action["metaData"].get("configuration") or {}).get("delta.columnMapping.mode")
    if mapping not in (None, "none"):
        raise LakehouseTableError(
            f"{folder} is a Delta table with column mapping ({mapping!r}): its files name their columns apart from "
            f"the table's names; {_SNAPSHOT}")
    deleted = sorted(p for p, add in current.items() if add.get("deletionVector"))
    if deleted:
        raise LakehouseTableError(
            f"{folder} is a Delta table whose deletion vectors remove rows from {len(deleted)} file(s) without "
            f"rewriting them (the first: {deleted[0]}), which datagen cannot apply; {_SNAPSHOT}")
    files = []
    for raw in sorted(current):
        rel = unquote(raw)
        parts = Path(rel).parts
        if ":" in rel.split("/")[0] or Path(rel).is_absolute() or ".." in parts:
            raise LakehouseTableError(f"{folder} is a Delta table whose log lists a file outside it ({raw}); {_SNAPSHOT}")
        f = folder / rel
        if not f.is_file():
            raise LakehouseTableError(f"{folder} is a Delta table whose log lists {rel}, which is missing")
        files.append(f)
    return tuple(files)
