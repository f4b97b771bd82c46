"""The analyses that compare the data with what was declared about it, beside the personas' checks: each takes the
same inputs and returns its drift results and the issues among them. ``crunch`` runs :data:`ANALYSES` in order;
a new analysis is a function here, added to the tuple.

- ``schema_drift``: distributions, choice weights and fanouts against the schema (:mod:`.drift`);
- ``schema_constraints``: declared constraints and realism targets (:mod:`.constraints`);
- ``scenarios``: the expectations a ``.metadata.json`` scenario declares (:mod:`.scenarios`), with a baseline
  dataset as their counterfactual;
- ``baseline``: drift against ``--baseline`` (:mod:`.baseline`), when one is given.
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


#: the analyses ``crunch`` runs after the personas' checks, in report order
ANALYSES: tuple[Callable[[Inputs], Found], ...] = (schema_drift, schema_constraints, scenarios, baseline)
