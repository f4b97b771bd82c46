"""The short human summary printed on stderr after a crunch."""

from __future__ import annotations

from pathlib import Path

from datagen_contracts.report import CrunchReport
from datagen_contracts.text import printable

_MAX_LISTED = 15


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}%"


def render_summary(report: CrunchReport, *, verbose: bool = False, output: Path | None = None) -> str:
    s, c, m = report.summary, report.checks, report.metrics
    lines = [
        f"datacruncher {report.tool.version} — {printable(report.dataset.path)} ({m.tables_analyzed} tables, {m.total_rows} rows)",
        f"personas: {printable(', '.join(report.personas))}",
        "",
        f"  {'severity':<10}{'issues':>7}",
        *(f"  {lvl:<10}{getattr(s, lvl):>7}" for lvl in ("critical", "high", "medium", "low")),
        "",
        f"checks: {c.evaluated} evaluated, {c.passed} passed, {c.failed} failed, {c.errored} errored, {c.skipped} skipped",
        f"fk integrity {_pct(m.fk_integrity)} · null rate {_pct(m.null_rate)} · "
        f"temporal violations {_pct(m.temporal_violations)} · duplicates {_pct(m.duplicate_rate)}",
        f"quality score {report.quality_score:.1f}/100",
    ]
    shown = report.issues if verbose else report.issues[:_MAX_LISTED]
    if shown:
        lines.append("")
    for issue in shown:
        origin = " (llm)" if issue.provenance == "llm" else ""
        lines.append(f"  [{issue.severity.upper():<8}] {printable(issue.persona)}{origin}: {printable(issue.finding)}")
        if verbose and issue.sql:
            lines += ["      " + printable(ln) for ln in issue.sql.splitlines()]
    if len(report.issues) > len(shown):
        lines.append(f"  … {len(report.issues) - len(shown)} more in the report (--verbose lists all)")
    errors = [r for r in c.results if r.status == "error"]
    for r in errors[:_MAX_LISTED]:
        lines.append(f"  [ERROR   ] {printable(r.persona)}: {r.rule_id} on {printable(r.table or 'dataset')}: "
                     f"{printable(r.reason)}")
    for run in report.agents:
        confirmed = sum(p.status == "confirmed" for p in run.proposals)
        lines.append(f"  agent {printable(run.persona)} ({printable(run.model)}): {run.calls} calls "
                     f"({run.cached_calls} cached), {run.queries} queries, {confirmed} of {len(run.proposals)} "
                     f"findings confirmed — {printable(run.stopped)}")
        if verbose:
            lines += [f"      rejected: {printable(p.title)}: {printable(p.reason)}"
                      for p in run.proposals if p.status == "rejected"]
    if report.gate.fail_on:
        lines.append(f"gate ({report.gate.fail_on}): {'TRIGGERED — ' if report.gate.triggered else 'ok — '}{printable(report.gate.reason)}")
    if output is not None:
        lines.append(f"report: {printable(output)}")
    return "\n".join(lines)
