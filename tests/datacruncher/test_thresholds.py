"""Business thresholds overridden per run: YAML file, short CLI form, persona-qualified keys, errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from datacruncher import crunch
from datacruncher.checks.thresholds import apply_thresholds, parse_benchmark
from datacruncher.cli import main
from datacruncher.errors import ThresholdError
from datagen_contracts.report import load_report

from .conftest import shop


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return shop(tmp_path_factory.mktemp("t") / "shop", users=500, orders=2500)


def _status(report, rule):
    return [(r.status, r.reason) for r in report.checks.results if r.rule_id == rule]


def test_short_form_keeps_direction_and_level(data):
    base = crunch(data, personas="VP Growth")
    d7 = [r for r in base.checks.results if r.rule_id == "retention_d7"][0]
    assert d7.status == "passed"
    # retention flags low values at medium ("< 0.05"): demanding 0.99 makes the same data fail at medium
    report = crunch(data, personas="VP Growth", benchmarks=["retention_d7=0.99:0.40-0.60"])
    (issue,) = [i for i in report.issues if i.rule_id == "retention_d7"]
    assert issue.severity == "medium" and issue.measure.threshold == 0.99
    assert issue.finding.endswith("(typical 40–60%)")


def test_yaml_file_with_persona_qualified_key_and_params(data, tmp_path):
    f = tmp_path / "thresholds.yaml"
    f.write_text("vp_growth.funnel_conversion:\n  severity: {high: '> 0.9'}\n  benchmark: everyone buys here\n"
                 "temporal_fk:\n  params: {grace_seconds: 86400}\n")
    report = crunch(data, personas="VP Growth,DE", thresholds=f)
    (funnel,) = [i for i in report.issues if i.rule_id == "funnel_conversion"]
    assert funnel.severity == "high" and funnel.finding.endswith("(everyone buys here)")
    (fk,) = [r for r in report.checks.results if r.rule_id == "temporal_fk"]
    assert fk.status == "passed"
    sql = [i for i in crunch(shop(tmp_path / "early", users=200, orders=600, early=5), personas="DE",
                             thresholds=f).issues if i.rule_id == "temporal_fk"]
    assert sql and "to_seconds(86400)" in sql[0].sql  # the param reached the SQL: 3–7 days early still fails


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"benchmarks": ["retention_d8=0.2"]}, "unknown check 'retention_d8'.*did you mean 'retention_d7'"),
    ({"benchmarks": ["retention_d7"]}, "expected CHECK=FLAG"),
    ({"thresholds": {"retention_d7": {"severity": {"high": "about 3"}}}}, r"retention_d7.severity.high: bad condition"),
    ({"thresholds": {"activation": {"params": {"dayz": 3}}}}, "has no param 'dayz'.*did you mean 'days'"),
])
def test_errors_name_the_culprit(kwargs, message):
    import msgspec

    from datacruncher.checks.personas import available_personas
    from datacruncher.checks.thresholds import Override

    overrides = {k: msgspec.convert(v, Override) for k, v in kwargs.get("thresholds", {}).items()}
    with pytest.raises(ThresholdError, match=message):
        apply_thresholds(available_personas(), overrides, kwargs.get("benchmarks", ()))


def test_unknown_yaml_key_is_an_error(tmp_path):
    from datacruncher.checks.thresholds import load_thresholds

    f = tmp_path / "t.yaml"
    f.write_text("retention_d7:\n  sevrity: {high: '< 0.1'}\n")
    with pytest.raises(ThresholdError, match="sevrity"):
        load_thresholds(f)


def test_cli_wiring(data, tmp_path):
    out = tmp_path / "r.json"
    r = CliRunner().invoke(main, ["crunch", str(data), "--personas", "VP Growth", "-o", str(out),
                                  "--benchmark", "retention_d7=0.99", "--fail-on", "medium"])
    assert r.exit_code == 1, r.output
    assert any(i.rule_id == "retention_d7" for i in load_report(out).issues)
    r = CliRunner().invoke(main, ["crunch", str(data), "-o", str(out), "--benchmark", "nope=1"])
    assert r.exit_code == 2 and "unknown check 'nope'" in r.output


def test_parse_benchmark():
    assert parse_benchmark(" churn = 0.9 ") == ("churn", 0.9, None)
