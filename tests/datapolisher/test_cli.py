"""CLI wiring: output streams, exit codes, prompts. The behaviour itself is tested per module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from polisher_builders import write_report

from datapolisher.cli import main, polish


@pytest.fixture
def in_shop_dir(shop: Path, shop_report: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(shop.parent)
    return shop.parent


def test_mode_is_required_and_exclusive(in_shop_dir: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["polish"]).exit_code == 2
    assert runner.invoke(main, ["polish", "--auto", "--path", "approve"]).exit_code == 2


def test_default_report_and_postprocess(in_shop_dir: Path, no_stages: None) -> None:
    result = CliRunner().invoke(main, ["polish", "--path", "postprocess", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["output_dir"].endswith("output_polished") and len(payload["fixes"]) == 9
    assert (in_shop_dir / "postprocess.sql").is_file() and (in_shop_dir / "postprocess.py").is_file()
    again = CliRunner().invoke(main, ["polish", "--path", "postprocess"])
    assert again.exit_code == 2 and "already exists" in again.output


def test_approve_refused_then_forced_then_verify_and_export(in_shop_dir: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(main, ["polish", "crunch_report.json", "--path", "approve"])
    assert refused.exit_code == 1 and "critical issue(s) remain" in refused.output
    assert runner.invoke(main, ["polish", "--path", "approve", "--force"]).exit_code == 2  # no --reason
    forced = runner.invoke(main, ["polish", "--path", "approve", "--force", "--reason", "training data"])
    assert forced.exit_code == 0 and "approved shop" in forced.output
    assert runner.invoke(main, ["verify", "output"]).exit_code == 0
    exported = runner.invoke(main, ["export", "output", "--format", "frictionless", "-o", "dp.json"])
    assert exported.exit_code == 0 and (in_shop_dir / "dp.json").is_file()
    (in_shop_dir / "output" / "order.parquet").write_bytes(b"PAR1 changed")
    failed = runner.invoke(main, ["verify", "output"])
    assert failed.exit_code == 1 and "size mismatch: order.parquet" in failed.output


def test_stale_report_is_an_input_error(in_shop_dir: Path) -> None:
    (in_shop_dir / "output" / "user.parquet").unlink()
    result = CliRunner().invoke(main, ["polish", "--path", "approve"])
    assert result.exit_code == 2 and "has changed since" in result.output and "Traceback" not in result.output


def test_missing_report_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(polish, ["--auto"])  # the command mounted as `datagen polish`
    assert result.exit_code == 2 and "crunch report not found" in result.output


def test_interactive_prompts_per_group(in_shop_dir: Path, no_stages: None) -> None:
    # groups in report order: type_drift, orphans, temporal_parent, inverted_interval, duplicate_key,
    # money_precision, code_variants, whitespace, nullable — skip the orphans, take defaults for the rest
    answers = "\nskip\n" + "\n" * 7
    result = CliRunner().invoke(main, ["polish", "--interactive"], input=answers)
    assert result.exit_code == 0, result.output
    assert "fix by" in result.output
    assert "drop order rows" not in result.output and "round order.unit price" in result.output


def test_auto_prints_rounds_and_summary(shop: Path, fake_stages: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shop.parent)
    write_report(shop, shop.parent / "crunch_report.json", [], dataset_path="output/")
    result = CliRunner().invoke(main, ["polish", "--auto", "-o", "polished/"])
    assert result.exit_code == 0, result.output
    assert "nothing left" in result.output and "approved: " in result.output
    assert CliRunner().invoke(main, ["verify", "polished"]).exit_code == 0


def test_version_reads_like_the_other_clis() -> None:
    from datapolisher.__about__ import __version__

    assert CliRunner().invoke(main, ["--version"]).output == f"datapolisher {__version__}\n"


@pytest.mark.skipif(__import__("datagen_contracts.llm").llm.available(),
                    reason="checks the message shown when the [llm] extra is missing")
def test_llm_model_without_the_extra_says_how_to_install_it(shop_report, tmp_path) -> None:
    from click.testing import CliRunner

    from datapolisher.cli import main

    res = CliRunner().invoke(main, ["polish", str(shop_report), "--llm-model", "openai/x", "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "pip install 'datapolisher[llm]'" in res.output
    assert not (tmp_path / "o").exists()


def test_llm_model_is_a_mode_of_its_own(shop_report, tmp_path) -> None:
    from click.testing import CliRunner

    from datapolisher.cli import main

    res = CliRunner().invoke(main, ["polish", str(shop_report), "--auto", "--llm-model", "openai/x"])
    assert res.exit_code == 2 and "--llm-model M" in res.output


def test_python_dash_m_runs_the_command() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "datapolisher", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "Usage: datapolisher" in done.stdout
