"""Declared constraints and targets: each violation found at its exact rate, with a fix hint."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from datacruncher import crunch

from .conftest import BASE, write


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("c")
    n = 1000
    write(d / "data", "plan", {"code": ["free", "pro", "team"]})
    write(d / "data", "account", {
        "account_id": [i if i >= 7 else 5000 for i in range(n)],  # 7 rows share one id: 6 surplus
        "plan": ["free", "pro", "team"] * 333 + ["gold"],  # 1 value outside enum_ref plan.code
        "status": ["active"] * 990 + ["Active"] * 10,  # 10 outside the enum
        "sku": [f"SKU-{i:04d}" if i % 100 else f"sku{i}" for i in range(n)],  # 10 not matching the pattern
        "seats": [i % 50 + 1 for i in range(n)],  # 1..50; declared 1..40 → 200 above
        "opened_at": [BASE + dt.timedelta(days=i % 365) for i in range(n)],
        "closed_at": [BASE + dt.timedelta(days=i % 365 + (-1 if i % 250 == 0 else 30)) for i in range(n)],
    })
    write(d / "data", "invoice", {
        "invoice_id": list(range(2000)), "account_id": [i % 993 + 7 for i in range(2000)],
        # every 100th invoice is issued a day before its account opened
        "issued_at": [BASE + dt.timedelta(days=(i % 993 + 7) % 365 + (-1 if i % 100 == 0 else 2)) for i in range(2000)],
        "amount": [100.0] * 2000,
    })
    cols = [{"name": "account_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "plan", "type": "string", "generator": {"choice": {"choices_ref": "plan.code"}},
             "constraints": {"enum_ref": "plan.code", "max_length": 3}},  # free, team, gold: 667 too long
            {"name": "status", "type": "string", "generator": {"choice": {"choices": ["active"]}}},
            {"name": "sku", "type": "string", "generator": {"faker": {"method": "uuid4"}}},
            {"name": "seats", "type": "int", "generator": {"distribution": {"type": "uniform", "params": {"low": 1, "high": 40}}}},
            {"name": "opened_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
            {"name": "closed_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]
    inv = [{"name": "invoice_id", "type": "int", "generator": {"sequence": {}}},
           {"name": "account_id", "type": "int", "generator": {"lookup": {"from": "account.account_id"}}},
           {"name": "issued_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
           {"name": "amount", "type": "float", "generator": {"distribution": {"type": "normal", "params": {"mean": 100, "std": 1}}}}]
    schema = {
        "version": "1.0", "metadata": {"name": "c"}, "timeframe": {"start": "2024-01-01", "end": "2025-12-31"},
        "nodes": [{"id": "plan", "kind": "vocab", "columns": [
                      {"name": "code", "type": "string", "generator": {"enum_list": {"values": ["free", "pro", "team"]}}}]},
                  {"id": "account", "kind": "entity", "rows": n, "pk": "account_id", "columns": cols},
                  {"id": "invoice", "kind": "fact", "parents": ["account"], "pk": "invoice_id", "columns": inv,
                   "fanout": {"distribution": "poisson", "lambda": 2}}],
        "constraints": {
            "unique": ["account.account_id"],
            "foreign_keys": [{"from": "invoice.account_id", "to": "account.account_id"}],
            "enum": [{"attr": "account.status", "values": ["active", "churned"]}],
            "pattern": [{"attr": "account.sku", "regex": "SKU-[0-9]{4}"}],
            "ranges": [{"attr": "account.seats", "min": 1, "max": 40}],
            "inequalities": [{"left": "account.opened_at", "op": "<", "right": "account.closed_at"},
                             {"left": "account.opened_at", "op": "<=", "right": "invoice.issued_at"}]},
        "targets": {"weekend_share": {"table": "invoice", "timestamp": "issued_at", "min": 0.4, "max": 0.6},
                    "mean_in_range": {"table": "invoice", "column": "amount", "min": 90, "max": 110}},
    }
    (d / "schema.json").write_text(json.dumps(schema))
    return crunch(d / "data", schema=d / "schema.json", personas="DE")


@pytest.mark.parametrize(("metric", "column", "bad", "rows", "action"), [
    ("unique", "account_id", 6, 1000, "dedupe_on_key"),
    ("enum", "plan", 1, 1000, "normalize_to_enum"),
    ("enum", "status", 10, 1000, "normalize_to_enum"),
    ("pattern", "sku", 10, 1000, "normalize_format"),
    ("range", "seats", 200, 1000, "clamp_to_range"),
    ("max_length", "plan", 667, 1000, "review_drift"),
    ("inequality", "opened_at", 4, 1000, "inequality"),
])
def test_constraint_violations_at_exact_rates(report, metric, column, bad, rows, action):
    (d,) = [d for d in report.drift if d.metric == metric and d.column == column and d.table == "account"
            and "invoice" not in str(d.expected)]
    assert (d.status, d.observed, d.value) == ("drift", bad, pytest.approx(bad / rows))
    want = f"schema_drift.{metric}:account.{column}"
    if metric == "inequality":  # ids name the whole inequality: several may start at one column
        want = "schema_drift.inequality:account.opened_at < account.closed_at"
    (issue,) = [i for i in report.issues if i.id == want]
    assert issue.severity == "high" and issue.category == "schema_discrepancy" and issue.fix.action == action


def test_cross_table_inequality_through_the_foreign_key(report):
    (d,) = [d for d in report.drift if d.metric == "inequality" and "invoice" in str(d.expected)]
    assert d.observed == 20 and d.value == pytest.approx(20 / 2000)


def test_targets(report):
    by = {d.metric: d for d in report.drift if d.metric in ("weekend_share", "mean_in_range")}
    assert by["mean_in_range"].status == "ok" and by["mean_in_range"].value == 100.0
    assert by["weekend_share"].status == "drift" and by["weekend_share"].value < 0.4
    (issue,) = [i for i in report.issues if i.rule_id == "schema_drift.weekend_share"]
    assert issue.severity == "medium" and issue.fix.action == "seasonality"
