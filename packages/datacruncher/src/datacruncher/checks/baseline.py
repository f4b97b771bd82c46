"""Drift against a baseline: another dataset (``--baseline DIR``) or an earlier report (``--baseline REPORT``).

Both paths compare the same thing — column profiles (:mod:`datacruncher.report.profiles`): a baseline dataset is
mounted and profiled, a baseline report already carries its profiles. Per shared column (ids and time columns
excluded: time moves on by design), with at least ``MIN_SAMPLE`` values on both sides:

========================  ===========  =====================================================================
metric (``--drift-metric``) applies to  drift when
========================  ===========  =====================================================================
``psi``                   categorical  PSI > 0.2
``js``                    categorical  Jensen–Shannon distance > 0.1 (sqrt of the divergence in bits)
``wasserstein``           numeric      mean |quantile difference| / baseline IQR > 0.1
``ks``                    numeric      KS D > 0.1 *and* above the two-sample critical value at α = 0.001
========================  ===========  =====================================================================

The default is ``psi,wasserstein``; any subset may be chosen. Table row counts are compared too (> 10%).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from datagen_contracts.report import ColumnProfile, DriftResult, Issue

from ..errors import BaselineError, CruncherError
from ..model.catalog import Catalog, open_catalog
from ..model.discovery import discover
from ..model.semantic import Model
from ..report.profiles import profile_columns, shares
from .divergence import jensen_shannon, ks_critical, ks_statistic, psi, wasserstein
from .drift import MIN_SAMPLE, REL_LIMIT, _result, drift_issue

DRIFT_METRICS = ("psi", "js", "wasserstein", "ks")
DEFAULT_DRIFT_METRICS = ("psi", "wasserstein")
LIMITS = {"psi": 0.2, "js": 0.1, "wasserstein": 0.1, "ks": 0.1}
_NAMES = {"psi": "PSI", "js": "Jensen-Shannon", "wasserstein": "normalized Wasserstein", "ks": "KS D"}


def parse_drift_metrics(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"psi,ks"`` → ``('psi', 'ks')``; None → the default; an unknown name is a :class:`BaselineError`."""
    if text is None:
        return DEFAULT_DRIFT_METRICS
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    bad = [n for n in names if n not in DRIFT_METRICS]
    if bad or not names:
        raise BaselineError(f"unknown drift metric {', '.join(bad) or '(none)'}; choose from {', '.join(DRIFT_METRICS)}")
    return tuple(dict.fromkeys(names))


def baseline_profiles(baseline: str | Path) -> tuple[dict[str, int], list[ColumnProfile]]:
    """(table row counts, column profiles) of a baseline report or dataset."""
    base = Path(baseline)
    if base.is_file() and base.suffix == ".json":
        from datagen_contracts.errors import ContractError
        from datagen_contracts.report import load_report

        try:
            old = load_report(base)
        except ContractError as exc:
            raise BaselineError(f"baseline report {base}: {exc}") from None
        if not old.profiles:
            raise BaselineError(f"baseline report {base} carries no column profiles (written by an older "
                                "datacruncher); re-crunch the baseline data, or pass its directory")
        return {t.name: t.rows for t in old.model.tables}, list(old.profiles)
    try:
        other = open_catalog(base)
    except CruncherError as exc:
        raise BaselineError(f"baseline {base}: {exc}") from None
    with other:
        model = discover(other)
        return {t.name: t.rows for t in model.tables.values()}, profile_columns(other, model)


def compare(now: ColumnProfile, then: ColumnProfile, metrics: Sequence[str]) -> list[DriftResult]:
    """The chosen metrics between two profiles of one column (nothing when kinds differ or samples are small)."""
    n, m = now.rows - now.nulls, then.rows - then.nulls
    if now.kind != then.kind or min(n, m) < MIN_SAMPLE:
        return []
    out = []
    where = f"{now.table}.{now.column}"
    if now.kind == "categorical":
        a, b = shares(now), shares(then)
        for metric in (x for x in metrics if x in ("psi", "js")):
            v = psi(a, b) if metric == "psi" else jensen_shannon(a, b)
            # the shares themselves (baseline, now), so a reader or the HTML page can draw them side by side
            out.append(_result(metric, now.table, now.column, _rounded(b), _rounded(a), v, LIMITS[metric],
                               f"{where} category mix moved ({_NAMES[metric]} {v:.3f})", "baseline"))
    elif now.kind == "numeric" and len(now.quantiles) == len(then.quantiles) > 1:
        median_then, median_now = then.quantiles[len(then.quantiles) // 2], now.quantiles[len(now.quantiles) // 2]
        for metric in (x for x in metrics if x in ("wasserstein", "ks")):
            if metric == "wasserstein":
                v = wasserstein(now.quantiles, then.quantiles)
                r = _result(metric, now.table, now.column, {"median": median_then, "quantiles": then.quantiles},
                            {"median": median_now, "quantiles": now.quantiles}, v, LIMITS[metric],
                            f"{where} distribution moved ({_NAMES[metric]} {v:.3f}; median {median_then:.4g} → "
                            f"{median_now:.4g})", "baseline")
            else:
                v, critical = ks_statistic(now.quantiles, then.quantiles), ks_critical(n, m)
                r = _result(metric, now.table, now.column, {"median": median_then, "quantiles": then.quantiles},
                            {"median": median_now, "quantiles": now.quantiles}, v, max(LIMITS[metric], critical),
                            f"{where} distribution moved (KS D {v:.3f}, critical {critical:.3f} at α 0.001)", "baseline")
            out.append(r)
    return out


def _rounded(shares_of: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 6) for k, v in shares_of.items()}


def baseline_drift(
    catalog: Catalog, model: Model, profiles: list[ColumnProfile], baseline: str | Path,
    metrics: Sequence[str] = DEFAULT_DRIFT_METRICS,
) -> tuple[list[DriftResult], list[Issue]]:
    """Row counts and per-column drift of this dataset (already ``profiles``-ed) against ``baseline``."""
    rows_then, then = baseline_profiles(baseline)
    results: list[DriftResult] = []
    for name, rows in rows_then.items():
        t = model.table(name)
        if t is None or rows < MIN_SAMPLE:
            continue
        rel = abs(t.rows - rows) / rows
        results.append(_result("row_count", name, None, rows, t.rows, rel, REL_LIMIT,
                               f"{name} has {t.rows} rows, the baseline had {rows}", "baseline"))
    by_key = {(p.table, p.column): p for p in then}
    for p in profiles:
        if (old := by_key.get((p.table, p.column))) is not None:
            results += compare(p, old, metrics)
    return results, [drift_issue(r) for r in results if r.status == "drift"]
