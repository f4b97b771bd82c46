"""Where the files that pass between the processes of one run live.

By default that is the client's staging directory, which every worker sees at the same path (one machine, or a
shared filesystem mounted alike everywhere). With ``--staging-dir URI`` (``s3://bucket/tmp``, any filesystem of
:mod:`destination`) object storage stands in for it, so workers on machines that share no filesystem still pass
each other their files: the chunks round 1 spills, the parent columns later tables read, the part files the client
fetches when defects rewrite them.

Files are named by keys relative to the staging directory, and every process resolves a key under a root of its
own (:meth:`Stage.root`): the client's is the staging directory; a worker's, with object storage, a scratch
directory where it writes before uploading and keeps what it downloads (a parent's spilled columns are memory-mapped
from there). A worker never opens a path of the client's.

>>> import tempfile
>>> here = Stage(tempfile.mkdtemp())
>>> here.dump("a.pieces", [1, 2]); here.load("a.pieces"); here.foreign
[1, 2]
False
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import socket
import tempfile
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

from datagen_contracts.staging import alive

from ..errors import DatagenError
from .destination import Destination, upload

SCRATCH = "datagen-worker-"


def this_process() -> str:
    """This process, among every machine's (a forked worker has a pid of its own)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Stage:
    """One run's staging: the client's directory ``local``, and the object storage ``shared`` standing in for it
    where workers share no filesystem with the client (None: they see ``local`` itself)."""

    local: str
    shared: Destination | None = None
    client: str = field(default_factory=this_process)

    @property
    def foreign(self) -> bool:
        """Whether this process is a worker that sees the staging only through the object storage."""
        return self.shared is not None and this_process() != self.client

    def root(self) -> Path:
        """The directory this process resolves keys under."""
        return scratch(Path(self.local).name) if self.foreign else Path(self.local)

    def path(self, key: str) -> Path:
        return self.root() / key

    def key(self, path: Path) -> str:
        return Path(path).relative_to(self.root()).as_posix()

    def _remote(self, key: str) -> str:
        assert self.shared is not None
        return f"{self.shared.base}/{key}"

    def dump(self, key: str, obj: Any) -> None:
        """Pickle ``obj`` as ``key``: uploaded by a foreign worker (for another to read), written locally else."""
        try:
            if self.foreign:
                assert self.shared is not None
                self.shared.fs.create_dir(self._remote(key).rsplit("/", 1)[0], recursive=True)
                with self.shared.fs.open_output_stream(self._remote(key)) as out:
                    pickle.dump(obj, out, protocol=pickle.HIGHEST_PROTOCOL)
                return
            path = self.path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as out:
                pickle.dump(obj, out, protocol=pickle.HIGHEST_PROTOCOL)
        except (OSError, pa.ArrowException) as exc:
            raise DatagenError(f"cannot write {key} to the staging area: {exc}") from None

    def load(self, key: str) -> Any:
        """What :meth:`dump` wrote (our own file, written in this run)."""
        try:
            if self.foreign:
                assert self.shared is not None
                with self.shared.fs.open_input_stream(self._remote(key)) as back:
                    return pickle.loads(back.readall())
            with open(self.path(key), "rb") as back:
                return pickle.load(back)
        except (OSError, pa.ArrowException) as exc:
            raise DatagenError(f"cannot read {key} from the staging area: {exc}") from None

    def drop(self, key: str) -> None:
        """Remove what :meth:`dump` wrote, once read."""
        with contextlib.suppress(OSError, pa.ArrowException):
            if self.foreign:
                assert self.shared is not None
                self.shared.fs.delete_file(self._remote(key))
            else:
                self.path(key).unlink()

    def put(self, key: str) -> None:
        """Upload this process's file ``key`` for the other processes (nothing to do without object storage)."""
        if self.shared is None:
            return
        try:
            upload(self.path(key), self.shared, key)
        except (OSError, pa.ArrowException) as exc:
            raise DatagenError(f"cannot upload {key} to the staging area {self.shared.uri}: {exc}") from None

    def get(self, key: str) -> Path:
        """The local path of ``key``: this process's own file, or its copy downloaded from the object storage."""
        path = self.path(key)
        if self.shared is None or path.exists():
            return path
        part = path.with_name(f"{path.name}.part-{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            pafs.copy_files(self._remote(key), str(part), source_filesystem=self.shared.fs,
                            destination_filesystem=pafs.LocalFileSystem())
            os.replace(part, path)  # whole or absent, whatever thread reads it next
        except (OSError, pa.ArrowException) as exc:
            part.unlink(missing_ok=True)
            raise DatagenError(f"cannot download {key} from the staging area {self.shared.uri}: {exc}") from None
        return path

    def discard(self) -> None:
        """Remove the run's objects from the object storage (best effort)."""
        if self.shared is not None:
            with contextlib.suppress(OSError, pa.ArrowException):
                self.shared.fs.delete_dir(self.shared.base)


def scratch(run: str) -> Path:
    """This worker process's directory for ``run`` (made on first use, after removing those of dead processes)."""
    top = Path(tempfile.gettempdir())
    mine = top / f"{SCRATCH}{run}-{os.getpid()}"
    if not mine.is_dir():
        for old in top.glob(f"{SCRATCH}*"):
            pid = old.name.rpartition("-")[2]
            if pid.isdigit() and not alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        mine.mkdir(parents=True, exist_ok=True)
    return mine


def drop_scratch(run: str) -> int:
    """Remove this machine's worker directories of ``run``; how many there were (run on each worker at the end)."""
    found = list(Path(tempfile.gettempdir()).glob(f"{SCRATCH}{run}-*"))
    for path in found:
        shutil.rmtree(path, ignore_errors=True)
    return len(found)


def clean_up(stage: Stage, executor: Executor | None) -> None:
    """At the end of a run staged on object storage: its objects, and the workers' scratch directories — on this
    machine, and on every worker of a Dask cluster (another executor's remote machines remove theirs when a later
    run starts there and finds their process gone)."""
    stage.discard()
    run = Path(stage.local).name
    drop_scratch(run)
    client = getattr(executor, "_client", None)
    if client is not None:
        with contextlib.suppress(Exception):  # best effort: the run's outcome is the news
            client.run(drop_scratch, run)
