from __future__ import annotations

import json

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
    (users,) = [d for d in report.drift if d.table == "users"]
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
            Expectation(id="mrr-down", kind="trend", params={"table": "subscription", "column": "mrr", "direction": "down"}),
            Expectation(id="rows", kind="row_count", params={"table": "subscription", "min": 500, "max": 700}),
            Expectation(id="odd", kind="ticket_spike", params={"table": "subscription"})]))
    dump_metadata(meta, data / ".metadata.json")
    report = crunch(data, personas="DE")
    by = {d.message.split(" ")[3] if d.status != "skipped" else "odd": d for d in report.drift if d.kind == "scenario"}
    assert by["mrr-down"].status == "drift" and by["mrr-down"].value > 0.5
    assert by["rows"].status == "ok" and by["rows"].value == 600
    assert by["odd"].status == "skipped" and "not verified" in by["odd"].message
    (issue,) = [i for i in report.issues if i.rule_id == "scenario_drift.trend"]
    assert issue.severity == "high" and issue.category == "scenario"
