"""Reading a crunch report's issues as problems datapolisher knows how to fix.

Each issue carries a fix hint ``{path, action, params}``. The action vocabulary belongs to datacruncher's
personas, so the problem is recognised from the action *and* the rule id, metric and category together: a
renamed action still lands on the right fix. The table below is documented in ``docs/datapolisher.md``.

>>> problem_of("dedupe_on_key", "pk_duplicates", "duplicate_key_rate", "data_quality")
'duplicate_key'
>>> problem_of("add_after_parent", "fk_temporal_order", "before_parent_rate", "data_quality")
'temporal_parent'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from datagen_contracts.report import SEVERITIES, CrunchReport, Issue

# (problem, pattern over "action rule_id metric category"), first match wins.
PROBLEMS: tuple[tuple[str, str], ...] = (
    ("orphans", r"orphan|fk_integrity|referential|dangling|fk_lookup|fk_coverage"),
    ("inverted_interval", r"invert|interval|start_after_end|end_before_start|temporal_within|inequality|swap"),
    ("temporal_parent", r"before_parent|parent_time|after_parent|temporal|time_order|clamp_child"),
    ("future_dates", r"future|timeframe"),
    ("duplicate_key", r"pk_dup|key_dup|duplicate_key|duplicate_pk|dedupe_on_key|dedupe_key|unique"),
    ("duplicate_rows", r"dup"),
    ("money_precision", r"round|precision|decimal"),
    ("whitespace", r"whitespace|trim"),
    ("type_drift", r"float_id|ids?_as_float|id_float|type_drift|as_strings?|\bcast"),
    ("code_variants", r"variant|normali|format|casing|case_incons"),
    ("outliers", r"outlier"),
    ("negative_amounts", r"negative|^clamp$"),
    ("fanout", r"fanout|engagement"),
    ("segments", r"segment"),
    ("retention", r"retention|vintage|cohort|churn|activation|early_activity"),
    ("nullable", r"nullab|null_rate|not_null|null_violation|nulls?\b|missing|fill"),
    ("weights", r"choice_weights|weights|_mix|evenness"),
    ("seasonality", r"seasonality|too_uniform"),
    ("generator", r"generator|degenerate|constant|vary_column"),
)

# Problems each path can fix (the schema path edits the DSL; the postprocess path transforms the data).
SCHEMA_PROBLEMS = frozenset(
    {"orphans", "temporal_parent", "inverted_interval", "duplicate_key", "duplicate_rows", "fanout", "segments",
     "retention", "nullable", "generator", "type_drift", "code_variants", "whitespace", "future_dates",
     "outliers", "negative_amounts", "weights", "seasonality"}
)
POSTPROCESS_PROBLEMS = frozenset(
    {"orphans", "temporal_parent", "inverted_interval", "duplicate_key", "duplicate_rows", "money_precision",
     "whitespace", "type_drift", "code_variants", "nullable", "negative_amounts"}
)


def problem_of(action: str, rule_id: str, metric: str = "", category: str = "") -> str | None:
    """The problem an issue describes, or ``None`` when datapolisher does not recognise it."""
    for text in (action, f"{action} {rule_id} {metric}", category):
        low = text.lower()
        for problem, pattern in PROBLEMS:
            if re.search(pattern, low):
                return problem
    return None


def param(params: dict[str, Any], *names: str, default: Any = None) -> Any:
    """The first of several spellings of a fix-hint parameter."""
    for n in names:
        if params.get(n) not in (None, ""):
            return params[n]
    return default


@dataclass(frozen=True)
class Finding:
    """One issue of the report, read as a problem on a target."""

    issue: Issue
    problem: str | None
    table: str | None
    column: str | None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def hinted_path(self) -> str:
        return self.issue.fix.path

    @property
    def label(self) -> str:
        target = ".".join(p for p in (self.table, self.column) if p)
        return f"[{self.issue.severity}] {self.issue.id}: {self.issue.finding}" + (f" ({target})" if target else "")


def read_findings(report: CrunchReport) -> list[Finding]:
    out = []
    for issue in report.issues:
        params = dict(issue.fix.params)
        # the hint's column is the one to change (temporal_fk: the child's time column, not the FK it joins on)
        table = param(params, "table", "child_table", "from_table") or issue.table
        column = param(params, "column", "child_column", "from_column") or issue.column
        problem = problem_of(issue.fix.action, issue.rule_id, issue.measure.metric, issue.category)
        out.append(Finding(issue, problem, table, column, params))
    return out


def count_by_severity(issues: Iterable[Issue]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for i in issues:
        counts[i.severity] += 1
    return counts


def fixable_by(finding: Finding, path: str) -> bool:
    if finding.problem is None:
        return False
    return finding.problem in (SCHEMA_PROBLEMS if path == "schema" else POSTPROCESS_PROBLEMS)
