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


def test_polish_keeps_the_scale_and_the_parts(tmp_path: Path) -> None:
    """Defects injected into partitioned tables, found, fixed by ``polish --auto``: the schema round regenerates at
    the input's scale with its parts (``--partition-rows`` at its largest part), and the result is clean."""
    out = tmp_path / "shop"
    _run("datagen_core", "generate", str(REPO / "examples" / "schemas" / "ecommerce.json"), "-o", str(out),
         "--scale", "0.1", "--partition-rows", "30000", "-q")
    before = json.loads((out / ".metadata.json").read_text())
    parted = {t["name"] for t in before["tables"] if len(t["files"]) > 1}
    assert parted and {d["target"].split(".")[0] for d in before["defects"]} & parted
    report = tmp_path / "crunch_report.json"
    res = CliRunner().invoke(cruncher, ["crunch", str(out), "--schema", str(REPO / "examples" / "schemas" / "ecommerce.json"),
                                        "-o", str(report), "--fail-on", "high"])
    assert res.exit_code == 1, res.output  # the injected defects fail the gate
    res = CliRunner().invoke(polisher, ["polish", str(report), "--auto", "-o", str(tmp_path / "polished")])
    assert res.exit_code == 0, res.output
    after = json.loads((tmp_path / "polished" / ".metadata.json").read_text())
    assert {t["name"] for t in after["tables"] if len(t["files"]) > 1} == parted
    rows = {t["name"]: t["rows"] for t in before["tables"]}
    for t in after["tables"]:  # the same scale: no table grows tenfold
        assert t["rows"] <= 1.2 * rows[t["name"]] + 10, (t["name"], t["rows"], rows[t["name"]])
    assert "issues after:  critical 0, high 0" in res.output
