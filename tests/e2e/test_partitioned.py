"""A dataset with partitioned tables (``datagen generate --partition-rows``) through the other stages: crunch
reads each folder of parts as one table, approve seals every part, verify checks them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from datacruncher.cli import main as cruncher
from datapolisher.cli import main as polisher

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> None:
    res = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]


def test_crunch_and_approve_read_partitioned_tables(tmp_path: Path) -> None:
    out = tmp_path / "saas"
    _run("datagen_core", "generate", str(REPO / "examples" / "schemas" / "saas_subscription.json"), "-o", str(out),
         "--scale", "0.2", "--partition-rows", "20000", "-q")
    meta = json.loads((out / ".metadata.json").read_text())
    parted = {t["name"]: t for t in meta["tables"] if len(t["files"]) > 1}
    assert parted, [(t["name"], t["rows"]) for t in meta["tables"]]
    report = tmp_path / "crunch_report.json"
    res = CliRunner().invoke(cruncher, ["crunch", str(out), "-o", str(report)])
    assert res.exit_code in (0, 1), res.output  # 1: the gate's verdict on issues, not a reading failure
    model = {t["name"]: t for t in json.loads(report.read_text())["model"]["tables"]}
    for name, t in parted.items():
        assert model[name]["rows"] == t["rows"]  # every part read, as one table
        assert model[name]["primary_key"] == t["primary_key"]
    res = CliRunner().invoke(polisher, ["polish", str(report), "--path", "approve", "-o", str(tmp_path / "ok")])
    assert res.exit_code == 0, res.output
    manifest = (tmp_path / "ok" / ".manifest.yaml").read_text()
    assert all(f["path"] in manifest for t in parted.values() for f in t["files"])
    res = CliRunner().invoke(polisher, ["verify", str(tmp_path / "ok")])
    assert res.exit_code == 0 and "verified" in res.output, res.output
