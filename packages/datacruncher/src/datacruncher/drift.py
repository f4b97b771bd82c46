"""Drift: the data against the schema's declared expectations, and against a baseline dataset or report.

Schema expectations: row counts (× the metadata's scale), choice weights (total variation distance), distribution
parameters (normal mean/std, lognormal mu, poisson lambda, uniform bounds), fanout means, declared ranges.
Baseline: per shared column, PSI for categoricals and a normalized Wasserstein distance (mean absolute quantile
difference over the baseline's IQR) for numerics, each only with at least ``MIN_SAMPLE`` values on both sides.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

from datagen_contracts.report import DriftResult, FixHint, Issue, Measure

from .catalog import Catalog, open_catalog
from .errors import BaselineError, CruncherError
from .identifiers import quote_ident, quote_literal
from .model import Model

MIN_SAMPLE = 100
PSI_LIMIT, WASSERSTEIN_LIMIT, TVD_LIMIT, REL_LIMIT = 0.2, 0.1, 0.05, 0.1
_Q = [i / 20 for i in range(21)]


def drift_issue(d: DriftResult, severity: str = "medium") -> Issue:
    target = ".".join(x for x in (d.table, d.column) if x) or "dataset"
    rule = f"{d.kind}_drift.{d.metric}"
    return Issue(
        id=f"{rule}:{target}",
        fingerprint=hashlib.sha256(f"{rule}\0{target}\0{d.value}".encode()).hexdigest(),
        rule_id=rule,
        severity=severity,  # type: ignore[arg-type]
        category={"baseline": "drift", "schema": "schema_discrepancy"}.get(d.kind, d.kind),
        persona="Data Engineer",
        finding=d.message,
        measure=Measure(metric=d.metric, value=d.value, threshold=d.threshold),
        fix=FixHint(path="none" if d.kind == "baseline" else "schema", action=f"review_{d.metric}",
                    params={"table": d.table, "column": d.column, "expected": d.expected}),
        table=d.table,
        column=d.column,
        recommendation="Confirm the change against the baseline is intended" if d.kind == "baseline"
        else "Align the data with the schema or scenario (or update them)",
    )


def _num(params: dict[str, Any], *names: str) -> float | None:
    for n in names:
        if isinstance(params.get(n), int | float):
            return float(params[n])
    return None


def _column_expectations(cat: Catalog, table: str, col: dict[str, Any]) -> list[DriftResult]:
    src, name = cat.tables[table], col.get("name")
    if not isinstance(name, str) or name not in {c.name for c in src.columns}:
        return []
    gen = col.get("generator") if isinstance(col.get("generator"), dict) else {}
    c, t = quote_ident(name), src.sql
    out: list[DriftResult] = []
    choice = gen.get("choice") if isinstance(gen.get("choice"), dict) else None
    if choice and isinstance(choice.get("choices"), list) and isinstance(choice.get("weights"), list):
        w = [float(x) for x in choice["weights"]]
        expected = {str(k): v / sum(w) for k, v in zip(choice["choices"], w, strict=False)} if sum(w) else {}
        rows = cat.con.execute(f"SELECT CAST({c} AS VARCHAR), count(*) FROM {t} WHERE {c} IS NOT NULL GROUP BY 1").fetchall()
        n = sum(r[1] for r in rows)
        if n >= MIN_SAMPLE and expected:
            observed = {str(k): v / n for k, v in rows}
            tvd = 0.5 * sum(abs(observed.get(k, 0) - expected.get(k, 0)) for k in set(observed) | set(expected))
            out.append(_result("choice_weights", table, name, expected, observed, tvd, TVD_LIMIT,
                               f"{table}.{name} category shares differ from the schema's weights (TVD {tvd:.3f})"))
    dist = gen.get("distribution") if isinstance(gen.get("distribution"), dict) else None
    if dist:
        p = dist.get("params") if isinstance(dist.get("params"), dict) else dist
        kind = dist.get("type")
        row = cat.con.execute(
            f"SELECT count({c}), avg({c}::DOUBLE), stddev_samp({c}::DOUBLE), avg(ln({c}::DOUBLE)) FILTER (WHERE {c} > 0) "
            f"FROM {t}"
        ).fetchone()
        n, mean, std, logmean = row
        if n and n >= MIN_SAMPLE and not dist.get("clamp"):
            if kind == "normal" and (mu := _num(p, "mean", "mu")) is not None:
                sd = _num(p, "std", "sigma") or std or 1.0
                d = abs(mean - mu) / sd
                out.append(_result("distribution_mean", table, name, mu, mean, d, REL_LIMIT,
                                   f"{table}.{name} mean {mean:.4g} vs declared normal mean {mu:.4g} ({d:.2f} sd)"))
            elif kind == "lognormal" and (mu := _num(p, "mean", "mu")) is not None and logmean is not None:
                sd = _num(p, "sigma", "std") or 1.0
                d = abs(logmean - mu) / sd
                out.append(_result("distribution_mean", table, name, mu, logmean, d, REL_LIMIT,
                                   f"{table}.{name} log-mean {logmean:.4g} vs declared lognormal mu {mu:.4g}"))
            elif kind == "poisson" and (lam := _num(p, "lambda", "lam")):
                d = abs(mean - lam) / max(math.sqrt(lam), 1e-9)
                out.append(_result("distribution_mean", table, name, lam, mean, d, REL_LIMIT,
                                   f"{table}.{name} mean {mean:.4g} vs declared poisson lambda {lam:.4g}"))
    return out


def _result(metric: str, table: str | None, column: str | None, expected: Any, observed: Any, value: float,
            limit: float, message: str, kind: str = "schema") -> DriftResult:
    value = round(float(value), 6)
    return DriftResult(kind=kind, metric=metric, status="drift" if value > limit else "ok", table=table, column=column,
                       expected=expected, observed=observed, value=value, threshold=limit, message=message)


def schema_drift(cat: Catalog, model: Model) -> tuple[list[DriftResult], list[Issue]]:
    """Discrepancies between the data and the DSL schema given with ``--schema`` (nothing without one)."""
    doc = cat.schema
    if not doc or not isinstance(doc.get("nodes"), list):
        return [], []
    scale = cat.metadata.scale if cat.metadata is not None else 1.0
    results: list[DriftResult] = []
    for node in doc["nodes"]:
        if not isinstance(node, dict) or node.get("id") not in cat.tables:
            continue
        table = node["id"]
        actual = cat.tables[table].rows
        if node.get("kind", "entity") == "entity" and isinstance(node.get("rows"), int) and node["rows"] > 0:
            want = node["rows"] * scale
            rel = abs(actual - want) / want
            results.append(_result("row_count", table, None, want, actual, rel, 0.01,
                                   f"{table} has {actual} rows, the schema declares {want:g}"))
        fan = node.get("fanout") if isinstance(node.get("fanout"), dict) else None
        parents = node.get("parents") if isinstance(node.get("parents"), list) else []
        if fan and parents and parents[0] in cat.tables and not (fan.get("clamp") or "min" in fan or "max" in fan):
            lam = _num(fan, "lambda", "lam")
            if lam is None and fan.get("distribution") == "uniform" and _num(fan, "min") is not None:
                lam = (float(fan["min"]) + float(fan.get("max", fan["min"]))) / 2
            prows = cat.tables[parents[0]].rows
            if lam and prows:
                mean = actual / prows
                results.append(_result("fanout_mean", table, None, lam, mean, abs(mean - lam) / lam, REL_LIMIT,
                                       f"{table} has {mean:.3g} rows per {parents[0]}, the schema's fanout mean is {lam:g}"))
        for col in node.get("columns", []) or []:
            if isinstance(col, dict):
                results += _column_expectations(cat, table, col)
    results += _range_drift(cat, doc)
    return results, [drift_issue(r) for r in results if r.status == "drift"]


def _range_drift(cat: Catalog, doc: dict[str, Any]) -> list[DriftResult]:
    out = []
    cons = doc.get("constraints") if isinstance(doc.get("constraints"), dict) else {}
    for rng in cons.get("ranges", []) or []:
        attr = str(rng.get("attr", ""))
        table, _, column = attr.partition(".")
        if table not in cat.tables or column not in {c.name for c in cat.tables[table].columns}:
            continue
        c, conds = quote_ident(column), []
        if isinstance(rng.get("min"), int | float):
            conds.append(f"{c} < {quote_literal(float(rng['min']))}")
        if isinstance(rng.get("max"), int | float):
            conds.append(f"{c} > {quote_literal(float(rng['max']))}")
        if not conds:
            continue
        n, bad = cat.con.execute(
            f"SELECT count({c}), count(*) FILTER (WHERE {' OR '.join(conds)}) FROM {cat.tables[table].sql}"
        ).fetchone()
        if n:
            out.append(_result("range", table, column, [rng.get("min"), rng.get("max")], bad, bad / n, 0.0,
                               f"{bad} values of {attr} ({bad / n:.2%}) fall outside the declared range"))
    return out


def _profile(cat: Catalog, table: str, column: str, kind: str) -> dict[str, Any] | None:
    c, t = quote_ident(column), cat.tables[table].sql
    if kind == "categorical":
        rows = cat.con.execute(f"SELECT CAST({c} AS VARCHAR), count(*) FROM {t} WHERE {c} IS NOT NULL GROUP BY 1").fetchall()
        n = sum(r[1] for r in rows)
        return {"n": n, "shares": {k: v / n for k, v in rows}} if n else None
    row = cat.con.execute(f"SELECT count({c}), approx_quantile({c}::DOUBLE, {_Q}) FROM {t}").fetchone()
    return {"n": row[0], "q": row[1]} if row[0] else None


def _psi(a: dict[str, float], b: dict[str, float]) -> float:
    eps = 1e-4
    return sum((max(a.get(k, 0), eps) - max(b.get(k, 0), eps)) * math.log(max(a.get(k, 0), eps) / max(b.get(k, 0), eps))
               for k in set(a) | set(b))


def baseline_drift(cat: Catalog, model: Model, baseline: str | Path) -> tuple[list[DriftResult], list[Issue]]:
    """Per-column drift against a baseline dataset directory, or table row counts against a baseline report."""
    base = Path(baseline)
    if base.is_file() and base.suffix == ".json":
        return _report_drift(model, base)
    try:
        other = open_catalog(base)
    except CruncherError as exc:
        raise BaselineError(f"baseline {base}: {exc}") from None
    results: list[DriftResult] = []
    with other:
        for t in model.tables.values():
            if t.name not in other.tables:
                continue
            other_cols = {c.name for c in other.tables[t.name].columns}
            for col in t.columns:
                if col.name not in other_cols or "id" in col.roles:
                    continue
                kind = "numeric" if col.numeric else "categorical" if "category" in col.roles else None
                if kind is None:
                    continue
                now, then = _profile(cat, t.name, col.name, kind), _profile(other, t.name, col.name, kind)
                if not now or not then or min(now["n"], then["n"]) < MIN_SAMPLE:
                    continue
                if kind == "categorical":
                    v = _psi(now["shares"], then["shares"])
                    results.append(_result("psi", t.name, col.name, None, None, v, PSI_LIMIT,
                                           f"{t.name}.{col.name} category mix moved (PSI {v:.3f})", "baseline"))
                else:
                    iqr = (then["q"][15] - then["q"][5]) or (then["q"][-1] - then["q"][0]) or 1.0
                    v = sum(abs(x - y) for x, y in zip(now["q"], then["q"], strict=True)) / len(_Q) / abs(iqr)
                    results.append(_result("wasserstein", t.name, col.name, then["q"][10], now["q"][10], v,
                                           WASSERSTEIN_LIMIT,
                                           f"{t.name}.{col.name} distribution moved (normalized Wasserstein {v:.3f})",
                                           "baseline"))
    return results, [drift_issue(r) for r in results if r.status == "drift"]


def _report_drift(model: Model, path: Path) -> tuple[list[DriftResult], list[Issue]]:
    from datagen_contracts.errors import ContractError
    from datagen_contracts.report import load_report

    try:
        old = load_report(path)
    except ContractError as exc:
        raise BaselineError(f"baseline report {path}: {exc}") from None
    results = []
    for t in old.model.tables:
        now = model.table(t.name)
        if now is None or t.rows < MIN_SAMPLE:
            continue
        rel = abs(now.rows - t.rows) / t.rows
        results.append(_result("row_count", t.name, None, t.rows, now.rows, rel, REL_LIMIT,
                               f"{t.name} has {now.rows} rows, the baseline report had {t.rows}", "baseline"))
    return results, [drift_issue(r) for r in results if r.status == "drift"]
