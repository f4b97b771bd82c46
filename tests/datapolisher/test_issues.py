from __future__ import annotations

import pytest
from polisher_builders import issue

from datagen_contracts.report import CrunchReport, DatasetRef, ToolInfo
from datapolisher.issues import count_by_severity, fixable_by, problem_of, read_findings


@pytest.mark.parametrize(
    ("action", "rule", "expected"),
    [
        # the fix actions of datacruncher's built-in personas
        ("fk_lookup", "fk_orphans", "orphans"),
        ("dedupe_on_key", "pk_duplicates", "duplicate_key"),
        ("dedupe_rows", "duplicate_rows", "duplicate_rows"),
        ("fill_nulls", "null_violations", "nullable"),
        ("set_null_rate", "null_rate", "nullable"),
        ("child_after_parent", "temporal_fk", "temporal_parent"),
        ("inequality", "temporal_within", "inverted_interval"),
        ("within_timeframe", "future_dates", "future_dates"),
        ("cast", "ids_as_float", "type_drift"),
        ("normalize_categories", "format_inconsistency", "code_variants"),
        ("round", "money_precision", "money_precision"),
        ("clamp", "negative_amounts", "negative_amounts"),
        ("heavy_tailed_fanout", "engagement_distribution", "fanout"),
        ("retention_curve", "d7_retention", "retention"),
        ("churn_curve", "churn", "retention"),
        ("choice_weights", "channel_mix", "weights"),
        # a renamed action still lands through the rule id
        ("something_new", "fk_orphans", "orphans"),
        ("mystery", "mystery", None),
    ],
)
def test_problem_of_reads_action_then_rule(action: str, rule: str, expected: str | None) -> None:
    assert problem_of(action, rule) == expected


def test_findings_take_the_hint_column_over_the_issue_column() -> None:
    i = issue("temporal_fk", "child_after_parent", table="order", column="user_id", path="schema",
              params={"table": "order", "column": "placed_at", "parent": "user"})
    report = CrunchReport(tool=ToolInfo(name="d", version="1"), analysis_date="t",
                          dataset=DatasetRef(path="x", fingerprint="y"), issues=[i])
    (f,) = read_findings(report)
    assert (f.table, f.column, f.problem) == ("order", "placed_at", "temporal_parent")
    assert fixable_by(f, "schema") and fixable_by(f, "postprocess")


def test_count_by_severity_lists_every_level() -> None:
    assert count_by_severity([issue("a", "b", severity="low")]) == {"critical": 0, "high": 0, "medium": 0, "low": 1}
