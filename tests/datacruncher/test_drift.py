from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from datacruncher import crunch

from .conftest import shop, write


def test_schema_expectations(tmp_path):
    data = tmp_path / "d"
    write(data, "users", {"user_id": list(range(1, 1001)),
                          "plan": ["free"] * 900 + ["pro"] * 100,
                          "age": [30.0 + (i % 11) for i in range(1000)]})
    schema = {"version": "1.0", "metadata": {"name": "x"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
              "constraints": {"ranges": [{"attr": "users.age", "min": 0, "max": 38}]},
              "nodes": [{"id": "users", "kind": "entity", "rows": 1200, "pk": "user_id", "columns": [
                  {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
                  {"name": "plan", "type": "string", "generator": {"choice": {"choices": ["free", "pro"], "weights": [0.5, 0.5]}}},
                  {"name": "age", "type": "float", "generator": {"distribution": {"type": "normal", "params": {"mean": 35, "std": 3}}}}]}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    report = crunch(data, schema=tmp_path / "schema.json", personas="DE")
    by = {(d.metric, d.column): d for d in report.drift}
    assert by[("row_count", None)].observed == 1000 and by[("row_count", None)].status == "drift"
    assert by[("choice_weights", "plan")].value == 0.4
    assert by[("distribution_mean", "age")].status == "ok"  # mean 35.0 exactly
    assert by[("range", "age")].observed == sum(1 for i in range(1000) if 30 + i % 11 > 38)
    assert {i.rule_id for i in report.issues} >= {"schema_drift.row_count", "schema_drift.choice_weights"}


def test_a_declared_mean_is_compared_over_the_finite_values(tmp_path):
    """NaN made the mean NaN, and a NaN distance passes every threshold: a column 10 deviations off its declared
    mean went unreported once a few of its values were NaN."""
    data = tmp_path / "d"
    write(data, "users", {"user_id": list(range(1, 1001)),
                          "age": [float("nan") if i % 25 == 0 else 65.0 + (i % 11) for i in range(1000)]})
    schema = {"version": "1.0", "metadata": {"name": "x"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
              "nodes": [{"id": "users", "kind": "entity", "rows": 1000, "pk": "user_id", "columns": [
                  {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
                  {"name": "age", "type": "float", "generator": {"distribution": {"type": "normal", "params": {"mean": 35, "std": 3}}}}]}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    report = crunch(data, schema=tmp_path / "schema.json", personas="DE")
    (mean,) = [d for d in report.drift if d.metric == "distribution_mean" and d.column == "age"]
    assert mean.status == "drift" and 69 < mean.observed < 71


def test_baseline_dataset_and_report(tmp_path):
    base = shop(tmp_path / "base", users=500, orders=2000)
    now = tmp_path / "now"
    write(now, "users", {"user_id": list(range(1, 501)), "country": ["FR"] * 500})
    write(now, "orders", {"order_id": list(range(1, 2001)), "amount": [1000.0 + i for i in range(2000)]})
    report = crunch(now, personas="DE", baseline=base)
    by = {(d.table, d.column): d for d in report.drift}
    assert by[("users", "country")].status == "drift" and by[("orders", "amount")].status == "drift"
    from datagen_contracts.report import dump_report

    dump_report(crunch(base, personas="DE"), tmp_path / "base.json")
    smaller = shop(tmp_path / "small", users=250, orders=2000)
    report = crunch(smaller, personas="DE", baseline=tmp_path / "base.json")
    (users,) = [d for d in report.drift if d.table == "users" and d.metric == "row_count"]
    assert (users.expected, users.observed, users.status) == (500, 250, "drift")


def test_scenario_expectations_from_metadata(tmp_path):
    import datetime as dt

    from datagen_contracts.metadata import (
        DatasetMetadata,
        Expectation,
        GeneratorInfo,
        ScenarioInfo,
        Timeframe,
        dump_metadata,
    )

    data = tmp_path / "d"
    # MRR grows month over month although the scenario says it stalls
    write(data, "subscription", {"sub_id": list(range(600)),
                                 "mrr": [10.0 + i / 10 for i in range(600)],
                                 "started_at": [dt.datetime(2024, 1, 1) + dt.timedelta(hours=12 * i) for i in range(600)]})
    meta = DatasetMetadata(
        dataset_name="s", generator=GeneratorInfo(name="g", version="1"), generated_at="2024-01-01T00:00:00Z",
        timeframe=Timeframe(start="2024-01-01", end="2024-10-26"),
        scenario=ScenarioInfo(name="growth_stall", expectations=[
            Expectation(id="mrr-down", kind="trend", params={"table": "subscription", "column": "mrr", "direction": "down",
                                                                          "baseline": "before"}),
            Expectation(id="rows", kind="row_count", params={"table": "subscription", "min": 500, "max": 700}),
            Expectation(id="odd", kind="ticket_spike", params={"table": "subscription"})]))
    dump_metadata(meta, data / ".metadata.json")
    report = crunch(data, personas="DE")
    by = {d.expected["id"]: d for d in report.drift if d.kind == "scenario"}
    assert by["mrr-down"].status == "drift" and by["mrr-down"].value > 0.5
    assert by["rows"].status == "ok" and by["rows"].value == 600
    assert by["odd"].status == "skipped" and "not verified" in by["odd"].message
    (issue,) = [i for i in report.issues if i.rule_id == "scenario_drift.trend"]
    assert issue.severity == "high" and issue.category == "scenario"


def _mixes(directory, n, *, pro_share, amount_shift=0.0, days=0):
    pro = int(n * pro_share)
    write(directory, "accounts", {
        "account_id": list(range(n)),
        "plan": ["pro"] * pro + ["free"] * (n - pro),
        "mrr": [10.0 + (i * 7919) % 1000 / 10 + amount_shift for i in range(n)],
        "opened_at": [dt.datetime(2024, 1, 1) + dt.timedelta(days=days + i % 300) for i in range(n)],
    })
    return directory


def test_baseline_report_equals_baseline_directory(tmp_path):
    """A report's profiles stand in for its dataset: the same metrics, the same verdicts."""
    from datagen_contracts.report import dump_report

    base = _mixes(tmp_path / "base", 5000, pro_share=0.2)
    dump_report(crunch(base, personas="DE"), tmp_path / "base.json")
    now = _mixes(tmp_path / "now", 4000, pro_share=0.35, amount_shift=15.0, days=90)
    metrics = "psi,js,wasserstein,ks"
    by_dir = crunch(now, personas="DE", baseline=base, drift_metrics=metrics)
    by_report = crunch(now, personas="DE", baseline=tmp_path / "base.json", drift_metrics=metrics)
    key = lambda r: sorted((d.metric, d.table, d.column, d.status, round(d.value, 3)) for d in r.drift)  # noqa: E731
    assert key(by_dir) == key(by_report)
    got = {(d.metric, d.column): d for d in by_dir.drift}
    assert {m for m, _ in got} == {"row_count", "psi", "js", "wasserstein", "ks"}
    assert got[("psi", "plan")].value == pytest.approx((0.35 - 0.2) * math.log(0.35 / 0.2) + (0.65 - 0.8) * math.log(0.65 / 0.8), abs=1e-6)
    assert got[("js", "plan")].status == "drift" and got[("psi", "plan")].status == "ok"  # JS distance 0.14, PSI 0.11
    assert got[("wasserstein", "mrr")].status == "drift" and got[("ks", "mrr")].status == "drift"
    assert ("psi", "opened_at") not in got  # time moves on by design; temporal columns are profiled, not drifted
    assert got[("row_count", None)].observed == 4000


def test_baseline_needs_minimum_sample_and_effect(tmp_path):
    base = _mixes(tmp_path / "base", 5000, pro_share=0.2)
    same = _mixes(tmp_path / "same", 5000, pro_share=0.205, amount_shift=0.2)
    report = crunch(same, personas="DE", baseline=base, drift_metrics="js,ks")
    assert {d.metric for d in report.drift} == {"row_count", "js", "ks"}
    assert all(d.status == "ok" for d in report.drift)
    tiny = _mixes(tmp_path / "tiny", 60, pro_share=0.9, amount_shift=500)
    assert [d.metric for d in crunch(tiny, personas="DE", baseline=base).drift] == ["row_count"]


def test_profiles_in_every_report(tmp_path):
    report = crunch(_mixes(tmp_path / "d", 1000, pro_share=0.25), personas="DE")
    by = {p.column: p for p in report.profiles}
    assert by["plan"].kind == "categorical" and by["plan"].top == [("free", 750), ("pro", 250)]
    assert by["account_id"].kind == "other" and by["account_id"].quantiles == []
    assert by["mrr"].kind == "numeric" and len(by["mrr"].quantiles) == 21 and by["mrr"].quantiles[0] == 10.0
    assert by["opened_at"].kind == "temporal"
    assert by["opened_at"].quantiles[0] == dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp()


def test_unknown_drift_metric_is_an_input_error(tmp_path):
    from datacruncher.errors import BaselineError

    with pytest.raises(BaselineError, match="unknown drift metric kl"):
        crunch(_mixes(tmp_path / "d", 100, pro_share=0.5), personas="DE", drift_metrics="psi,kl")


def test_distribution_mean_follows_modifiers_and_bounds(tmp_path):
    """poisson(1.4) + 1 clipped to [1, 20] has mean 2.4: no discrepancy. A trend modifier makes the declared
    parameters no longer the column's expectation: skipped with the reason, never compared."""
    import random

    rng = random.Random(3)  # datacruncher's tests run without numpy (nox -s isolated)

    def poisson(lam: float) -> int:  # Knuth's method: count uniforms until their product drops below e^-λ
        k, p, limit = 0, rng.random(), math.exp(-lam)
        while p > limit:
            k, p = k + 1, p * rng.random()
        return k

    data = tmp_path / "d"
    qty = [poisson(1.4) + 1 for _ in range(5000)]
    write(data, "line", {"line_id": list(range(5000)), "quantity": qty,
                         "price": [rng.gauss(50, 5) for _ in range(5000)],
                         "wrong": [poisson(1.4) + 3 for _ in range(5000)]})
    cols = [{"name": "line_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "quantity", "type": "int", "generator": {"distribution": {"type": "poisson", "params": {"lambda": 1.4}}},
             "modifiers": [{"transform": "add", "args": {"value": 1}}], "constraints": {"min": 1, "max": 20}},
            {"name": "price", "type": "float", "generator": {"distribution": {"type": "normal", "params": {"mean": 50, "std": 5}}},
             "modifiers": [{"transform": "trend", "args": {"type": "linear", "growth_rate": 0.1}}]},
            {"name": "wrong", "type": "int", "generator": {"distribution": {"type": "poisson", "params": {"lambda": 1.4}}},
             "modifiers": [{"transform": "add", "args": {"value": 1}}]}]
    schema = {"version": "1.0", "metadata": {"name": "x"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
              "nodes": [{"id": "line", "kind": "entity", "rows": 5000, "pk": "line_id", "columns": cols}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    report = crunch(data, schema=tmp_path / "schema.json", personas="DE")
    by = {(d.metric, d.column): d for d in report.drift}
    q = by[("distribution_mean", "quantity")]
    assert q.status == "ok" and q.expected == pytest.approx(2.4, abs=1e-6)
    assert by[("distribution_mean", "price")].status == "skipped"
    assert "'trend' modifier" in by[("distribution_mean", "price")].message
    w = by[("distribution_mean", "wrong")]  # poisson + 3: mean 4.4 where 2.4 is expected, a real discrepancy
    assert w.status == "drift" and w.observed == pytest.approx(4.4, abs=0.06)


def test_choice_weights_from_weights_kind(tmp_path):
    """zipf@α and head_tail@{h,α} are compared like explicit weights: data drawn from them is ok, uniform data is
    a discrepancy."""
    from datagen_contracts.dsl import kind_weights

    tiers = ["a", "b", "c", "d", "e"]
    zipf = kind_weights("zipf@1.2", 5)
    n = 20_000
    counts = [round(w * n) for w in zipf]
    write(tmp_path / "d", "t", {"t_id": list(range(sum(counts))),
                                "tier": [c for c, k in zip(tiers, counts, strict=True) for _ in range(k)],
                                "flat": [tiers[i % 5] for i in range(sum(counts))]})
    col = {"type": "string", "generator": {"choice": {"choices": tiers, "weights_kind": "zipf@1.2"}}}
    schema = {"version": "1.0", "metadata": {"name": "x"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
              "nodes": [{"id": "t", "kind": "entity", "rows": sum(counts), "pk": "t_id", "columns": [
                  {"name": "t_id", "type": "int", "generator": {"sequence": {}}},
                  {"name": "tier", **col}, {"name": "flat", **col}]}]}
    (tmp_path / "s.json").write_text(json.dumps(schema))
    by = {(d.metric, d.column): d for d in crunch(tmp_path / "d", schema=tmp_path / "s.json", personas="DE").drift}
    assert by[("choice_weights", "tier")].status == "ok" and by[("choice_weights", "tier")].value < 0.01
    assert by[("choice_weights", "flat")].status == "drift"  # uniform where Zipf was declared
