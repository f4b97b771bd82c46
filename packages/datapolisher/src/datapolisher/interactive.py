"""``--interactive``: issues grouped by problem; for each group the user picks a path (with a default)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import stages
from .auto import set_aside
from .dataset import ensure_absent
from .inputs import PolishInputs, load_inputs
from .issues import Finding, fixable_by, read_findings
from .paths import StepResult, postprocess_path, schema_path
from .postprocess.apply import default_output

CHOICES = ("schema", "postprocess", "skip")


@dataclass(frozen=True)
class Group:
    problem: str
    findings: tuple[Finding, ...]
    options: tuple[str, ...]
    default: str


def group_findings(findings: list[Finding], *, schema_available: bool) -> list[Group]:
    """One group per problem kind, with the paths that can fix it and the report's hinted path as default."""
    by_problem: dict[str, list[Finding]] = {}
    for f in findings:
        by_problem.setdefault(f.problem or "unrecognised", []).append(f)
    groups = []
    for problem, members in by_problem.items():
        options = [p for p in ("schema", "postprocess") if fixable_by(members[0], p)
                   and (p != "schema" or schema_available)]
        hinted = members[0].hinted_path
        default = hinted if hinted in options else (options[0] if options else "skip")
        groups.append(Group(problem, tuple(members), (*options, "skip"), default))
    return groups


def choose(
    report_findings: list[Finding],
    ask: Callable[[Group], str],
    *,
    schema_available: bool,
) -> dict[str, list[Finding]]:
    """Ask once per group; returns the findings routed to each path."""
    routed: dict[str, list[Finding]] = {c: [] for c in CHOICES}
    for group in group_findings(report_findings, schema_available=schema_available):
        routed[ask(group)].extend(group.findings)
    return routed


def interactive_polish(
    inputs: PolishInputs,
    ask: Callable[[Group], str],
    *,
    output: Path | None = None,
    add: tuple[str, ...] = (),
    defaults: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> list[StepResult]:
    """Route each group as the user chooses, then run the schema step, then the postprocess step."""
    target = output or default_output(inputs.data_dir)
    ensure_absent(target, overwrite=overwrite)
    can_schema = inputs.schema_path is not None
    routed = choose(read_findings(inputs.report), ask, schema_available=can_schema)
    steps: list[StepResult] = []
    current = inputs
    if routed["schema"]:
        step = schema_path(inputs, output=target, findings=routed["schema"], overwrite=overwrite)
        steps.append(step)
        if step.output_dir is not None and step.report_path is not None:
            current = load_inputs(step.report_path, data=target, schema=step.written[0])
    if routed["postprocess"] or add:
        problems = {f.problem for f in routed["postprocess"]}
        findings = [f for f in read_findings(current.report) if f.problem in problems]
        if current is not inputs:
            aside = set_aside(target, target, "regenerated", overwrite=overwrite)
            current = load_inputs(current.report_path, data=aside, schema=current.schema_path)
        elif routed["schema"] and stages.executable("datagen") is not None and target.exists():
            return steps  # regenerated but not re-crunched: post-process findings would describe other data
        steps.append(postprocess_path(current, output=target, findings=findings, add=add, defaults=defaults,
                                      overwrite=overwrite))
    return steps


__all__ = ["CHOICES", "Group", "choose", "group_findings", "interactive_polish"]
