"""Reading a crunch report's issues as problems datapolisher knows how to fix.

Each issue carries a typed fix hint (:mod:`datagen_contracts.fixes`): one of a closed set of actions, with its
table, column and parameters. The problem it describes is looked up by the hint's type — never guessed from
text. The table below is documented in ``docs/datapolisher.md``.

>>> from datagen_contracts.fixes import DedupeOnKey, ReviewDrift
>>> problem_of(DedupeOnKey(path="postprocess", table="orders", key="order_id"))
'duplicate_key'
>>> problem_of(ReviewDrift(path="schema", metric="fanout_mean")), problem_of(ReviewDrift(path="none", metric="psi"))
('fanout', None)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from datagen_contracts import fixes
from datagen_contracts.report import SEVERITIES, CrunchReport, Issue

#: the problem each fix action describes (actions not listed are for a human: review, scenarios, trends)
PROBLEMS: dict[type[fixes.FixHint], str] = {
    fixes.DropOrphans: "orphans", fixes.NullOrphans: "orphans", fixes.FkLookup: "orphans",
    fixes.ParentTimeOrder: "temporal_parent", fixes.AttributionChain: "temporal_parent",
    fixes.TouchBeforeConversion: "temporal_parent",
    fixes.Inequality: "inverted_interval",
    fixes.WithinTimeframe: "future_dates",
    fixes.DedupeOnKey: "duplicate_key",
    fixes.DedupeRows: "duplicate_rows",
    fixes.Round: "money_precision",
    fixes.TrimWhitespace: "whitespace",
    fixes.Cast: "type_drift",
    fixes.NormalizeCategories: "code_variants", fixes.NormalizeToEnum: "code_variants",
    fixes.NormalizeFormat: "code_variants",
    fixes.ClampOutliers: "outliers",
    fixes.Clamp: "negative_amounts",
    fixes.HeavyTailedFanout: "fanout",
    fixes.SegmentBehavior: "segments",
    fixes.RetentionCurve: "retention", fixes.ChurnCurve: "retention", fixes.RaiseEarlyActivity: "retention",
    fixes.FillNulls: "nullable", fixes.SetNullRate: "nullable",
    fixes.ChoiceWeights: "weights",
    fixes.Seasonality: "seasonality",
    fixes.VaryColumn: "generator",
}
#: drift of these metrics (``review_drift``) is a problem the schema path can correct
DRIFT_PROBLEMS = {"fanout_mean": "fanout", "choice_weights": "weights", "null_rate": "nullable"}

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


def problem_of(fix: fixes.FixHint) -> str | None:
    """The problem a fix hint describes, or ``None`` when it is for a human."""
    if isinstance(fix, fixes.ReviewDrift):
        return DRIFT_PROBLEMS.get(fix.metric or "")
    return PROBLEMS.get(type(fix))


def param(params: dict[str, Any], *names: str, default: Any = None) -> Any:
    """The first of several parameter names that has a value."""
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
        params = {k: v for k, v in msgspec.structs.asdict(issue.fix).items() if k != "path"}
        # the hint's column is the one to change (temporal_fk: the child's time column, not the FK it joins on)
        table = issue.fix.table or issue.table
        column = issue.fix.column or issue.column
        out.append(Finding(issue, problem_of(issue.fix), table, column, params))
    return out


def count_by_severity(issues: Iterable[Issue]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for i in issues:
        counts[i.severity] += 1
    return counts


def fixable_by(finding: Finding, path: str) -> bool:
    if finding.problem is None:
        return False
    return finding.problem in (SCHEMA_PROBLEMS if path == "schema" else POSTPROCESS_PROBLEMS)
