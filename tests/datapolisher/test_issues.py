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
    from datapolisher.problems import BY_FIX, POSTPROCESS_PROBLEMS, SCHEMA_PROBLEMS

    human = {t.__struct_config__.tag for t in FIX_TYPES if t not in BY_FIX and t is not ReviewDrift}
    assert human == {"review", "patch_scenario", "clamp_to_range", "shift_mean", "recompute_total", "price_lookup",
                     "adoption_curve", "creation_trend", "revenue_trend", "funnel_stages"}
    assert set(BY_FIX.values()) <= SCHEMA_PROBLEMS | POSTPROCESS_PROBLEMS


def test_each_problem_module_holds_what_its_paths_need() -> None:
    """A problem the post-processing path fixes has a ``plan``; one the schema path fixes has an edit or a defect
    kind to remove (or says why not); no fix type or defect kind belongs to two problems; defect kinds exist."""
    from datagen_contracts.dsl import DEFECT_KINDS
    from datapolisher.problems import PROBLEMS

    fix_types = [fix for m in PROBLEMS for fix in m.FIXES]
    defects = [kind for m in PROBLEMS for kind in m.DEFECTS]
    assert len(fix_types) == len(set(fix_types)) and len(defects) == len(set(defects))
    assert set(defects) <= set(DEFECT_KINDS)
    assert len({m.PROBLEM for m in PROBLEMS}) == len(PROBLEMS)
    for m in PROBLEMS:
        assert m.__name__.rsplit(".", 1)[1] == m.PROBLEM
        assert set(m.PATHS) <= {"schema", "postprocess"} and m.PATHS
        assert ("postprocess" in m.PATHS) == hasattr(m, "plan"), m.PROBLEM
        if "schema" in m.PATHS and not (hasattr(m, "edit_schema") or m.DEFECTS):
            assert "No automatic edit" in (m.__doc__ or ""), m.PROBLEM


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
