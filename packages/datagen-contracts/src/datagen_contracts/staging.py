"""Staging beside an output, owned by a process: what a crash (``kill -9``) leaves is removed by the next run.

Every stage writes an output through a hidden sibling — ``.NAME.tmp-<pid>-<token>`` — renamed into place when
complete. The owner's process id is in the name, so a later run can tell a live writer's staging (left alone)
from a dead one's (removed). While a run writes ``NAME`` it holds ``.NAME.lock`` (created exclusively, holding its
pid): a second run into the same output fails at once with a clear message instead of interleaving; a lock whose
owner is gone is taken over.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with output_lock(d / "out"):
...     staging_path(d / "out").name.startswith(f".out.tmp-{os.getpid()}-")
True
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ContractError

_OWNED = re.compile(r"^\.(?P<name>.+)\.(?:tmp|old|lock)-(?P<pid>\d+)-[0-9a-f]+(?:\.tmp)?$")


class OutputBusyError(ContractError):
    """Another live process is writing the same output."""


def alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    try:  # a killed process not yet reaped by its parent is a zombie: it will never write again
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def staging_path(target: Path, kind: str = "tmp") -> Path:
    """A fresh hidden sibling of ``target`` named after this process: ``.NAME.<kind>-<pid>-<token>``."""
    target = Path(target)
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def sweep(target: Path) -> list[Path]:
    """Remove the staging siblings of ``target`` whose owning process is gone; return what was removed."""
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _OWNED.match(entry.name)
        if m is None or m.group("name") != target.name or alive(int(m.group("pid"))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _lock_owner(lock: Path) -> int | None:
    try:
        text = lock.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def output_lock(target: Path) -> Iterator[Path]:
    """Hold ``.NAME.lock`` beside ``target`` for the block (after sweeping dead owners' staging); raise
    :class:`OutputBusyError` when a live process holds it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.parent / f".{target.name}.lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            owner = _lock_owner(lock)
            if owner is not None and owner != os.getpid() and alive(owner):
                raise OutputBusyError(f"{target} is being written by another run (process {owner}); "
                                      f"wait for it, or remove {lock} if that process is not ours") from None
            lock.unlink(missing_ok=True)  # its owner died (or wrote nothing yet): take it over
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        break
    else:
        raise OutputBusyError(f"{target} is locked by {lock}, which keeps reappearing; another run is starting")
    try:
        sweep(target)
        yield lock
    finally:
        if _lock_owner(lock) == os.getpid():
            lock.unlink(missing_ok=True)
