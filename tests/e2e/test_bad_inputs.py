"""The bad-input corpus, run against every CLI: the documented exit code, one clear message, no traceback,
nothing written.

Each case builds its input in a fresh directory, snapshots the directory, runs one command line, and checks
that the exit code is the documented one (2 for a user or input mistake, 1 for a failed verification), that
stderr carries the expected message and no traceback, and that no file appeared, vanished or changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datagen_contracts.fingerprint import file_sha256

ENV_BIN = str(Path(sys.executable).parent)
PATH = os.pathsep.join([ENV_BIN, os.environ.get("PATH", "")])

pytestmark = [
    pytest.mark.skipif(shutil.which(c, path=PATH) is None, reason=f"the {c} CLI is not installed")
    for c in ("datagen", "datacruncher", "datapolisher")
]

GOOD = {"version": "1.0", "metadata": {"name": "t"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
        "constraints": {}, "nodes": [{"id": "u", "rows": 20, "pk": "id", "columns": [
            {"name": "id", "type": "int", "generator": {"sequence": {}}}]}]}


def _schema(d: Path, text: str | dict, name: str = "s.json") -> None:
    (d / name).write_text(text if isinstance(text, str) else json.dumps(text))


def _data(d: Path) -> None:
    (d / "data").mkdir()
    pq.write_table(pa.table({"id": [1, 2, 3], "v": [1.0, 2.0, 3.0]}), d / "data" / "t.parquet")


def _corrupt(d: Path) -> None:
    _data(d)
    (d / "data" / "bad.parquet").write_bytes(b"PAR1 this is not parquet PAR1")


def _empty_file(d: Path) -> None:
    _data(d)
    (d / "data" / "zero.parquet").write_bytes(b"")


def _deep(d: Path) -> None:
    (d / "s.json").write_text(json.dumps(GOOD).replace('"metadata": {', '"metadata": {"x": ' + "[" * 3000 + "]" * 3000
                                                      + ", ", 1))


def _existing_output(d: Path) -> None:
    _schema(d, GOOD)
    (d / "out").mkdir()
    (d / "out" / "keep.txt").write_text("mine")


def _bad_manifest(d: Path) -> None:
    _data(d)
    (d / "data" / ".manifest.yaml").write_text("contract: [unclosed\n")


def _report_for(d: Path) -> None:
    """A real report of ``data/``, then a damaged file slipped in (approve is forced past the changed data)."""
    subprocess.run(["datacruncher", "crunch", "data", "-o", "crunch_report.json"], cwd=d, check=True,
                   env={**os.environ, "PATH": PATH}, capture_output=True)
    (d / "data" / "bad.parquet").write_bytes(b"PAR1 this is not parquet PAR1")


def _report_of_another_kind(d: Path) -> None:
    _data(d)
    (d / "crunch_report.json").write_text(json.dumps({"contract": "datagen.metadata/1"}))


def _no_key(d: Path) -> None:
    _data(d)
    (d / "data" / ".manifest.yaml").write_text("contract: datagen.manifest/1\ndataset_name: x\n")


CASES: list[tuple[str, Callable[[Path], None] | None, list[str], int, str]] = [
    ("malformed JSON", lambda d: _schema(d, '{"version": "1.0",'), ["datagen", "check", "s.json"], 2, "not valid JSON"),
    ("malformed JSON, generate", lambda d: _schema(d, "{"), ["datagen", "generate", "s.json", "-o", "out"], 2,
     "not valid JSON"),
    ("schema not a mapping", lambda d: _schema(d, "[1, 2]"), ["datagen", "plan", "s.json"], 2, "must be an object"),
    ("invalid schema, every problem", lambda d: _schema(d, {**GOOD, "nodez": []}), ["datagen", "check", "s.json"], 2,
     "did you mean 'nodes'"),
    ("missing schema", None, ["datagen", "generate", "nope.json", "-o", "out"], 2, "nope.json"),
    ("deep nesting", _deep, ["datagen", "generate", "s.json", "-o", "out"], 2, "nested more than 64 levels"),
    ("existing output", _existing_output, ["datagen", "generate", "s.json", "-o", "out"], 2, "already exists"),
    ("bad --scale", lambda d: _schema(d, GOOD), ["datagen", "generate", "s.json", "-o", "out", "--scale", "-1"], 2,
     "scale"),
    ("bad --max-memory", lambda d: _schema(d, GOOD), ["datagen", "generate", "s.json", "-o", "o", "--max-memory",
                                                      "x"], 2, "not a size"),
    ("validate without data", lambda d: _schema(d, GOOD), ["datagen", "validate", "s.json", "--data", "none"], 2,
     "none"),
    ("crunch a missing dataset", None, ["datacruncher", "crunch", "nothing", "-o", "r.json"], 2, "not found"),
    ("crunch a corrupt parquet", _corrupt, ["datacruncher", "crunch", "data", "-o", "r.json"], 2, "bad.parquet"),
    ("crunch a zero-byte file", _empty_file, ["datacruncher", "crunch", "data", "-o", "r.json"], 2, "zero.parquet"),
    ("crunch a YAML schema that is not", lambda d: (_data(d), _schema(d, "a: [", "s.yaml")),
     ["datacruncher", "crunch", "data", "--schema", "s.yaml", "-o", "r.json"], 2, "s.yaml"),
    ("crunch with a bad memory limit", _data, ["datacruncher", "crunch", "data", "--memory-limit", "lots", "-o",
                                               "r.json"], 2, "memory-limit"),
    ("crunch writing into the dataset", _data, ["datacruncher", "crunch", "data", "-o", "data/r.json"], 2,
     "inside the dataset"),
    ("discover a missing dataset", None, ["datacruncher", "discover", "nothing"], 2, "not found"),
    ("polish a dataset with a damaged file", lambda d: (_data(d), _report_for(d)),
     ["datapolisher", "polish", "crunch_report.json", "--path", "approve", "--force", "--reason", "x"], 2,
     "bad.parquet"),
    ("polish without a report", None, ["datapolisher", "polish", "--auto"], 2, "crunch_report.json"),
    ("polish a report of another kind", _report_of_another_kind, ["datapolisher", "polish", "crunch_report.json",
                                                                  "--path", "approve"], 2, "metadata"),
    ("polish with two modes", None, ["datapolisher", "polish", "--auto", "--path", "approve"], 2, "exactly one"),
    ("verify a directory without manifest", _data, ["datapolisher", "verify", "data"], 2, "no .manifest.yaml"),
    ("verify a malformed manifest", _bad_manifest, ["datapolisher", "verify", "data"], 1, "manifest unreadable"),
    ("verify with a missing key", _no_key, ["datapolisher", "verify", "data", "--public-key", "k.pub"], 2, "k.pub"),
    ("export a missing directory", None, ["datapolisher", "export", "nothing", "--format", "frictionless"], 2,
     "nothing"),
]


def _snapshot(d: Path) -> dict[str, str]:
    return {p.relative_to(d).as_posix(): (file_sha256(p) if p.is_file() else "dir") for p in sorted(d.rglob("*"))}


@pytest.mark.parametrize(("setup", "args", "code", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(tmp_path: Path, setup: Callable[[Path], None] | None, args: list[str], code: int,
                   message: str) -> None:
    if setup is not None:
        setup(tmp_path)
    before = _snapshot(tmp_path)
    proc = subprocess.run(args, cwd=tmp_path, env={**os.environ, "PATH": PATH}, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == code, (proc.returncode, proc.stdout[-1500:], proc.stderr[-1500:])
    assert message in proc.stderr + proc.stdout, proc.stderr[-1500:]  # check lists problems on stdout
    assert "Traceback" not in proc.stderr + proc.stdout
    assert _snapshot(tmp_path) == before, "a file appeared, vanished or changed"
