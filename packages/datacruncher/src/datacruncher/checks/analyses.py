"""The analyses that compare the data with what was declared about it, beside the personas' checks: each takes the
same inputs and returns its drift results and the issues among them. ``crunch`` runs :data:`ANALYSES` in order;
a new analysis is a function here, added to the tuple.

- ``schema_drift``: distributions, choice weights and fanouts against the schema (:mod:`.drift`);
- ``schema_constraints``: declared constraints and realism targets (:mod:`.constraints`);
- ``scenarios``: the expectations a ``.metadata.json`` scenario declares (:mod:`.scenarios`), with a baseline
  dataset as their counterfactual;
- ``baseline``: drift against ``--baseline`` (:mod:`.baseline`), when one is given;
- ``column_names``: column names that SQL engines cannot keep apart (:mod:`..model.names`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datagen_contracts.report import DriftResult, Issue

from ..errors import BaselineError, CruncherError
from ..model.catalog import Catalog, open_catalog
from ..model.discovery import discover
from ..model.semantic import Model


@dataclass(frozen=True)
class Inputs:
    """What every analysis may read."""

    catalog: Catalog
    model: Model
    profiles: list[Any]
    baseline: str | Path | None
    drift_metrics: tuple[str, ...]
    follow_symlinks: bool


Found = tuple[list[DriftResult], list[Issue]]


def schema_drift(inp: Inputs) -> Found:
    from .drift import schema_drift as run

    return run(inp.catalog, inp.model)


def schema_constraints(inp: Inputs) -> Found:
    from .constraints import schema_constraints as run

    return run(inp.catalog, inp.model)


def scenarios(inp: Inputs) -> Found:
    """The scenario's expectations; a ``--baseline`` dataset directory is their counterfactual (the same schema
    generated without the scenario). An unmet expectation is a high issue."""
    from .drift import drift_issue
    from .scenarios import scenario_checks

    catalog, meta, baseline = inp.catalog, inp.catalog.metadata, inp.baseline
    if baseline is None or not Path(baseline).is_dir() or meta is None or meta.scenario is None:
        found = scenario_checks(catalog, inp.model)
    else:
        try:
            other = open_catalog(baseline, memory_limit=catalog.memory_limit, follow_symlinks=inp.follow_symlinks)
        except CruncherError as exc:
            raise BaselineError(f"baseline {baseline}: {exc}") from None
        with other:
            found = scenario_checks(catalog, inp.model, (other, discover(other)))
    return found, [drift_issue(d, "high") for d in found if d.status == "drift"]


def baseline(inp: Inputs) -> Found:
    from .baseline import baseline_drift

    if inp.baseline is None:
        return [], []
    return baseline_drift(inp.catalog, inp.model, inp.profiles, inp.baseline, inp.drift_metrics)


def column_names(inp: Inputs) -> Found:
    """A table whose files hold column names SQL cannot keep apart (see :mod:`..model.names`): one medium issue
    naming each such column and the name it is read (and reported) under. A human renames them at the source."""
    import hashlib

    from datagen_contracts.fixes import Review
    from datagen_contracts.report import Measure

    issues = []
    for name, source in sorted(inp.catalog.tables.items()):
        if not source.renamed:
            continue
        pairs = ", ".join(f"{written!r} (read as {read!r})" for read, written in source.renamed.items())
        issues.append(Issue(
            id=f"column_names:{name}", rule_id="column_names", severity="medium", category="integrity",
            persona="Data Engineer", table=name,
            fingerprint=hashlib.sha256(f"column_names\0{name}\0{pairs}".encode()).hexdigest(),
            finding=(f"{len(source.renamed)} column name(s) of {name} collide with another in any case-insensitive "
                     f"SQL engine, or are empty: {pairs}; this report uses the names read"),
            measure=Measure(metric="renamed_columns", value=float(len(source.renamed))),
            fix=Review(path="none", table=name),
            recommendation="Rename the columns at the source so that no two differ only in case and none is empty "
                           "(warehouses, dbt and DuckDB fold or reject such names)."))
    return [], issues


#: the analyses ``crunch`` runs after the personas' checks, in report order
ANALYSES: tuple[Callable[[Inputs], Found], ...] = (column_names, schema_drift, schema_constraints, scenarios,
                                                   baseline)
