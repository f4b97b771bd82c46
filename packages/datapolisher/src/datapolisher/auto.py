"""``--auto``: schema fixes first, then post-processing, then approval — re-crunched after every step.

Each round takes one step on the current data and report: the schema path when a schema and ``datagen`` are
available and schema-level issues remain (and the last schema round helped), else the postprocess path for
the data-level issues left. The loop ends when nothing fixable is left, a step changes nothing, the
re-crunch is impossible (``datacruncher`` missing), or after ``max_rounds``. When the final report has no
critical issue, the final data is approved. ``polish_summary.json`` records every round, and
``polish_summary.html`` shows it (before/after counts, fixes, links to every file written).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen_contracts.files import write_atomic
from datagen_contracts.manifest import StageRun

from . import stages
from .approval.approve import approve, critical_issues
from .dataset import ensure_absent
from .inputs import PolishInputs, load_inputs
from .issues import count_by_severity, fixable_by, read_findings
from .paths import StepResult, postprocess_path, schema_path
from .postprocess.apply import default_output
from .schema_fix import improve_schema, read_schema_raw
from .summary_page import render as render_summary

SUMMARY = "polish_summary.json"


@dataclass
class AutoResult:
    rounds: list[StepResult] = field(default_factory=list)
    initial: dict[str, int] = field(default_factory=dict)
    final: dict[str, int] = field(default_factory=dict)
    output_dir: Path | None = None
    manifest: Path | None = None
    stopped: str = ""
    summary_path: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "initial": self.initial, "final": self.final,
            "output_dir": str(self.output_dir) if self.output_dir else None,
            "manifest": str(self.manifest) if self.manifest else None, "stopped": self.stopped,
            "rounds": [{"round": k, **r.to_json()} for k, r in enumerate(self.rounds, 1)],
        }


def _wants_schema(inputs: PolishInputs) -> bool:
    """A schema round is worth it when datagen can regenerate and at least one schema edit applies."""
    if inputs.schema_path is None or stages.executable("datagen") is None:
        return False
    findings = [f for f in read_findings(inputs.report) if f.hinted_path == "schema" and fixable_by(f, "schema")]
    if not findings:
        return False
    return bool(improve_schema(read_schema_raw(inputs.schema_path), findings).changes)


def set_aside(current: Path, target: Path, label: str, *, overwrite: bool = False) -> Path:
    """Move the previous round's data out of the way so the next round can write ``target``.

    ``<target>_<label>`` left by an earlier run is replaced only with ``overwrite`` (as ``target`` is).
    """
    aside = target.with_name(f"{target.name}_{label}")
    ensure_absent(aside, overwrite=overwrite)
    if aside.exists():
        shutil.rmtree(aside)
    current.rename(aside)
    return aside


def auto_polish(
    inputs: PolishInputs,
    *,
    output: Path | None = None,
    max_rounds: int = 3,
    add: tuple[str, ...] = (),
    defaults: dict[str, Any] | None = None,
    license: str | None = None,
    overwrite: bool = False,
    sign_key: Path | None = None,
) -> AutoResult:
    target = output or default_output(inputs.data_dir)
    ensure_absent(target, overwrite=overwrite)
    if sign_key is not None:  # a bad key fails now, not after the rounds
        from .approval.signing import load_private_key

        load_private_key(sign_key)
    result = AutoResult(initial=count_by_severity(inputs.report.issues))
    current = inputs
    schema_helped = True
    runs: list[StageRun] = []
    fixes: list[str] = []
    for k in range(1, max_rounds + 1):
        owned = current.data_dir.resolve() == target.resolve()
        if schema_helped and _wants_schema(current):
            step = schema_path(current, output=target, overwrite=overwrite or owned)
            schema_helped = bool(step.fixes) and (step.after is None or sum(step.after.values()) < sum(step.before.values()))
        else:
            todo = [f for f in read_findings(current.report) if fixable_by(f, "postprocess")]
            if not todo and not (add and k == 1):
                result.stopped = "nothing left that a schema change or post-processing can fix"
                break
            source = set_aside(current.data_dir, target, f"round{k - 1}", overwrite=overwrite) if owned \
                else current.data_dir
            if owned:
                current = load_inputs(current.report_path, data=source, schema=current.schema_path)
            step = postprocess_path(current, output=target, add=add if k == 1 else (), defaults=defaults,
                                    overwrite=overwrite)
        result.rounds.append(step)
        runs += step.stage_runs
        fixes += step.fixes
        if step.output_dir is None:
            result.stopped = "the step produced no new data (see its notes)"
            break
        result.output_dir = step.output_dir
        if step.report_path is None:
            result.stopped = "datacruncher is not installed, so the result could not be re-checked"
            break
        current = load_inputs(step.report_path, data=step.output_dir,
                              schema=step.written[0] if step.path == "schema" else current.schema_path)
        if not step.fixes:
            result.stopped = "the last step changed nothing"
            break
    else:
        result.stopped = f"stopped after --max-rounds {max_rounds}"
    result.final = count_by_severity(current.report.issues)
    fresh = result.output_dir is not None and current.data_dir.resolve() == result.output_dir.resolve()
    if fresh and not critical_issues(current):
        result.manifest = approve(current, license=license, fixes=fixes, stages=runs, sign_key=sign_key).manifest_path
    elif result.output_dir is None and not current.stale_forced and not critical_issues(current):
        # nothing needed fixing: the output is a verified copy of the data, approved
        result.manifest = approve(current, output_dir=target, license=license, overwrite=overwrite,
                                  sign_key=sign_key).manifest_path
        result.output_dir = target
    summary = work_dir_of(inputs) / SUMMARY
    doc = result.to_json()
    write_atomic(summary, (json.dumps(doc, indent=2) + "\n").encode())
    write_atomic(summary.with_suffix(".html"), render_summary(doc, summary.parent).encode())
    result.summary_path = summary
    return result


def work_dir_of(inputs: PolishInputs) -> Path:
    return inputs.report_path.resolve().parent
