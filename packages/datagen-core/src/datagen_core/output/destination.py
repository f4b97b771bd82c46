"""``--output URI``: a dataset published to any filesystem pyarrow or fsspec knows (``s3://``, ``gs://``,
``hdfs://``, ``abfs://``, ``file://``, ``memory://`` …) instead of a local directory.

The dataset is assembled in a local (or, for a Dask cluster, shared) staging directory exactly as for a local
output — every file byte-identical. Workers upload each part file they write (:mod:`scaleout`); the client
uploads the rest. Object stores have no rename, so the commit is the ``.metadata.json``: it is written last,
after every data file, and removed before any work when ``--overwrite`` replaces a dataset, so a reader that
starts from it (every stage does) never sees a half-written dataset. Objects of the replaced dataset that the
new one does not have are deleted after the commit.

>>> is_uri("s3://bucket/run-1"), is_uri("memory://x"), is_uri("out/dir"), is_uri("C:/data"), is_uri("/tmp/x")
(True, True, False, False, False)
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

from datagen_contracts.metadata import FILENAME
from datagen_contracts.staging import staging_path, sweep

from ..errors import DatagenError, OutputExistsError

_URI = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+)://")
_UPLOADS = 8  # files uploaded at once


def is_uri(text: str) -> bool:
    """A ``scheme://`` target (a scheme of two or more characters: ``C:/`` is a Windows path)."""
    return _URI.match(text) is not None


@dataclass(frozen=True)
class Destination:
    """A filesystem and the base path of the dataset in it."""

    uri: str
    fs: pafs.FileSystem
    base: str

    @property
    def shared(self) -> bool:
        """Whether other processes see what this one writes there (``memory://`` lives in one process only):
        only then do workers upload the files they write."""
        return not self.uri.lower().startswith("memory://")

    def files(self) -> list[str]:
        """Paths (relative to the base) of every file under it; empty when nothing is there."""
        try:
            infos = self.fs.get_file_info(pafs.FileSelector(self.base, recursive=True, allow_not_found=True))
        except (OSError, pa.ArrowException) as exc:
            raise DatagenError(f"cannot list {self.uri}: {exc}") from None
        prefix = self.base.rstrip("/") + "/"
        return sorted(i.path[len(prefix):] for i in infos if i.type == pafs.FileType.File and i.path.startswith(prefix))


def open_destination(uri: str) -> Destination:
    """The filesystem of ``uri``: pyarrow's own (s3, gs, hdfs, file) or, for any other scheme, fsspec's."""
    scheme = _URI.match(uri)
    if scheme is None:
        raise DatagenError(f"not a URI: {uri!r}")
    try:
        fs, base = pafs.FileSystem.from_uri(uri)
    except pa.ArrowInvalid as exc:
        if "nrecognized filesystem type" not in str(exc):
            raise DatagenError(f"cannot open {uri}: {exc}") from None
        fs, base = _fsspec(uri, scheme.group("scheme"))
    except (OSError, pa.ArrowException) as exc:
        raise DatagenError(f"cannot open {uri}: {exc}") from None
    base = base.rstrip("/")
    if not base:
        raise DatagenError(f"--output {uri} names no directory (give a path under the bucket or root)")
    return Destination(uri, fs, base)


