"""``--interactive``: issues grouped by problem; for each group the user picks a path (with a default)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import stages
from .auto import set_aside
from .dataset import ensure_absent
from .errors import PolisherError
from .inputs import PolishInputs, load_inputs
from .issues import Finding, fixable_by, read_findings
from .paths import StepResult, postprocess_path, schema_path
from .postprocess.apply import default_output
from .schema_fix import improve_schema, read_schema_raw

CHOICES = ("schema", "postprocess", "skip")


@dataclass(frozen=True)
class Group:
    problem: str
    findings: tuple[Finding, ...]
    options: tuple[str, ...]
    default: str


def _schema_edits(schema: dict[str, Any] | None, members: list[Finding]) -> bool:
    """Whether the schema path would change anything for these findings (a dry run of the editor): "schema" is
    offered only where an edit applies — not for outliers of a schema that injects none, say."""
    if schema is None:
        return False
    try:
        return bool(improve_schema(schema, members).changes)
    except PolisherError:
        return False


def group_findings(findings: list[Finding], *, schema: dict[str, Any] | None) -> list[Group]:
    """One group per problem kind, with the paths that can fix it and the report's hinted path as default;
    ``schema`` is the dataset's DSL schema (as plain JSON values), None when there is none."""
    by_problem: dict[str, list[Finding]] = {}
    for f in findings:
        by_problem.setdefault(f.problem or "unrecognised", []).append(f)
    groups = []
    for problem, members in by_problem.items():
        options = [p for p in ("schema", "postprocess") if fixable_by(members[0], p)
                   and (p != "schema" or _schema_edits(schema, members))]
        hinted = members[0].hinted_path
        default = hinted if hinted in options else (options[0] if options else "skip")
        groups.append(Group(problem, tuple(members), (*options, "skip"), default))
    return groups


def choose(
    report_findings: list[Finding],
    ask: Callable[[Group], str],
    *,
    schema: dict[str, Any] | None,
) -> dict[str, list[Finding]]:
    """Ask once per group; returns the findings routed to each path."""
    routed: dict[str, list[Finding]] = {c: [] for c in CHOICES}
    for group in group_findings(report_findings, schema=schema):
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
    schema = read_schema_raw(inputs.schema_path) if inputs.schema_path is not None else None
    routed = choose(read_findings(inputs.report), ask, schema=schema)
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
