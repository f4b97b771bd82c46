"""Findings: check outcomes turned into report issues, check counts, metrics and the quality score.

Quality score (0–100)::

    score = 100 × Σ credit(check run) / (runs that passed, failed or errored)
    credit: passed 1 · low 0.8 · medium 0.5 · high 0.2 · critical 0 · error 0

Skipped runs are left out of the denominator but never count as passes; no run at all scores 0, and any
critical issue caps the score at 50. So a dataset where checks could not run cannot score high.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, cast

from datagen_contracts import clock
from datagen_contracts.fixes import AnyFix, make_fix
from datagen_contracts.report import (
    CheckCounts,
    CheckResult,
    Issue,
    Measure,
    Metrics,
    SeveritySummary,
)

from ..checks.runner import Outcome, Runner, render_text
from ..errors import PersonaError
from ..model.semantic import Model

CREDIT = {"low": 0.8, "medium": 0.5, "high": 0.2, "critical": 0.0}
SEVERITY_ORDER = ("critical", "high", "medium", "low")


def _render_params(params: dict, values: dict) -> dict:
    return {k: render_text(v, values) if isinstance(v, str) else v for k, v in params.items()}


def _fix(check: Any, values: dict) -> AnyFix:
    """The check's fix hint with its placeholders filled in: one of the closed set of actions, typed."""
    action = render_text(check.fix.action, values)
    try:
        return make_fix(action, check.fix.path, _render_params(check.fix.params, values))
    except ValueError as exc:
        raise PersonaError(f"check {check.id!r}: its fix does not make a fix hint: {exc}") from None


def issue_from(outcome: Outcome, runner: Runner) -> Issue:
    check, ctx = outcome.check, outcome.context
    values = runner.text_values(outcome)
    target = ctx.key if ctx else "dataset"
    measured = {k: outcome.values.get(k) for k in ("value", "row_count", "failed_row_count")}
    fingerprint = hashlib.sha256(
        json.dumps([check.id, target, measured], sort_keys=True, default=str).encode()
    ).hexdigest()
    finding = render_text(check.finding, values)
    if check.benchmark:
        finding += f" ({render_text(check.benchmark, values)})"
    return Issue(
        id=f"{check.id}:{target}",
        fingerprint=fingerprint,
        rule_id=check.id,
        severity=cast(Any, outcome.severity),
        category=check.category,
        persona=outcome.persona.name,
        finding=finding,
        measure=Measure(
            metric=check.metric,
            value=outcome.value,
            threshold=outcome.threshold,
            row_count=_int(outcome.values.get("row_count")),
            failed_row_count=_int(outcome.values.get("failed_row_count")),
            unit=check.unit,
        ),
        fix=_fix(check, values),
        table=ctx.table if ctx else None,
        column=ctx.column if ctx else None,
        sample_keys=list(outcome.samples),
        sql=outcome.sql,
        recommendation=_advice(check, values, runner.generated),
        provenance="builtin" if outcome.persona.source == "builtin" else "user",
    )


def _advice(check: object, values: dict, generated: bool) -> str:
    """Advice by origin: schema/generator fixes for data datagen generated; for any other data, what its owner
    can apply (the check's ``recommendation_data``, else a generic sentence built on the reproducible SQL)."""
    if generated:
        return render_text(check.recommendation, values)  # type: ignore[attr-defined]
    if check.recommendation_data:  # type: ignore[attr-defined]
        return render_text(check.recommendation_data, values)  # type: ignore[attr-defined]
    return ("Fix it at the source: the issue's SQL lists the affected rows; correct them where the data is produced "
            "and add a validation there so they cannot come back.")


def _int(v: object) -> int | None:
    return None if v is None else int(cast(Any, v))


def check_counts(outcomes: list[Outcome]) -> CheckCounts:
    counts = CheckCounts()
    for o in outcomes:
        status = {"failed": "failed", "passed": "passed", "skipped": "skipped", "error": "error"}[o.status]
        counts.results.append(
            CheckResult(
                rule_id=o.check.id,
                persona=o.persona.name,
                status=cast(Any, status),
                table=o.context.table if o.context else None,
                column=o.context.column if o.context else None,
                reason=o.reason if o.status in ("skipped", "error") else (o.severity if o.status == "failed" else None),
                duration_ms=None if clock.pinned() else round(o.duration_ms, 3),
            )
        )
        if o.status == "passed":
            counts.passed += 1
        elif o.status == "failed":
            counts.failed += 1
        elif o.status == "error":
            counts.errored += 1
        else:
            counts.skipped += 1
    counts.evaluated = counts.passed + counts.failed + counts.errored
    return counts


def summary(issues: list[Issue]) -> SeveritySummary:
    s = SeveritySummary()
    for i in issues:
        setattr(s, i.severity, getattr(s, i.severity) + 1)
    return s


def quality_score(outcomes: list[Outcome]) -> float:
    ran = [o for o in outcomes if o.status in ("passed", "failed", "error")]
    if not ran:
        return 0.0
    credit = sum(1.0 if o.status == "passed" else CREDIT.get(o.severity or "", 0.0) if o.status == "failed" else 0.0 for o in ran)
    score = 100.0 * credit / len(ran)
    if any(o.severity == "critical" for o in ran):
        score = min(score, 50.0)
    return round(score, 1)


def _pct(outcomes: list[Outcome], metric: str) -> float | None:
    """Failed rows over rows, in percent, of the checks that measure ``metric`` (over every context they ran in)."""
    rows = [o for o in outcomes if o.check.dataset_metric == metric and o.status in ("passed", "failed")]
    total = sum(int(o.values.get("row_count") or 0) for o in rows)
    if not total:
        return None
    return round(100.0 * sum(int(o.values.get("failed_row_count") or 0) for o in rows) / total, 4)


def metrics(model: Model, metric_outcomes: list[Outcome]) -> Metrics:
    """The dataset metrics, from the checks persona files mark with ``dataset_metric`` (run for this purpose when
    their persona is not selected)."""
    orphan_pct = _pct(metric_outcomes, "fk_integrity")
    return Metrics(
        tables_analyzed=len(model.tables),
        total_rows=sum(t.rows for t in model.tables.values()),
        fk_integrity=None if orphan_pct is None else round(100.0 - orphan_pct, 4),
        null_rate=_pct(metric_outcomes, "null_rate"),
        temporal_violations=_pct(metric_outcomes, "temporal_violations"),
        duplicate_rate=_pct(metric_outcomes, "duplicate_rate"),
        other={
            "foreign_keys": float(len(model.foreign_keys)),
            "columns": float(sum(len(t.columns) for t in model.tables.values())),
        },
    )


def sort_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (SEVERITY_ORDER.index(i.severity), i.persona, i.id))
