from __future__ import annotations

import json
from pathlib import Path

import pytest
from polisher_builders import issue, shop_issues, write_report, write_shop
from polisher_schemas import shop_schema

from datagen_contracts.dsl import load_schema
from datagen_contracts.report import CrunchReport, DatasetRef, ToolInfo
from datapolisher.errors import InputError
from datapolisher.inputs import load_inputs
from datapolisher.issues import read_findings
from datapolisher.paths import schema_path
from datapolisher.schema_fix import improve_schema


def _findings(*issues):  # type: ignore[no-untyped-def]
    report = CrunchReport(tool=ToolInfo(name="d", version="1"), analysis_date="t",
                          dataset=DatasetRef(path="x", fingerprint="y"), issues=list(issues))
    return read_findings(report)


def test_temporal_fix_lands_on_the_child_column_and_drops_the_injection() -> None:
    raw = shop_schema()
    raw["nodes"][1]["columns"][2]["after_parent"] = False
    res = improve_schema(raw, _findings(issue(
        "temporal_fk", "parent_time_order", table="order", column="user_id", path="schema",
        params={"column": "placed_at", "parent": "user", "parent_column": "created_at"})))
    placed = res.schema["nodes"][1]["columns"][2]
    assert placed["name"] == "placed_at" and placed["after_parent"] is True
    assert "after_parent" not in res.schema["nodes"][0]["columns"][2]  # not on the parent's table
    assert [d["kind"] for d in res.schema["defects"]] == ["orphan_fk", "duplicate_pk"]
    assert [c.path for c in res.changes] == ["$.defects", "$.nodes[1].columns[2].after_parent"]


def test_orphans_become_a_lookup_and_a_declared_fk() -> None:
    raw = shop_schema(constraints={})
    raw["nodes"][1]["columns"][1]["generator"] = {"distribution": {"type": "uniform", "params": {"low": 1, "high": 500}}}
    res = improve_schema(raw, _findings(issue("fk_orphans", "fk_lookup", table="order", column="user_id",
                                              path="schema", params={"references": "user.user_id"})))
    assert res.schema["nodes"][1]["columns"][1]["generator"] == {"lookup": {"from": "user.user_id"}}
    assert res.schema["constraints"]["foreign_keys"] == [{"from": "order.user_id", "to": "user.user_id"}]


def test_fanout_retention_segments_nullable_and_interval() -> None:
    res = improve_schema(shop_schema(defects=[]), _findings(
        issue("engagement", "review_drift", table="order", path="schema", params={"metric": "fanout_mean", "expected": 3.0},
              value=1.5),
        issue("d7_retention", "retention_curve", table="order", path="schema", params={"parent": "user"}),
        issue("segments_flat", "segment_behavior", table="order", path="schema", params={"parent": "user"}),
        issue("null_rate", "set_null_rate", table="order", column="amount", path="schema", params={"null_rate": 0.05}),
        issue("temporal_within", "inequality", table="order", column="shipped_at", path="schema",
              params={"left": "placed_at", "right": "shipped_at"}),
        issue("mystery", "review", table="order"),
    ))
    user, order = res.schema["nodes"]
    assert order["fanout"]["lambda"] == 4.0  # 2.0 × expected 3.0 / measured 1.5
    assert user["vintage_behavior"]["created_at_column"] == "created_at"
    assert user["segment_behavior"]["segment_column"] == "plan"
    assert len({b["fanout_multiplier"] for b in user["segment_behavior"]["behaviors"].values()}) == 3
    assert order["columns"][4]["null_rate"] == 0.05
    assert res.schema["constraints"]["inequalities"] == [
        {"left": "order.placed_at", "op": "<=", "right": "order.shipped_at"}]
    assert [f.issue.rule_id for f in res.unhandled] == ["mystery"]


def test_schema_path_writes_valid_schema_and_change_log(shop: Path, tmp_path: Path, no_stages: None) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(shop_schema()))
    report = write_report(shop, tmp_path / "crunch_report.json", shop_issues())
    step = schema_path(load_inputs(report, schema=schema))
    improved, changes = step.written
    assert load_schema(improved).defects == []
    text = changes.read_text()
    assert "remove the injected orphan_fk defect on order" in text and "before:" in text
    assert any("datagen is not on PATH" in n for n in step.notes) and step.output_dir is None


def test_schema_path_without_a_schema(shop_report: Path) -> None:
    with pytest.raises(InputError, match="--schema"):
        schema_path(load_inputs(shop_report))


def test_schema_path_names_the_schema_it_could_not_find(tmp_path: Path) -> None:
    data = write_shop(tmp_path / "output", schema_path="schema.json")  # .metadata.json names schema.json
    report = write_report(data, tmp_path / "crunch_report.json", shop_issues())
    with pytest.raises(InputError, match=r"\.metadata\.json names schema\.json, which was not found .*; pass --schema S"):
        schema_path(load_inputs(report))


def test_a_too_even_engagement_makes_the_fanout_heavy_tailed_with_the_same_mean() -> None:
    from datagen_contracts.dsl import loads_schema

    res = improve_schema(shop_schema(defects=[]), _findings(issue(
        "engagement_distribution", "heavy_tailed_fanout", table="order", path="schema", value=0.12,
        params={"table": "order", "parent": "user"})))
    order = res.schema["nodes"][1]
    assert order["fanout"] == {"distribution": "negative_binomial", "lambda": 2.0, "dispersion": 0.5}
    assert "heavy-tailed" in res.changes[0].summary
    loads_schema(json.dumps(res.schema).encode())  # still a valid schema
