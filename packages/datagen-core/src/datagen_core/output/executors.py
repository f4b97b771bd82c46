"""``--executor``: where chunks run. ``processes:N`` is a local process pool; ``dask://HOST:PORT`` a Dask
distributed scheduler (the ``[dask]`` extra, imported only then). Workers write the output files themselves
(:mod:`scaleout`), so they must see the output directory's parent at the same path: one machine, or a shared
filesystem mounted alike on every worker.

>>> parse("processes:4"), parse("dask://10.0.0.5:8786"), parse("dask://[::1]:8786")
(('processes', '4'), ('dask', 'tcp://10.0.0.5:8786'), ('dask', 'tcp://[::1]:8786'))
>>> parse("threads")
Traceback (most recent call last):
...
datagen_core.errors.DatagenError: --executor must be processes:N or dask://HOST:PORT, got 'threads'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from ..errors import DatagenError

_DASK = re.compile(r"^dask://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


def parse(spec: str) -> tuple[str, str]:
    if (m := re.fullmatch(r"processes:(\d{1,4})", spec)) and int(m.group(1)) >= 1:
        return "processes", m.group(1)
    if m := _DASK.match(spec):
        return "dask", f"tcp://{m.group(1)}:{m.group(2)}"
    raise DatagenError(f"--executor must be processes:N or dask://HOST:PORT, got {spec!r}")


@contextmanager
def open_executor(spec: str | None) -> Iterator[Executor | None]:
    """The executor ``spec`` names, shut down on exit. ``processes:1`` is a pool of one worker process: the
    distributed path (chunks and parts as tasks, files written by the worker) on one worker — a rehearsal of a
    cluster run, and the baseline adding workers is measured against; ``--workers 1`` is the one-process engine."""
    if spec is None:  # the one-process engine
        yield None
        return
    kind, arg = parse(spec)
    if kind == "processes":
        pool = ProcessPoolExecutor(max_workers=int(arg))
        try:
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)  # an error or Ctrl-C does not wait for queued chunks
        return
    try:
        from distributed import Client
    except ImportError:
        raise DatagenError("--executor dask:// needs Dask: pip install 'datagen-core[dask]'") from None
    try:
        client = Client(arg, timeout="5s")
    except OSError as exc:
        raise DatagenError(f"cannot reach the Dask scheduler at {arg}: {exc}") from None
    try:
        yield client.get_executor(pure=False)  # no hashing of every task's arguments
    finally:
        client.close()


def depth(executor: Executor) -> int:
    """Tasks in flight: twice the workers (a process pool's, or a Dask cluster's threads)."""
    workers = getattr(executor, "_max_workers", None)
    client = getattr(executor, "_client", None)
    if workers is None and client is not None:
        workers = sum(client.nthreads().values())
    return max(2, 2 * (workers or 2))
