"""Crash hygiene: ``kill -9`` during generate, crunch and polish loses nothing and leaves nothing behind.

Each command is run once to measure it, then killed (SIGKILL) at fractions of that time drawn from a seeded
generator. After each kill: the inputs are intact (byte for byte), the output is either absent or complete
(its files match its ``.metadata.json``), and the next run — which must succeed — leaves no staging directory,
temporary file, lock or spill directory behind. Two runs into one output: one wins, the other fails clearly.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datagen_contracts import load_metadata
from datagen_contracts.fingerprint import file_sha256

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "schemas" / "ecommerce.json"
ENV_BIN = str(Path(sys.executable).parent)
PATH = os.pathsep.join([ENV_BIN, os.environ.get("PATH", "")])

pytestmark = [
    pytest.mark.skipif(shutil.which(c, path=PATH) is None, reason=f"the {c} CLI is not installed")
    for c in ("datagen", "datacruncher", "datapolisher")
]


def _env(tmp: Path) -> dict[str, str]:
    (tmp / "tmpdir").mkdir(exist_ok=True)
    return {**os.environ, "PATH": PATH, "TMPDIR": str(tmp / "tmpdir")}


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): file_sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _leftovers(where: Path) -> list[str]:
    """Hidden staging/old/lock siblings and spill directories: what a crash may leave."""
    names = [p.name for p in where.iterdir()] + [p.name for p in (where / "tmpdir").iterdir()]
    return sorted(n for n in names if ".tmp-" in n or ".old-" in n or n.endswith(".lock")
                  or n.startswith("datacruncher-"))


def _complete_or_absent(out: Path) -> None:
    if not out.exists():
        return
    meta = load_metadata(out)
    for table in meta.tables:
        for f in table.files:
            assert file_sha256(out / f.path) == f.sha256, f"{out / f.path} is half-written"


def _kill_at(args: list[str], cwd: Path, after: float) -> None:
    proc = subprocess.Popen(args, cwd=cwd, env=_env(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=_env(cwd), capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]  # 1: crunch's gate is not set, polish may refuse
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("crash")
    schema = json.loads(EXAMPLE.read_text())
    for node in schema["nodes"]:
        if node.get("rows"):
            node["rows"] = min(node["rows"] * 2, 40_000)
    (tmp / "schema.json").write_text(json.dumps(schema))
    return tmp


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["generate", "crunch", "polish"])
def test_kill_9_loses_nothing_and_the_next_run_cleans_up(workdir: Path, stage: str) -> None:
    cwd = workdir / stage
    cwd.mkdir()
    shutil.copy(workdir / "schema.json", cwd / "schema.json")
    generate = ["datagen", "generate", "schema.json", "--seed", "5", "-o", "data", "--quiet"]
    crunch = ["datacruncher", "crunch", "data", "--schema", "schema.json", "-o", "crunch_report.json"]
    polish = ["datapolisher", "polish", "crunch_report.json", "--path", "postprocess", "-o", "polished"]
    if stage != "generate":
        assert _timed(generate, cwd) > 0
    if stage == "polish":
        _timed(crunch, cwd)
    command, output = {"generate": (generate, cwd / "data"), "crunch": (crunch, cwd / "crunch_report.json"),
                       "polish": (polish, cwd / "polished")}[stage]
    inputs = {p: _tree(p) if p.is_dir() else file_sha256(p)
              for p in (cwd / "schema.json", cwd / "data", cwd / "crunch_report.json")
              if p.exists() and p != output}
    full = _timed([*command, "--overwrite"] if stage != "crunch" else command, cwd)
    shutil.rmtree(output) if output.is_dir() else output.unlink()
    rng = random.Random(f"crash-{stage}")
    for fraction in sorted(rng.uniform(0.15, 0.95) for _ in range(3)):
        _kill_at(command, cwd, full * fraction)
        for p, before in inputs.items():
            assert (_tree(p) if p.is_dir() else file_sha256(p)) == before, f"{p} changed"
        if output.suffix == ".json":
            assert not output.exists() or json.loads(output.read_text())["contract"].startswith("datagen.crunch")
        else:
            _complete_or_absent(output)
        if output.exists():
            shutil.rmtree(output) if output.is_dir() else output.unlink()
    _timed(command, cwd)  # the next run succeeds, and sweeps what the kills left
    assert _leftovers(cwd) == []
    if output.is_dir():
        _complete_or_absent(output)


def test_two_runs_into_one_output_one_wins_the_other_fails_clearly(workdir: Path) -> None:
    cwd = workdir / "race"
    cwd.mkdir()
    shutil.copy(workdir / "schema.json", cwd / "schema.json")
    args = ["datagen", "generate", "schema.json", "-o", "data", "--quiet"]
    procs = [subprocess.Popen(args, cwd=cwd, env=_env(cwd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    results = [(p.wait(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "being written by another run" in loser or "already exists" in loser, loser
    assert "Traceback" not in loser
    _complete_or_absent(cwd / "data")
    assert _leftovers(cwd) == []
