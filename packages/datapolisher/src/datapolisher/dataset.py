"""A dataset directory on disk: its parquet tables, file checksums and fingerprint.

The layout follows datacruncher's catalog: each ``*.parquet`` file is a table named after the file, each
sub-directory holding parquet files is one table; hidden entries (``.x``, ``_x``) are ignored. The fingerprint
is the one datacruncher writes into ``crunch_report.json``, so a report can be matched to its data.

>>> import tempfile, pathlib, polars as pl
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pl.DataFrame({"id": [1]}).write_parquet(d / "order.parquet")
>>> [t.name for t in find_tables(d)]
['order']
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from datagen_contracts import layout
from datagen_contracts.fingerprint import dataset_fingerprint
from datagen_contracts.staging import OutputBusyError, output_lock, staging_path

from .errors import InputError, OutputExistsError


@dataclass(frozen=True)
class TableFiles:
    name: str
    files: tuple[Path, ...]
    directory: Path | None = None  # set when the table is a directory of part files

    def relative_source(self, root: Path) -> str:
        """What ``read_parquet`` reads, relative to the dataset root: ``t.parquet`` or ``t/**/*.parquet``."""
        if self.directory is not None:
            return self.directory.relative_to(root).as_posix() + "/**/*.parquet"
        return self.files[0].relative_to(root).as_posix()


def find_tables(path: Path, *, follow_symlinks: bool = False) -> list[TableFiles]:
    """The tables of a dataset directory, sorted by name (the layout rule of ``datagen_contracts.layout``); a
    symlink leading outside the directory is refused unless ``follow_symlinks``."""
    if not path.is_dir():
        raise InputError(f"dataset directory not found: {path}")
    try:
        found = layout.find_tables(path, follow_symlinks=follow_symlinks)
    except layout.DatasetLayoutError as exc:
        raise InputError(str(exc)) from None
    delta = [t.name for t in found if t.log == "delta"]
    if delta:
        raise InputError(f"{delta[0]} is a Delta Lake table (its folder keeps the files of past versions beside the "
                         "current ones): datapolisher rewrites plain parquet, and its scripts read every file of a "
                         "folder; export the current version to plain parquet first, e.g. with the deltalake "
                         "package: pyarrow.parquet.write_table(deltalake.DeltaTable(path).to_pyarrow_table(), "
                         "'table.parquet'), then crunch and polish that")
    text = sorted(f.name for f in path.iterdir() if f.is_file() and not layout.hidden(f.name)
                  and re.search(r"\.(csv|tsv|tab|psv|jsonl|ndjson)(\.gz|\.zst)?$", f.name, re.IGNORECASE))
    if text:  # beside parquet tables too: the report covers them (its fingerprint included), the output could not
        shown = ", ".join(repr(n) for n in text[:3]) + (" …" if len(text) > 3 else "")
        what = "no parquet files in" if not found else "text tables beside the parquet ones in"
        raise InputError(f"{what} {path}: {shown} {'are' if len(text) > 1 else 'is'} text, which datacruncher reads "
                         f"but datapolisher does not rewrite; convert {'them' if len(text) > 1 else 'it'} to parquet first, e.g. "
                         f"duckdb -c \"COPY (FROM '{path}/{text[0]}') TO '{path}/{text[0].split('.')[0]}.parquet'\" "
                         "(then move the text file away), and crunch and polish that directory")
    if not found:
        raise InputError(f"no parquet files in {path}")
    renames = _names_from_metadata(path, found)
    return [TableFiles(renames.get(t.name, t.name), t.files, t.directory) for t in found]


def _names_from_metadata(path: Path, found: list[layout.TableLayout]) -> dict[str, str]:
    """Tables to call as the dataset's ``.metadata.json`` does (``Kunden Liste`` for ``Kunden_Liste-<hash>.parquet``):
    the names the schema and datacruncher's report use. Without readable metadata, the files' names stand."""
    from datagen_contracts.errors import ContractError
    from datagen_contracts.metadata import FILENAME, load_metadata

    if not (path / FILENAME).is_file():
        return {}
    try:
        meta = load_metadata(path / FILENAME)
    except ContractError:
        return {}  # the inputs' own reading says what is wrong with it
    return layout.names_from_metadata([(t.name, t.files) for t in found], path, meta.table_of_files())


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def data_files(path: Path) -> list[Path]:
    """Every parquet file of the dataset, sorted."""
    return sorted(f for t in find_tables(path) for f in t.files)


def directory_files(root: Path) -> list[tuple[str, bool]]:
    """Every file below ``root``, hidden ones included, as (posix path relative to root, is a symlink); symlinks
    (to files or folders) are listed, never followed."""
    out = []
    for here, dirs, files in os.walk(root, followlinks=False):
        base = Path(here)
        links = [d for d in dirs if (base / d).is_symlink()]
        dirs[:] = sorted(d for d in dirs if d not in links)
        for name in [*files, *links]:
            p = base / name
            out.append((p.relative_to(root).as_posix(), p.is_symlink()))
    return sorted(out)


def fingerprint(path: Path) -> str:
    """The dataset fingerprint datacruncher writes into its report (datagen_contracts.fingerprint)."""
    return dataset_fingerprint(path, data_files(path))


def ensure_absent(path: Path, *, overwrite: bool = False) -> None:
    """Refuse an existing output (file or directory) unless ``overwrite``."""
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} already exists; choose another -o or pass --overwrite")


@contextmanager
def staged_directory(target: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling of ``target``; on success rename it into place, on failure remove it.

    Nothing half-written is ever visible at ``target``: an exception inside the block leaves the old state. The
    output is locked for the block (a second run into it fails clearly) and the staging is named after this
    process, so what a crash leaves is removed by the next run (``datagen_contracts.staging``).
    """
    ensure_absent(target, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with output_lock(target):
            ensure_absent(target, overwrite=overwrite)  # again, now that no other run can create it
            tmp = staging_path(target)
            tmp.mkdir()
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o777 & ~mask)
            try:
                yield tmp
                if target.exists():
                    old = staging_path(target, "old")
                    target.rename(old)
                    tmp.rename(target)
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    tmp.rename(target)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except OutputBusyError as exc:  # another run holds the output (a busy error from inside the block means the same)
        raise OutputExistsError(str(exc)) from None
