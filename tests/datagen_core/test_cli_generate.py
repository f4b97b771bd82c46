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


SAAS = str(Path(__file__).resolve().parents[2] / "examples" / "schemas" / "saas_subscription.json")


def test_metadata_lists_scenario_context_and_expectations(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["generate", SAAS, "-o", str(out), "--scale", "0.05", "--quiet",
                                    "--scenario", "growth_stall", "--set", "stress_level=high"])
    assert res.exit_code == 0, res.output
    meta = json.loads((out / ".metadata.json").read_text())
    assert meta["scenario"]["name"] == "growth_stall"
    declared = json.loads(Path(SAAS).read_text())["scenarios"]["growth_stall"]
    assert meta["scenario"]["description"] == declared["description"]
    assert meta["context"] == {"stress_level": "high", "churn_pressure": 2.0}
    [exp] = meta["scenario"]["expectations"]
    assert exp["id"] == "mrr_declines" and exp["kind"] == "trend"
    assert exp["params"] == declared["expect"][0]["params"] and exp["params"]["window"]["start"] == "2025-01-01T00:00:00"


def test_metadata_context_from_set_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["generate", SAAS, "-o", str(out), "--scale", "0.05", "--quiet",
                                    "--set", "churn_pressure=1.5"])
    assert res.exit_code == 0, res.output
    meta = json.loads((out / ".metadata.json").read_text())
    assert meta.get("scenario") is None and meta["context"] == {"stress_level": "normal", "churn_pressure": 1.5}


def test_unwritable_output_location_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    res = CliRunner().invoke(main, ["generate", SIMPLE, "-o", str(blocker / "out"), "--quiet"])
    assert res.exit_code == 2
    assert "cannot write the output directory" in res.stderr and str(blocker / "out") in res.stderr
    assert "Traceback" not in res.output and blocker.read_text() == "not a directory"


def test_progress_in_a_log_is_a_line_every_few_seconds_and_each_table_s_last_count(capsys) -> None:
    """On a log (not a terminal) progress used to be one line per chunk: over 900 lines for a 60M-row run."""
    from datagen_core.cli.generate import LOG_EVERY, _progress

    now = [0.0]
    report = _progress(clock=lambda: now[0])
    for chunk in range(1, 101):  # 100 chunks over 5 seconds
        now[0] = chunk * 0.05
        report("events", chunk * 1000, now[0])
    report("events", -1, now[0])
    report("users", 500, 0.1)  # a table of one chunk
    report("users", -1, 0.1)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 + int(5 / LOG_EVERY) + 1 + 1  # the first, one per LOG_EVERY seconds, the last; users
    assert lines[0].split()[:2] == ["events", "1,000"] and lines[-2].split()[:2] == ["events", "100,000"]
    assert lines[-1].split()[:2] == ["users", "500"]
