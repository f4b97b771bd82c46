"""The three pipelines of the seed ``three_system_architecture.md``, with its command lines as written.

Each runs in a fresh directory on a copy of ``examples/schemas/ecommerce.json`` scaled down (row counts only)
with defects injected, through the installed CLIs exactly as a new user types them. Skipped, with the reason,
unless the ``datagen`` and ``datacruncher`` CLIs are installed (they are in the full workspace run).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "schemas" / "ecommerce.json"

pytestmark = [
    pytest.mark.skipif(shutil.which("datagen") is None, reason="the datagen CLI (datagen-core) is not installed"),
    pytest.mark.skipif(shutil.which("datacruncher") is None, reason="the datacruncher CLI is not installed"),
    pytest.mark.skipif(not EXAMPLE.is_file(), reason=f"{EXAMPLE} is not there"),
]

INJECTED = [
    {"kind": "temporal_violation", "target": "order.ordered_at", "rate": 0.05},
    {"kind": "duplicate_pk", "target": "order.order_id", "rate": 0.01},
]


def _schema(path: Path, *, defects: bool = True) -> Path:
    schema = json.loads(EXAMPLE.read_text())
    for node in schema["nodes"]:
        if node.get("rows"):
            node["rows"] = min(node["rows"], 300)
    schema["defects"] = [*schema.get("defects", []), *INJECTED] if defects else []
    path.write_text(json.dumps(schema, indent=2))
    return path


def run(cwd: Path, line: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    """One command line of the seed, run in ``cwd`` (``python`` is this interpreter)."""
    args = shlex.split(line)
    if args[0] == "python":
        args[0] = sys.executable
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode in ok, f"{line} → exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _report(cwd: Path, name: str = "crunch_report.json") -> dict:
    return json.loads((cwd / name).read_text())


def _rules(report: dict, severity: str | None = None) -> set[str]:
    return {i["rule_id"] for i in report["issues"] if severity is None or i["severity"] == severity}


def test_scenario_1_issues_found_auto_fix_approve(tmp_path: Path) -> None:
    _schema(tmp_path / "schema.json")
    run(tmp_path, "datagen generate schema.json --seed 42 -o output/")
    run(tmp_path, "datagen crunch output/ --schema schema.json -o crunch_report.json")
    before = _report(tmp_path)
    assert {"pk_duplicates", "temporal_fk"} <= _rules(before, "critical")
    run(tmp_path, "datagen polish crunch_report.json --auto -o polished/")
    assert (tmp_path / "schema_improved.json").is_file() and (tmp_path / "polish_summary.json").is_file()
    run(tmp_path, "datagen crunch polished/ --schema schema.json")
    after = _report(tmp_path)
    assert after["dataset"]["path"].rstrip("/") == "polished"
    assert not _rules(after) & {"pk_duplicates", "temporal_fk", "duplicate_rows", "fk_orphans", "negative_amounts"}
    assert after["summary"].get("critical", 0) == 0
    run(tmp_path, "datagen polish crunch_report.json --path approve")
    assert (tmp_path / "polished" / ".manifest.yaml").is_file()
    run(tmp_path, "datapolisher verify polished")
    assert (tmp_path / "output" / ".manifest.yaml").exists() is False  # the input was never touched


def test_scenario_2_iterative_refinement(tmp_path: Path) -> None:
    _schema(tmp_path / "schema_v1.json")
    run(tmp_path, "datagen generate schema_v1.json -o output_v1/")
    run(tmp_path, 'datagen crunch output_v1/ --personas "VP Growth,CFO"')
    assert _report(tmp_path)["dataset"]["path"].rstrip("/") == "output_v1"
    # the manual fix: schema_v2 is schema_v1 without the injected defects
    _schema(tmp_path / "schema_v2.json", defects=False)
    run(tmp_path, "datagen generate schema_v2.json -o output_v2/")
    run(tmp_path, 'datagen crunch output_v2/ --personas "VP Growth,CFO"')
    report = _report(tmp_path)
    assert report["summary"].get("critical", 0) == 0
    run(tmp_path, "datagen polish crunch_report.json --path approve")
    run(tmp_path, "datapolisher verify output_v2")
    manifest = (tmp_path / "output_v2" / ".manifest.yaml").read_text()
    assert "VP Growth" in manifest and "crunch_report_sha256" in manifest


def test_scenario_3_postprocessing_only(tmp_path: Path) -> None:
    _schema(tmp_path / "schema.json")
    run(tmp_path, "datagen generate schema.json -o output/")
    run(tmp_path, "datagen crunch output/")
    assert {"pk_duplicates", "temporal_fk"} <= _rules(_report(tmp_path), "critical")
    refused = run(tmp_path, "datagen polish crunch_report.json --path approve", ok=(1,))
    assert "critical issue(s) remain" in refused.stderr
    run(tmp_path, "datagen polish crunch_report.json --path postprocess")
    assert (tmp_path / "postprocess.sql").is_file() and (tmp_path / "output_polished").is_dir()
    applied = run(tmp_path, "python postprocess.py")
    assert "already up to date" in applied.stdout
    if shutil.which("duckdb"):
        subprocess.run("duckdb < postprocess.sql", shell=True, cwd=tmp_path, check=True)
    run(tmp_path, "datagen crunch output_polished/")
    after = _report(tmp_path)
    assert not _rules(after) & {"pk_duplicates", "temporal_fk", "duplicate_rows", "fk_orphans", "ids_as_float"}
    assert after["summary"].get("critical", 0) == 0
    run(tmp_path, "datagen polish crunch_report.json --path approve")
    run(tmp_path, "datapolisher verify output_polished")
    run(tmp_path, "datapolisher export output_polished --format frictionless")


def test_seed_ci_example(tmp_path: Path) -> None:
    _schema(tmp_path / "schema.json")
    run(tmp_path, "datagen generate schema.json --seed 42 -o output/")
    run(tmp_path, "datagen crunch output/ --fail-on-critical", ok=(1,))  # the injected defects trip the gate
    run(tmp_path, "datagen crunch output/")
    run(tmp_path, "datagen polish --auto")
    run(tmp_path, "datagen crunch output_polished/ --fail-on-critical")
