"""Running the other stages through their CLIs (never by import): ``datagen generate``, ``datacruncher crunch``.

``DATAPOLISHER_DATAGEN`` / ``DATAPOLISHER_DATACRUNCHER`` may name the executables (tests and unusual installs);
set but empty, they say the stage is not installed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .errors import StageError

CRUNCH_OK = (0, 1)  # 1 = a gate triggered: the report is still written


@dataclass
class StageResult:
    command: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def command_line(self) -> str:
        return shlex.join(self.command)


def environment_scripts() -> str:
    """Where this Python environment installs console scripts (a venv's ``bin``)."""
    return sysconfig.get_path("scripts")


def executable(name: str) -> str | None:
    """The stage's CLI: ``$DATAPOLISHER_<NAME>`` (set but empty: not installed), else on ``PATH``, else beside
    datapolisher in its own environment (so ``venv/bin/datagen polish --auto`` works without activating it)."""
    override = os.environ.get(f"DATAPOLISHER_{name.upper()}")
    if override is not None:
        return override or None
    return shutil.which(name) or shutil.which(name, path=environment_scripts())


def _run(cmd: list[str], ok: tuple[int, ...] = (0,)) -> StageResult:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    result = StageResult(cmd, proc.returncode, proc.stdout, proc.stderr)
    if proc.returncode not in ok:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise StageError(f"`{shlex.join(cmd)}` failed (exit {proc.returncode}):\n  " + "\n  ".join(tail))
    return result


def check(schema: Path) -> StageResult:
    exe = executable("datagen")
    if exe is None:
        raise StageError(f"datagen is not on PATH; run: datagen check {schema}")
    return _run([exe, "check", str(schema)])


def generate(schema: Path, seed: int | None, output: Path, *, overwrite: bool = False,
             scale: float | None = None, partition_rows: int | None = None) -> StageResult:
    exe = executable("datagen")
    seed_args = (["--seed", str(seed)] if seed is not None else []) + (["--scale", str(scale)] if scale else [])
    seed_args += ["--partition-rows", str(partition_rows)] if partition_rows is not None else []
    if exe is None:
        raise StageError(f"datagen is not on PATH; run: datagen generate {schema} {' '.join(seed_args)} -o {output}")
    return _run([exe, "generate", str(schema), *seed_args, "-o", str(output), *(["--overwrite"] if overwrite else [])])


def crunch(data: Path, report: Path, *, schema: Path | None = None, personas: list[str] | None = None) -> StageResult:
    exe = executable("datacruncher")
    extra = (["--schema", str(schema)] if schema else []) + (["--personas", ",".join(personas)] if personas else [])
    if exe is None:
        raise StageError(f"datacruncher is not on PATH; run: datacruncher crunch {data} -o {report} {' '.join(extra)}")
    return _run([exe, "crunch", str(data), "-o", str(report), *extra], ok=CRUNCH_OK)
