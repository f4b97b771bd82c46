"""The analysis pipeline: mount → discover → run persona checks → drift → report → gate.

>>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> pq.write_table(pa.table({"id": [1, 2, 2]}), d / "users.parquet")
>>> report = crunch(d, personas="Data Engineer")
>>> [i.rule_id for i in report.issues if i.severity == "high"], report.metrics.total_rows
(['duplicate_rows'], 3)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from datagen_contracts import clock
from datagen_contracts.report import CrunchReport, DatasetRef, DriftResult, Issue, ToolInfo

from .__about__ import __version__
from .checks.personas import Persona, available_personas, dataset_metric_checks, select_personas
from .checks.runner import Outcome, Runner
from .checks.thresholds import Override, apply_thresholds, load_thresholds
from .model.catalog import DEFAULT_MEMORY_LIMIT, open_catalog
from .model.discovery import discover, set_reference_window
from .report.findings import (
    check_counts,
    issue_from,
    metrics,
    quality_score,
    sort_issues,
    summary,
)
from .report.gate import evaluate_gate

if TYPE_CHECKING:
    from .agents.analyst import AgentSettings

#: personas whose checks read retention: the report carries the curves when one of them runs
CURVE_PERSONAS = {"vp_growth", "customer_success_vp"}


def resolve_personas(
    personas: str | Sequence[str] | None = None,
    persona_files: Sequence[str | Path] = (),
    personas_dirs: Sequence[str | Path] = (),
) -> list[Persona]:
    return select_personas(available_personas(list(persona_files), list(personas_dirs)), personas)


def _metric_outcomes(runner: Runner, outcomes: list[Outcome], available: list[Persona]) -> list[Outcome]:
    """The measures behind the dataset metrics: the checks persona files mark with ``dataset_metric``, reusing runs
    that already happened and running the others for this purpose."""
    done = [o for o in outcomes if o.check.dataset_metric is not None]
    have = {o.check.id for o in done}  # also run by a persona that `uses` it
    for persona, check in dataset_metric_checks(available).values():
        if check.id not in have:
            done += runner.run_check(persona, check)
    return done


def crunch(
    path: str | Path,
    *,
    schema: str | Path | None = None,
    personas: str | Sequence[str] | None = None,
    persona_files: Sequence[str | Path] = (),
    personas_dirs: Sequence[str | Path] = (),
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    temp_dir: str | Path | None = None,
    baseline: str | Path | None = None,
    fail_on: str | None = None,
    sample_limit: int = 10,
    analysis_date: str | None = None,
    drift_metrics: str | Sequence[str] | None = None,
    thresholds: str | Path | Mapping[str, Override] | None = None,
    benchmarks: Sequence[str] = (),
    follow_symlinks: bool = False,
    agents: AgentSettings | None = None,
) -> CrunchReport:
    """Analyze the parquet dataset at ``path`` and return the report (nothing is written).

    ``drift_metrics`` picks the baseline metrics (``psi``, ``js``, ``wasserstein``, ``ks``; default psi and
    wasserstein). ``thresholds`` (a YAML file or its parsed overrides) and ``benchmarks`` (``CHECK=FLAG[:LOW-HIGH]``)
    override checks' severities, benchmark texts and params (see :mod:`datacruncher.checks.thresholds`). A symlink leading
    outside the dataset directory is refused unless ``follow_symlinks``. ``agents`` runs persona agents on a model
    (see :mod:`datacruncher.agents.analyst`); only the findings they prove are added."""
    from .checks.analyses import ANALYSES, Inputs
    from .checks.baseline import parse_drift_metrics
    from .report.profiles import profile_columns, time_shapes
    from .report.series import funnels, retention_curves

    available = available_personas(list(persona_files), list(personas_dirs))
    chosen = select_personas(available, personas)
    if thresholds is not None or benchmarks:
        overrides = load_thresholds(thresholds) if isinstance(thresholds, str | Path) else thresholds
        chosen = apply_thresholds(chosen, overrides, benchmarks, available)
    metrics_chosen = parse_drift_metrics(drift_metrics)
    with open_catalog(path, schema=schema, memory_limit=memory_limit, temp_dir=temp_dir,
                      follow_symlinks=follow_symlinks) as catalog:
        model = discover(catalog, reference_window=False)
        tails: dict[tuple[str, str], tuple[float | None, float | None]] = {}
        profiles = profile_columns(catalog, model, tails)  # before the checks: they read each column's shape
        time_shapes(catalog, model, profiles)
        set_reference_window(catalog, model, tails)
        runner = Runner(catalog, model, sample_limit=sample_limit)
        outcomes = runner.run(chosen)
        issues = [issue_from(o, runner) for o in outcomes if o.status == "failed"]
        drift: list[DriftResult] = []
        drift_issues: list[Issue] = []
        inputs = Inputs(catalog, model, profiles, baseline, metrics_chosen, follow_symlinks)
        for analysis in ANALYSES:
            more, more_issues = analysis(inputs)
            drift += more
            drift_issues += more_issues
        report = CrunchReport(
            tool=ToolInfo(name="datacruncher", version=__version__),
            analysis_date=analysis_date or clock.utc_stamp(),
            dataset=DatasetRef(
                path=str(Path(path)),
                fingerprint=catalog.fingerprint(),
                metadata_found=catalog.metadata is not None,
                files=len(catalog.files),
            ),
            schema_used=catalog.schema_path,
            personas=[p.name for p in chosen],
            model=model.to_contract(),
            issues=sort_issues(issues + drift_issues),
            checks=check_counts(outcomes),
            metrics=metrics(model, _metric_outcomes(runner, outcomes, available)),
            drift=drift,
            profiles=profiles,
            # retention curves for the personas that read retention (their checks measure d1/d7/d30)
            series=(retention_curves(catalog, model) if {p.id for p in chosen} & CURVE_PERSONAS else [])
            + funnels(catalog, model, profiles),
            quality_score=quality_score(outcomes),
        )
        sources = list(catalog.tables.values())
    if agents is not None and agents.personas:
        from .agents.analyst import run_agents
        from .agents.sandbox import Sandbox

        with Sandbox(sources, memory_limit=memory_limit) as box:
            found, report.agents = run_agents(report, box, agents)
        report.issues = sort_issues(report.issues + found)
    report.summary = summary(report.issues)
    report.gate = evaluate_gate(report, fail_on)
    return report