def _fsspec(uri: str, scheme: str) -> tuple[pafs.FileSystem, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise DatagenError(f"pyarrow does not know {scheme}://; fsspec does: pip install 'datagen-core[fsspec]' "
                           "(plus the filesystem's own package, e.g. adlfs for abfs://)") from None
    try:
        fs, path = url_to_fs(uri)
    except (ImportError, ValueError) as exc:
        raise DatagenError(f"cannot open {uri}: {exc}") from None
    return pafs.PyFileSystem(pafs.FSSpecHandler(fs)), path


def new_staging(staging_dir: str | os.PathLike[str] | None) -> Path:
    """A fresh staging directory under ``staging_dir`` (default: the system's temporary directory), after removing
    those of runs killed there."""
    root = Path(tempfile.gettempdir() if staging_dir is None else staging_dir).absolute()
    try:
        root.mkdir(parents=True, exist_ok=True)
        sweep(root / "datagen-output")
        staging = staging_path(root / "datagen-output")
        staging.mkdir()
    except OSError as exc:
        raise DatagenError(f"cannot make a staging directory in {root}: {exc.strerror or exc}") from None
    return staging


def prepare(dest: Destination, overwrite: bool) -> bool:
    """Before any work: refuse a destination that already holds files, unless ``overwrite`` — then remove its
    ``.metadata.json`` first, since workers may replace its files while they write. True when it was empty."""
    old = dest.files()
    if old and not overwrite:
        raise OutputExistsError(f"output {dest.uri} already holds files (use --overwrite to replace them)")
    if FILENAME in old:
        try:
            dest.fs.delete_file(f"{dest.base}/{FILENAME}")
        except (OSError, pa.ArrowException) as exc:
            raise DatagenError(f"cannot replace the dataset at {dest.uri}: {exc}") from None
    return not old


def discard(dest: Destination) -> None:
    """Remove what a failed run wrote into a destination that was empty (best effort: the run's error is the news)."""
    for rel in dest.files():
        with contextlib.suppress(OSError, pa.ArrowException):
            dest.fs.delete_file(f"{dest.base}/{rel}")


def publish(staging: Path, dest: Destination, overwrite: bool, uploaded: Iterable[str] = ()) -> list[str]:
    """Upload the finished dataset in ``staging`` to ``dest`` — but the files workers ``uploaded`` already —, then
    ``.metadata.json``. Returns the dataset's files."""
    done = set(uploaded)
    old = dest.files()
    if set(old) - done and not overwrite:
        raise OutputExistsError(f"output {dest.uri} already holds files (use --overwrite to replace them)")
    # the files staged here, and those workers uploaded from elsewhere (object storage for staging: see stage)
    new = sorted({p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()} | done)
    data = [rel for rel in new if rel != FILENAME and rel not in done]
    try:
        if FILENAME in old:  # the old dataset stops being one before any of its files changes
            dest.fs.delete_file(f"{dest.base}/{FILENAME}")
        with ThreadPoolExecutor(_UPLOADS, thread_name_prefix="datagen-upload") as pool:  # I/O: the GIL is free
            list(pool.map(lambda rel: upload(staging / rel, dest, rel), data))
        upload(staging / FILENAME, dest, FILENAME)  # the commit
    except (OSError, pa.ArrowException) as exc:
        raise DatagenError(f"cannot write {dest.uri}: {exc} (no .metadata.json was written: no stage reads the "
                           "incomplete output)") from None
    stale = sorted(set(old) - set(new))
    try:
        for rel in stale:
            dest.fs.delete_file(f"{dest.base}/{rel}")
        kept_dirs = {rel.rsplit("/", 1)[0] for rel in new if "/" in rel}
        for folder in sorted({rel.rsplit("/", 1)[0] for rel in stale if "/" in rel} - kept_dirs, reverse=True):
            path = f"{dest.base}/{folder}"  # a folder of parts now empty (object stores have none to delete)
            if dest.fs.get_file_info(path).type == pafs.FileType.Directory and \
                    not dest.fs.get_file_info(pafs.FileSelector(path)):
                dest.fs.delete_dir(path)
    except (OSError, pa.ArrowException) as exc:
        raise DatagenError(f"the dataset is published to {dest.uri}, but files of the one it replaced remain: "
                           f"{exc}") from None
    return new


def build_and_publish(build: Callable[..., Any], uri: str, overwrite: bool,
                      staging_dir: str | os.PathLike[str] | None) -> Any:
    """The engine's run for a URI output: ``build(staging, publish=…, shared=…)`` makes the dataset (workers
    uploading their parts), then :func:`publish` commits it. A run that fails into an empty destination leaves it
    empty. A URI ``staging_dir`` is object storage standing in for a staging directory the workers share
    (:mod:`stage`): the client's own files are staged in the system's temporary directory."""
    dest = open_destination(uri)
    remote = staging_dir is not None and is_uri(str(staging_dir))
    shared = open_destination(str(staging_dir)) if remote else None
    if shared is not None and not shared.shared:
        raise DatagenError(f"--staging-dir {staging_dir}: it exists in this process only, and workers are other "
                           "processes; give a directory, or object storage every worker reaches (s3://…)")
    fresh = prepare(dest, overwrite)  # before any work: refused, or the old dataset uncommitted
    staging = new_staging(None if remote else staging_dir)
    if shared is not None:  # this run's prefix, named like its local staging directory
        shared = Destination(f"{shared.uri.rstrip('/')}/{staging.name}", shared.fs, f"{shared.base}/{staging.name}")
    try:
        result = build(staging, publish=dest if dest.shared else None, shared=shared)
        publish(staging, dest, overwrite, uploaded=result.published)
    except BaseException:
        if fresh:  # what workers uploaded before the failure goes; a replaced dataset is already uncommitted
            discard(dest)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.output = uri
    return result


def upload(local: Path, dest: Destination, rel: str) -> None:
    """Copy one staged file to ``dest`` (a worker uploads the parts it wrote; the client the rest)."""
    target = f"{dest.base}/{rel}"
    dest.fs.create_dir(target.rsplit("/", 1)[0], recursive=True)
    pafs.copy_files(str(local), target, source_filesystem=pafs.LocalFileSystem(), destination_filesystem=dest.fs)
