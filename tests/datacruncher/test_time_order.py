"""``ForeignKey.time_order`` from ``.metadata.json``: after (default), before (touchpoints), none (skipped)."""

from __future__ import annotations

import datetime as dt

import pytest

from datacruncher import crunch
from datagen_contracts.metadata import (
    ColumnInfo,
    DatasetMetadata,
    ForeignKey,
    GeneratorInfo,
    TableInfo,
    dump_metadata,
)

from .conftest import BASE, write


def _dataset(directory, *, order="before", late=0, declared_by=None, touch_kind="touchpoint"):
    """200 customers, 1000 purchases after signup, 3000 touchpoints 1-40 days *before* their purchase
    (``late`` of them 2 hours after it instead)."""
    signup = [BASE + dt.timedelta(hours=5 * i) for i in range(200)]
    write(directory, "customer", {"customer_id": list(range(200)), "signed_up_at": signup})
    buyer = [i % 200 for i in range(1000)]
    bought = [signup[c] + dt.timedelta(days=60 + i % 30) for i, c in enumerate(buyer)]
    write(directory, "purchase", {"purchase_id": list(range(1000)), "customer_id": buyer,
                                  "amount": [10.0 + i % 7 for i in range(1000)], "purchase_date": bought})
    pid = [i % 1000 for i in range(3000)]
    touched = [bought[p] - dt.timedelta(days=1 + i % 40) for i, p in enumerate(pid)]
    for i in range(late):
        touched[i] = bought[pid[i]] + dt.timedelta(hours=2)
    write(directory, "touch", {"touch_id": list(range(3000)), "purchase_id": pid,
                               "customer_id": [buyer[p] for p in pid],
                               "channel": ["email", "search", "social"] * 1000, "touched_at": touched})
    fk_purchase = ForeignKey(column="purchase_id", references_table="purchase", references_column="purchase_id",
                             time_order=order)
    fk_customer = ForeignKey(column="customer_id", references_table="customer", references_column="customer_id")
    meta = DatasetMetadata(
        dataset_name="attr", generator=GeneratorInfo(name="test", version="1"), generated_at="2024-01-01T00:00:00Z",
        tables=[
            TableInfo(name="customer", kind="entity", primary_key="customer_id", created_at_column="signed_up_at",
                      columns=[ColumnInfo(name="customer_id", arrow_type="int64", primary_key=True)]),
            TableInfo(name="purchase", kind="fact", primary_key="purchase_id", created_at_column="purchase_date",
                      foreign_keys=[fk_customer]),
            TableInfo(name="touch", kind=touch_kind, primary_key="touch_id", created_at_column="touched_at",
                      foreign_keys=[fk_purchase, fk_customer], declared_by=declared_by),
        ])
    dump_metadata(meta, directory / ".metadata.json")
    return directory


def _results(report, rule, table="touch", column="purchase_id"):
    return [r for r in report.checks.results if r.rule_id == rule and r.table == table and r.column == column]


def test_before_edge_passes_when_touchpoints_precede_their_conversion(tmp_path):
    report = crunch(_dataset(tmp_path / "d"), personas="DE,Marketing VP")
    assert [r.status for r in _results(report, "temporal_fk")] == ["passed"]
    assert [r.status for r in _results(report, "attribution_order")] == ["passed"]
    # the touchpoint -> customer edge keeps "after": touchpoints follow the signup
    assert [r.status for r in _results(report, "temporal_fk", column="customer_id")] == ["passed"]
    assert not [i for i in report.issues if i.severity in ("critical", "high")]
    assert report.metrics.temporal_violations == 0.0


def test_before_edge_counts_touchpoints_after_the_conversion(tmp_path):
    report = crunch(_dataset(tmp_path / "d", late=45), personas="DE")
    (issue,) = [i for i in report.issues if i.rule_id == "temporal_fk"]
    assert (issue.measure.failed_row_count, issue.measure.row_count) == (45, 3000)
    assert issue.severity == "critical"
    assert "touched_at after their purchase.purchase_date" in issue.finding and "2:00:00" in issue.finding
    assert issue.fix.action == "parent_time_order" and issue.fix.time_order == "before"


def test_none_edge_is_skipped_with_a_reason(tmp_path):
    report = crunch(_dataset(tmp_path / "d", order="none", late=45), personas="DE")
    (result,) = _results(report, "temporal_fk")
    assert result.status == "skipped" and "time_order none" in result.reason
    assert not [i for i in report.issues if i.rule_id == "temporal_fk"]


def test_after_edge_flags_every_touchpoint_before_its_purchase(tmp_path):
    report = crunch(_dataset(tmp_path / "d", order="after", touch_kind="fact"), personas="DE")
    (issue,) = [i for i in report.issues if i.rule_id == "temporal_fk"]
    assert (issue.measure.failed_row_count, issue.measure.row_count) == (3000, 3000)
    assert "touched_at before their purchase.purchase_date" in issue.finding
    assert issue.fix.action == "parent_time_order" and issue.fix.time_order == "after"


@pytest.mark.parametrize("declared_by", ["attribution_chain of purchase"])
def test_older_metadata_touchpoint_of_its_conversion_means_before(tmp_path, declared_by):
    """An older writer leaves the default ``after``; the attribution_chain's touchpoints still precede."""
    report = crunch(_dataset(tmp_path / "d", order="after", declared_by=declared_by), personas="DE")
    assert [r.status for r in _results(report, "temporal_fk")] == ["passed"]
    assert report.model.foreign_keys[1].time_order == "before"


def test_discovered_edges_keep_after(tmp_path):
    data = _dataset(tmp_path / "d")
    (data / ".metadata.json").unlink()
    report = crunch(data, personas="DE")
    touch_fk = [r for r in _results(report, "temporal_fk") if r.status == "failed"]
    assert touch_fk, "without metadata the touchpoint edge is checked as 'after'"
