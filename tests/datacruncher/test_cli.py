from __future__ import annotations

import json

from click.testing import CliRunner

from datacruncher.cli import crunch, main
from datagen_contracts.report import load_report

from .conftest import shop, write


def test_crunch_writes_report_in_cwd_and_summary_on_stderr(tmp_path, monkeypatch):
    data = shop(tmp_path / "data", users=200, orders=600, orphans=30)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["crunch", str(data), "--personas", "Data Engineer", "--json"])
    assert result.exit_code == 0, result.output
    report = load_report(tmp_path / "crunch_report.json")
    assert report.summary.critical == 1
    assert "quality score" in result.stderr and "CRITICAL" in result.stderr
    assert json.loads(result.stdout)["summary"]["critical"] == 1
    assert not any(p.name.startswith("crunch_report") for p in data.iterdir())


def test_gate_exit_codes_and_junit(tmp_path):
    data = shop(tmp_path / "data", users=200, orders=600, orphans=30)
    out, junit = tmp_path / "r.json", tmp_path / "junit.xml"
    r = CliRunner().invoke(crunch, [str(data), "-o", str(out), "--fail-on-critical", "--junit", str(junit),
                                    "--personas", "DE", "--verbose"])
    assert r.exit_code == 1
    assert "TRIGGERED" in r.stderr and "NOT IN (SELECT" in r.stderr  # --verbose prints the SQL
    xml = junit.read_text()
    assert xml.count("<testcase") == len(load_report(out).checks.results) and "<failure" in xml
    clean = shop(tmp_path / "clean", users=200, orders=600)
    r = CliRunner().invoke(crunch, [str(clean), "-o", str(out), "--fail-on-high", "--personas", "DE"])
    assert r.exit_code == 0, r.stderr


def test_usage_errors_exit_2_without_traceback(tmp_path):
    runner = CliRunner()
    r = runner.invoke(crunch, [str(tmp_path / "missing"), "-o", str(tmp_path / "r.json")])
    assert r.exit_code == 2 and "dataset not found" in r.stderr and "Traceback" not in r.output
    write(tmp_path / "bad", "t", {"a": [1]})
    (tmp_path / "bad" / "x.parquet").write_bytes(b"garbage")
    r = runner.invoke(crunch, [str(tmp_path / "bad"), "-o", str(tmp_path / "r.json")])
    assert r.exit_code == 2 and "x.parquet" in r.stderr
    r = runner.invoke(crunch, [str(tmp_path / "bad"), "-o", str(tmp_path / "bad" / "r.json")])
    assert r.exit_code == 2 and "inside the dataset" in r.stderr
    r = runner.invoke(crunch, [str(tmp_path / "bad"), "--personas", "Nobody"])
    assert r.exit_code == 2 and "unknown persona" in r.stderr


def test_check_error_exits_3(tmp_path):
    data = shop(tmp_path / "data", users=50, orders=100)
    p = tmp_path / "p.yaml"
    p.write_text("id: p\nname: P\nfocus: f\nchecks:\n  - id: c\n    title: t\n    over: table\n"
                 "    sql: SELECT nope AS value FROM {table}\n    metric: m\n    severity: {high: '> 0'}\n"
                 "    finding: f\n    fix: {path: none, action: review}\n")
    r = CliRunner().invoke(crunch, [str(data), "-o", str(tmp_path / "r.json"), "--persona-file", str(p),
                                    "--personas", "p"])
    assert r.exit_code == 3 and "[ERROR" in r.stderr


def test_discover_and_personas_commands(tmp_path):
    data = shop(tmp_path / "data", users=100, orders=300)
    r = CliRunner().invoke(main, ["discover", str(data), "--json"])
    assert r.exit_code == 0
    model = json.loads(r.stdout)
    assert model["foreign_keys"][0]["from_table"] == "orders"
    r = CliRunner().invoke(main, ["personas", "--json"])
    assert {p["name"] for p in json.loads(r.stdout)} >= {"Finance VP", "VP Growth", "Data Engineer"}
    r = CliRunner().invoke(main, ["personas"])
    assert "CFO" in r.stdout


def test_version_reads_like_the_other_clis():
    from datacruncher import __version__
    from datacruncher.cli import main

    assert CliRunner().invoke(main, ["--version"]).output == f"datacruncher {__version__}\n"


def test_python_dash_m_runs_the_command() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "datacruncher", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "Usage: datacruncher" in done.stdout


def test_a_report_beside_a_single_input_file_is_written(tmp_path, monkeypatch):
    """``datacruncher crunch orders.csv`` in the file's own folder writes ./crunch_report.json beside it (the dataset
    is the file, not its folder); writing over the input file itself is refused."""
    (tmp_path / "orders.csv").write_text("id,amount\n" + "".join(f"{i},{i * 2.5}\n" for i in range(50)))
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(crunch, ["orders.csv"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "crunch_report.json").is_file()
    r = CliRunner().invoke(crunch, ["orders.csv", "-o", "orders.csv"])
    assert r.exit_code == 2 and "inside the dataset" in r.stderr
    assert (tmp_path / "orders.csv").read_text().startswith("id,amount")


def test_a_duckdb_failure_is_one_line_and_exit_3_or_its_traceback_with_debug(tmp_path, monkeypatch):
    """A DuckDB error no check caught (a bug of ours, as the TINYINT abs() overflow was) is one line and exit 3 in
    any command; ``--debug`` anywhere gives its traceback instead."""
    import sys

    import duckdb

    data = shop(tmp_path / "data", users=50, orders=100)

    def fail(*_: object, **__: object) -> None:
        raise duckdb.OutOfRangeException("Out of Range Error: Overflow on abs(-128)\nLINE 1: ...")

    monkeypatch.setattr(sys.modules["datacruncher.crunch"], "crunch", fail)  # the package's name is the function
    r = CliRunner().invoke(main, ["crunch", str(data), "-o", str(tmp_path / "r.json")])
    assert r.exit_code == 3 and "DuckDB failed: Out of Range Error: Overflow on abs(-128) (rerun with --debug" in r.stderr
    assert "LINE 1" not in r.stderr and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["crunch", str(data), "-o", str(tmp_path / "r.json"), "--debug"])
    assert isinstance(r.exception, duckdb.OutOfRangeException)
