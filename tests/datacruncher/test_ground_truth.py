"""Ground truth from datagen-core's defect injection, through pre-generated fixtures (no datagen import).

``fixtures/datagen_shop`` was written by ``datagen generate schema_{defects,clean}.json --seed 7`` (datagen-core
0.1.0). Each injected defect is recorded in ``.metadata.json`` with its exact count; datacruncher must find it
at that rate (±0.1 percentage point), and the clean twin must yield no critical or high finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from datacruncher import crunch
from datagen_contracts.metadata import load_metadata

FIXTURES = Path(__file__).parent / "fixtures" / "datagen_shop"
RULES = {  # defect kind -> the rule that must find it
    "orphan_fk": "fk_orphans",
    "temporal_violation": "temporal_fk",
    "duplicate_pk": "pk_duplicates",
    "nulls": "null_violations",
    "negative_amounts": "negative_amounts",
    "format_variants": "format_inconsistency",
    "future_dates": "future_dates",
}


@pytest.fixture(scope="module")
def defective():
    return crunch(FIXTURES / "defects", schema=FIXTURES / "schema_defects.json")


@pytest.mark.parametrize("kind", sorted(RULES))
def test_injected_defect_found_at_its_rate(defective, kind):
    meta = load_metadata(FIXTURES / "defects")
    (truth,) = [d for d in meta.defects if d.kind == kind]
    table, _, column = truth.target.partition(".")
    issues = [i for i in defective.issues if i.rule_id == RULES[kind] and i.table == table
              and (i.column == column or RULES[kind] == "temporal_fk")]
    assert issues, f"{kind} on {truth.target} not found"
    issue = issues[0]
    assert issue.severity in ("critical", "high")
    assert issue.measure.failed_row_count == truth.count
    true_rate = truth.count / truth.details["rows_before"] if "rows_before" in truth.details else truth.rate
    assert issue.measure.value == pytest.approx(true_rate, abs=0.001)


def test_ground_truth_metrics(defective):
    meta = load_metadata(FIXTURES / "defects")
    orphans = next(d for d in meta.defects if d.kind == "orphan_fk")
    orders = next(t for t in meta.tables if t.name == "order")
    assert defective.metrics.fk_integrity == pytest.approx(100 * (1 - orphans.count / orders.rows), abs=1e-3)
    assert defective.quality_score <= 50  # criticals cap the score


def test_clean_generated_dataset_has_no_critical_or_high():
    report = crunch(FIXTURES / "clean", schema=FIXTURES / "schema_clean.json")
    assert report.summary.critical == 0 and report.summary.high == 0, [i.finding for i in report.issues]
    assert report.checks.errored == 0
    assert report.metrics.fk_integrity == 100.0 and report.metrics.temporal_violations == 0.0
    assert {(f.from_table, f.to_table) for f in report.model.foreign_keys} == {("order", "customer")}
