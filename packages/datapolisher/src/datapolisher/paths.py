"""The three resolution paths as library functions: schema, postprocess, approve (plus re-crunching).

Each takes :class:`~datapolisher.inputs.PolishInputs` and returns a result the CLI renders. Scripts, the
improved schema and its change log are written beside the crunch report (the working directory of a run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.manifest import StageRun
from datagen_contracts.report import CrunchReport

from . import __about__, stages
from .approval.manifest_build import now_utc
from .errors import InputError
from .inputs import PolishInputs, load_inputs, read_metadata
from .issues import Finding, count_by_severity, read_findings
from .model import build_model, unkeepable_names
from .postprocess.apply import apply_plan, default_output
from .postprocess.plan import build_plan
from .schema_fix import improve_schema, read_schema_raw, write_improved


@dataclass
class StepResult:
    """What one path did: files written, the data it produced, and the re-crunch, if one ran."""

    path: str
    written: list[Path] = field(default_factory=list)
    output_dir: Path | None = None
    fixes: list[str] = field(default_factory=list)
    unhandled: list[str] = field(default_factory=list)
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] | None = None
    report_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    stage_runs: list[StageRun] = field(default_factory=list)
    #: issues the step did not address that the re-crunch no longer finds (gone with another fix: the
    #: duplicate keys of injected duplicate rows, orphans of a regenerated table…)
    also_gone: list[str] = field(default_factory=list)
    unhandled_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "written": [str(p) for p in self.written],
            "output_dir": str(self.output_dir) if self.output_dir else None, "fixes": self.fixes,
            "unhandled": self.unhandled, "also_gone": self.also_gone, "before": self.before, "after": self.after,
            "report": str(self.report_path) if self.report_path else None, "notes": self.notes,
        }


def work_dir(inputs: PolishInputs) -> Path:
    return inputs.report_path.resolve().parent


def recrunch_report_path(inputs: PolishInputs, output_dir: Path) -> Path:
    """Re-crunch reports go beside the original report, never inside a dataset."""
    return work_dir(inputs) / f"crunch_report.{output_dir.name}.json"


def recrunch(result: StepResult, inputs: PolishInputs, data: Path, schema: Path | None) -> CrunchReport | None:
    """Re-run datacruncher on ``data`` if it is installed; record before/after counts by severity."""
    if stages.executable("datacruncher") is None:
        result.notes.append(f"datacruncher is not on PATH: to verify, run `datacruncher crunch {data}`")
        return None
    report_path = recrunch_report_path(inputs, data)
    run = stages.crunch(data, report_path, schema=schema, personas=inputs.report.personas or None)
    fresh = load_inputs(report_path, data=data)
    result.after = count_by_severity(fresh.report.issues)
    result.report_path = report_path
    remaining = {i.id for i in fresh.report.issues}
    pairs = list(zip(result.unhandled_ids, result.unhandled, strict=True))
    result.unhandled = [label for key, label in pairs if key in remaining]
    result.also_gone = [label for key, label in pairs if key not in remaining]
    result.stage_runs.append(StageRun(stage="crunch", tool=fresh.report.tool.name, version=fresh.report.tool.version,
                                      at=fresh.report.analysis_date, command=run.command_line,
                                      output_sha256=fresh.report_sha256))
    return fresh.report


def _labels(findings: list[Finding]) -> list[str]:
    return [f.label for f in findings]


def schema_path(
    inputs: PolishInputs,
    *,
    output: Path | None = None,
    findings: list[Finding] | None = None,
    overwrite: bool = False,
    regenerate: bool = True,
) -> StepResult:
    """Improve the schema; regenerate with the same seed, scale and table layout if ``datagen`` is installed,
    then re-crunch."""
    if inputs.schema_path is None:
        raise InputError(f"the schema path needs the dataset's schema: {inputs.missing_schema()}")
    findings = read_findings(inputs.report) if findings is None else findings
    result = StepResult("schema", before=count_by_severity(inputs.report.issues))
    fixed = improve_schema(read_schema_raw(inputs.schema_path), findings)
    improved, changes = write_improved(fixed, work_dir(inputs), inputs.schema_path.name)
    result.written += [improved, changes]
    result.fixes = [c.summary for c in fixed.changes]
    result.unhandled, result.unhandled_ids = _labels(fixed.unhandled), [f.issue.id for f in fixed.unhandled]
    if not fixed.changes:
        result.notes.append("no schema change applies to these issues")
        return result
    target = output or default_output(inputs.data_dir)
    seed = inputs.metadata.seed if inputs.metadata else None
    if not regenerate:
        return result
    if stages.executable("datagen") is None:
        result.notes.append(f"datagen is not on PATH: to regenerate, run `datagen generate {improved} "
                            f"--seed {seed if seed is not None else 42} -o {target}`")
        return result
    run = stages.generate(improved, seed, target, overwrite=overwrite, **_layout(inputs))
    result.output_dir = target
    meta = read_metadata(target)
    result.stage_runs.append(StageRun(
        stage="polish:schema", tool=meta.generator.name if meta else "datagen",
        version=meta.generator.version if meta else "unknown", at=meta.generated_at if meta else now_utc(),
        command=run.command_line, output_sha256=file_sha256(improved)))
    recrunch(result, inputs, target, improved)
    return result


def _layout(inputs: PolishInputs) -> dict[str, Any]:
    """``datagen generate`` options that give the regenerated data the input's size and layout: its scale and the
    ``--partition-rows`` it was generated with (not recorded: its largest part, or one file per table)."""
    meta = inputs.metadata
    if meta is None:
        return {}
    parts = [f.rows for t in meta.tables if len(t.files) > 1 for f in t.files]
    rows = meta.partition_rows if meta.partition_rows is not None else max(parts, default=0)
    return {"scale": meta.scale, "partition_rows": rows}


def postprocess_path(
    inputs: PolishInputs,
    *,
    output: Path | None = None,
    findings: list[Finding] | None = None,
    add: tuple[str, ...] = (),
    defaults: dict[str, Any] | None = None,
    overwrite: bool = False,
    recrunch_after: bool = True,
) -> StepResult:
    """Write postprocess.sql/.py, apply them into ``output`` (default ``<dataset>_polished``), re-crunch."""
    findings = read_findings(inputs.report) if findings is None else findings
    model = build_model(inputs.data_dir, inputs.metadata, inputs.report)
    if (clash := unkeepable_names(model)) is not None:
        raise InputError(f"column names that DuckDB cannot keep apart (differing only in case, repeated or empty) — "
                         f"{clash}. postprocess.sql would write them under the names read; rename them at the "
                         "source, then crunch again")
    plan = build_plan(model, findings, add=add, defaults=defaults)
    target = output or default_output(inputs.data_dir)
    header = f"From {inputs.report_path.name} (sha256 {inputs.report_sha256[:12]}…), datapolisher {__about__.__version__}."
    applied = apply_plan(plan, model, data_dir=inputs.data_dir, output_dir=target, script_dir=work_dir(inputs),
                         source_meta=inputs.metadata, dataset_name=inputs.dataset_name, header=header,
                         overwrite=overwrite)
    result = StepResult("postprocess", written=[applied.sql_path, applied.python_path], output_dir=target,
                        fixes=plan.fixes, unhandled=_labels(plan.unhandled),
                        unhandled_ids=[f.issue.id for f in plan.unhandled],
                        before=count_by_severity(inputs.report.issues))
    result.notes += applied.notes
    result.stage_runs.append(StageRun(stage="polish:postprocess", tool="datapolisher", version=__about__.__version__,
                                      at=now_utc(), command=str(applied.sql_path),
                                      output_sha256=applied.metadata.lineage.script_sha256 if applied.metadata.lineage else None))
    if recrunch_after:
        recrunch(result, inputs, target, inputs.schema_path)
    return result
