"""Reading a crunch report's issues as problems datapolisher knows how to fix.

Each issue carries a typed fix hint (:mod:`datagen_contracts.fixes`): one of a closed set of actions, with its
table, column and parameters. The problem it describes is looked up by the hint's type — never guessed from
text: each problem's module in :mod:`datapolisher.problems` lists the hint types it answers. The table is
documented in ``docs/datapolisher.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from datagen_contracts.report import SEVERITIES, CrunchReport, Issue

from .problems import POSTPROCESS_PROBLEMS, SCHEMA_PROBLEMS, problem_of


@dataclass(frozen=True)
class Finding:
    """One issue of the report, read as a problem on a target."""

    issue: Issue
    problem: str | None
    table: str | None
    column: str | None
    params: dict[str, Any] = field(default_factory=dict)

    def param(self, *names: str, default: Any = None) -> Any:
        """The hint's first parameter among ``names`` that has a value."""
        for n in names:
            if self.params.get(n) not in (None, ""):
                return self.params[n]
        return default

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
    """Whether ``path`` (``schema`` or ``postprocess``) can fix the finding's problem."""
    if finding.problem is None:
        return False
    return finding.problem in (SCHEMA_PROBLEMS if path == "schema" else POSTPROCESS_PROBLEMS)
