"""CLI wiring of generate/scenarios: streams, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from datagen_core.cli import main

UPSTREAM = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "upstream"
SIMPLE = str(UPSTREAM / "simple_users_events.json")


def test_generate_json_summary_then_existing_output_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    out = str(tmp_path / "out")
    res = runner.invoke(main, ["generate", SIMPLE, "-o", out, "--json", "--quiet"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["rows"]["user"] == 1000 and summary["total_rows"] == sum(summary["rows"].values())
    again = runner.invoke(main, ["generate", SIMPLE, "-o", out])
    assert again.exit_code == 2 and "--overwrite" in again.stderr and "Traceback" not in again.output


def test_bad_set_and_unknown_scenario_are_user_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["generate", SIMPLE, "-o", str(tmp_path / "x"), "--scenario", "nope"])
    assert res.exit_code == 2 and "nope" in res.stderr
    res = runner.invoke(main, ["generate", SIMPLE, "-o", str(tmp_path / "x"), "--set", "oops"])
    assert res.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_scenarios_lists_nothing_for_a_plain_schema() -> None:
    res = CliRunner().invoke(main, ["scenarios", SIMPLE, "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout) == {"parameters": {}, "scenarios": {}}
