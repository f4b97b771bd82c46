from __future__ import annotations

import pytest
from polisher_builders import issue

from datagen_contracts.fixes import make_fix
from datagen_contracts.report import CrunchReport, DatasetRef, ToolInfo
from datapolisher.issues import count_by_severity, fixable_by, problem_of, read_findings


@pytest.mark.parametrize(
    ("action", "params", "expected"),
    [
        # the fix actions of datacruncher's built-in personas
        ("fk_lookup", {}, "orphans"),
        ("dedupe_on_key", {}, "duplicate_key"),
        ("dedupe_rows", {}, "duplicate_rows"),
        ("fill_nulls", {}, "nullable"),
        ("set_null_rate", {}, "nullable"),
        ("parent_time_order", {"time_order": "after"}, "temporal_parent"),
        ("inequality", {}, "inverted_interval"),
        ("within_timeframe", {}, "future_dates"),
        ("cast", {}, "type_drift"),
        ("normalize_categories", {}, "code_variants"),
        ("round", {}, "money_precision"),
        ("clamp", {}, "negative_amounts"),
        ("heavy_tailed_fanout", {}, "fanout"),
        ("retention_curve", {}, "retention"),
        ("churn_curve", {}, "retention"),
        ("choice_weights", {}, "weights"),
        # drift: by its metric; a human's review is no problem datapolisher fixes
        ("review_drift", {"metric": "fanout_mean"}, "fanout"),
        ("review_drift", {"metric": "psi"}, None),
        ("review", {}, None),
        ("patch_scenario", {}, None),
    ],
)
def test_problem_of_dispatches_on_the_fix_type(action: str, params: dict, expected: str | None) -> None:
    assert problem_of(make_fix(action, "schema", params)) == expected


def test_every_action_is_either_a_problem_or_for_a_human() -> None:
    from datagen_contracts.fixes import FIX_TYPES, ReviewDrift
    from datapolisher.issues import POSTPROCESS_PROBLEMS, PROBLEMS, SCHEMA_PROBLEMS

    human = {t.__struct_config__.tag for t in FIX_TYPES if t not in PROBLEMS and t is not ReviewDrift}
    assert human == {"review", "patch_scenario", "clamp_to_range", "shift_mean", "recompute_total", "price_lookup",
                     "adoption_curve", "creation_trend", "revenue_trend", "funnel_stages"}
    assert set(PROBLEMS.values()) <= SCHEMA_PROBLEMS | POSTPROCESS_PROBLEMS


def test_findings_take_the_hint_column_over_the_issue_column() -> None:
    i = issue("temporal_fk", "parent_time_order", table="order", column="user_id", path="schema",
              params={"table": "order", "column": "placed_at", "parent": "user"})
    report = CrunchReport(tool=ToolInfo(name="d", version="1"), analysis_date="t",
                          dataset=DatasetRef(path="x", fingerprint="y"), issues=[i])
    (f,) = read_findings(report)
    assert (f.table, f.column, f.problem) == ("order", "placed_at", "temporal_parent")
    assert fixable_by(f, "schema") and fixable_by(f, "postprocess")


def test_count_by_severity_lists_every_level() -> None:
    assert count_by_severity([issue("a", "review", severity="low")]) == {"critical": 0, "high": 0, "medium": 0, "low": 1}
