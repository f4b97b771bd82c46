"""Drift: the data against the schema's declared expectations (baselines: :mod:`datacruncher.checks.baseline`).

Schema expectations: row counts (× the metadata's scale), choice weights (total variation distance), distribution
parameters (normal mean/std, lognormal mu, poisson lambda, uniform bounds), fanout means, declared ranges.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Set
from typing import Any, cast

from datagen_contracts.dsl import (
    clipped_normal_mean,
    clipped_poisson_affine_mean,
    kind_weights,
    semantics,
)
from datagen_contracts.fixes import AnyFix, PatchScenario, ReviewDrift
from datagen_contracts.report import DriftResult, Issue, Measure
from datagen_contracts.text import quote_ident

from ..model.catalog import Catalog, fetch_one
from ..model.semantic import Model
from .divergence import chi2_pvalue, tvd

MIN_SAMPLE = 100
PSI_LIMIT, WASSERSTEIN_LIMIT, TVD_LIMIT, REL_LIMIT = 0.2, 0.1, 0.05, 0.1
P_LIMIT, FANOUT_Z = 0.001, 4.0
_Q = [i / 20 for i in range(21)]


def drift_issue(d: DriftResult, severity: str = "medium") -> Issue:
    """The issue for a drift result: baselines have no fix (the change may be intended), schema discrepancies
    ask to review the declaration, and an unmet scenario expectation asks for a patch of that scenario — with
    the expectation, its measured value and what would meet it in the hint's params."""
    target = ".".join(x for x in (d.table, d.column) if x) or "dataset"
    rule = f"{d.kind}_drift.{d.metric}"
    fix: AnyFix
    if d.kind == "scenario":
        want = d.expected if isinstance(d.expected, dict) else {}
        fix = PatchScenario(path="schema", scenario=want.get("scenario"), expectation=want.get("id"), kind=d.metric,
                            table=d.table, column=d.column, expected=want.get("params"), observed=d.observed,
                            suggestion=want.get("suggestion"))
        recommendation = (f"Patch scenario {want.get('scenario')!r} so that {want.get('id')} holds: "
                          f"{want.get('suggestion') or 'see the expectation'}")
    elif d.kind == "baseline":
        fix = ReviewDrift(path="none", table=d.table, column=d.column, metric=d.metric, expected=d.expected)
        recommendation = "Confirm the change against the baseline is intended"
    else:
        fix = ReviewDrift(path="schema", table=d.table, column=d.column, metric=d.metric, expected=d.expected)
        recommendation = "Align the data with the schema (or update the schema)"
    return Issue(
        id=f"{rule}:{target}",
        fingerprint=hashlib.sha256(f"{rule}\0{target}\0{d.value}".encode()).hexdigest(),
        rule_id=rule,
        severity=severity,  # type: ignore[arg-type]
        category={"baseline": "drift", "schema": "schema_discrepancy"}.get(d.kind, d.kind),
        persona="Data Engineer",
        finding=d.message,
        measure=Measure(metric=d.metric, value=d.value, threshold=d.threshold),
        fix=fix,
        table=d.table,
        column=d.column,
        recommendation=recommendation,
    )


def _num(params: dict[str, Any], *names: str) -> float | None:
    for n in names:
        if isinstance(params.get(n), int | float):
            return float(params[n])
    return None


def _column_expectations(cat: Catalog, node: dict[str, Any], col: dict[str, Any],
                         ordered: Set[tuple[str, str]] = frozenset(),
                         parents: list[dict[str, Any]] | None = None) -> list[DriftResult]:
    table = node["id"]
    src, name = cat.tables[table], col.get("name")
    if not isinstance(name, str) or name not in {c.name for c in src.columns}:
        return []
    gen = g if isinstance(g := col.get("generator"), dict) else {}
    out: list[DriftResult] = []
    choice = c if isinstance(c := gen.get("choice"), dict) else None
    if choice and isinstance(choice.get("choices"), list):
        if (table, name) in ordered and col.get("type") in ("date", "datetime"):
            out.append(_skipped("choice_weights", table, name, "an ordering (start/end pair or declared inequality) "
                                "reshapes the drawn times"))
        else:
            out += _choice_weights(cat, node, col, choice)
    dist = d if isinstance(d := gen.get("distribution"), dict) else None
    if dist and dist.get("type") in ("normal", "lognormal", "poisson"):
        out += _distribution_mean(cat, node, col, dist, parents)
    return out


#: modifiers whose effect on a column's mean is known: affine ones move it, mean-preserving ones leave it
_AFFINE, _MEAN_PRESERVING = {"multiply", "add"}, {"jitter", "clamp"}


def _distribution_mean(cat: Catalog, node: dict[str, Any], col: dict[str, Any], dist: dict[str, Any],
                       related: list[dict[str, Any]] | None) -> list[DriftResult]:
    """The column's mean (log-mean for lognormal) against the declared distribution carried through the
    column's ``add``/``multiply`` modifiers and clipped to its bounds (clamp, constraints, declared ranges).

    Anything else that reshapes values — trend, seasonality, effects, outliers, value maps, segment value
    multipliers, vintage curves — makes the declared parameters no longer the column's expectation: skipped,
    with the reason.
    """
    table, name, kind = node["id"], col["name"], dist.get("type")
    p = params if isinstance(params := dist.get("params"), dict) else dist
    scale, shift = 1.0, 0.0
    for m in col.get("modifiers") or []:
        t = m.get("transform") if isinstance(m, dict) else None
        args = (m.get("args") if isinstance(m, dict) else None) or {}
        if t == "multiply" and isinstance(args.get("factor"), int | float):
            scale, shift = scale * args["factor"], shift * args["factor"]
        elif t == "add" and isinstance(args.get("value"), int | float) and kind != "lognormal":
            shift += args["value"]
        elif t not in _MEAN_PRESERVING:
            return [_skipped("distribution_mean", table, name, f"the {t!r} modifier reshapes the values")]
    for other in related or []:
        sb = other.get("segment_behavior")
        applies = sb.get("applies_to_columns") if isinstance(sb, dict) else None
        if isinstance(sb, dict) and (applies is None or name in applies):
            return [_skipped("distribution_mean", table, name,
                             f"{other.get('id')}'s segment behaviour multiplies the values")]
        if other.get("vintage_behavior"):
            return [_skipped("distribution_mean", table, name,
                             f"{other.get('id')}'s vintage behaviour scales the values with age")]
    lo, hi = _bounds(cat, table, col, dist)
    c, t = quote_ident(name), cat.tables[table].sql
    x = f"(CASE WHEN isfinite({c}::DOUBLE) THEN {c}::DOUBLE END)"  # NaN and infinities: non_finite_numbers
    n, mean, std, logmean = fetch_one(cat.con,
        f"SELECT count({x}), avg({x}), stddev_samp({x}), avg(ln({x})) FILTER (WHERE {x} > 0) FROM {t}")
    if not n or n < MIN_SAMPLE:
        return []
    via = "" if (scale, shift) == (1.0, 0.0) else " (after its modifiers)"
    if kind == "normal" and (mu := _num(p, "mean", "mu")) is not None:
        sd = abs(scale) * (_num(p, "std", "sigma") or 1.0)
        want = clipped_normal_mean(mu * scale + shift, sd, lo, hi)
        d = abs(mean - want) / (sd or std or 1.0)
        return [_result("distribution_mean", table, name, want, mean, d, REL_LIMIT,
                        f"{table}.{name} mean {mean:.4g} vs {want:.4g} expected from the declared normal{via} "
                        f"({d:.2f} sd)")]
    if kind == "lognormal" and (mu := _num(p, "mean", "mu")) is not None and logmean is not None and scale > 0:
        sd = _num(p, "sigma", "std") or 1.0
        log_lo = math.log(lo / scale) if lo > 0 else -math.inf
        want = clipped_normal_mean(mu, sd, log_lo, math.log(hi / scale) if hi < math.inf else math.inf)
        want += math.log(scale)
        d = abs(logmean - want) / sd
        return [_result("distribution_mean", table, name, want, logmean, d, REL_LIMIT,
                        f"{table}.{name} log-mean {logmean:.4g} vs {want:.4g} expected from the declared "
                        f"lognormal{via}")]
    if kind == "poisson" and (lam := _num(p, "lambda", "lam")):
        want = clipped_poisson_affine_mean(lam, scale, shift, lo, hi)
        d = abs(mean - want) / max(abs(scale) * math.sqrt(lam), 1e-9)
        return [_result("distribution_mean", table, name, want, mean, d, REL_LIMIT,
                        f"{table}.{name} mean {mean:.4g} vs {want:.4g} expected from the declared poisson "
                        f"lambda {lam:.4g}{via}")]
    return []


def _bounds(cat: Catalog, table: str, col: dict[str, Any], dist: dict[str, Any]) -> tuple[float, float]:
    """The tightest [lo, hi] the generator clips the column to (as datagen-core's ``bounds``)."""
    lo, hi = -math.inf, math.inf

    def tighten(a: Any, b: Any) -> None:
        nonlocal lo, hi
        lo = max(lo, a) if isinstance(a, int | float) else lo
        hi = min(hi, b) if isinstance(b, int | float) else hi

    if isinstance(dist.get("clamp"), list) and len(dist["clamp"]) == 2:
        tighten(*dist["clamp"])
    for m in col.get("modifiers") or []:
        if isinstance(m, dict) and m.get("transform") == "clamp":
            tighten((m.get("args") or {}).get("min"), (m.get("args") or {}).get("max"))
    cons = (cat.schema or {}).get("constraints") or {}
    for r in cons.get("ranges") or [] if isinstance(cons, dict) else []:
        if isinstance(r, dict) and r.get("attr") == f"{table}.{col['name']}":
            tighten(r.get("min"), r.get("max"))
    if isinstance(col.get("constraints"), dict):
        tighten(col["constraints"].get("min"), col["constraints"].get("max"))
    return lo, hi


def as_sql_text(value: Any, dsl_type: str | None = None) -> str:
    """A choice value cast to the column's DSL type, as DuckDB renders it with ``CAST(x AS VARCHAR)``.

    >>> as_sql_text(True), as_sql_text(2, "float"), as_sql_text("2024-01-02T03:04:05Z", "datetime")
    ('true', '2.0', '2024-01-02 03:04:05')
    >>> as_sql_text("2024-01-02", "date")
    '2024-01-02'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        if dsl_type == "float" and isinstance(value, int | float | str):
            return str(float(value))
        if dsl_type == "int" and isinstance(value, int | float):
            return str(int(value))
        if dsl_type in ("datetime", "date") and isinstance(value, str):
            from ..model.declarations import parse_ts as _parse_ts

            ts = _parse_ts(value)
            return ts.date().isoformat() if dsl_type == "date" else ts.isoformat(sep=" ")
    except ValueError:
        pass
    return str(value)


def _written_by_behaviour(node: dict[str, Any], choices: list[Any]) -> str | None:
    """The behaviour block that writes a column whose choices are its stage or state names, if any."""
    stages = (node.get("stage_config") or {}).get("stages") if isinstance(node.get("stage_config"), dict) else None
    names = {str(s.get("stage_name")) for s in stages or [] if isinstance(s, dict)}
    if names & {str(c) for c in choices}:
        return "the stage_config funnel"
    model = node.get("state_transition_model")
    if isinstance(model, dict) and set(model.get("states") or {}) & {str(c) for c in choices}:
        return "the state_transition_model"
    return None


def _choice_weights(cat: Catalog, node: dict[str, Any], col: dict[str, Any], choice: dict[str, Any]) -> list[DriftResult]:
    """Observed category shares against the declared weights, after the column's ``map_values`` modifiers.

    A drift needs both an effect (TVD above ``TVD_LIMIT``) and evidence (chi-square p below ``P_LIMIT``): a few
    hundred rows drawn from the right weights routinely differ by 5 points."""
    table, name, modifiers, dsl_type = node["id"], col["name"], col.get("modifiers"), col.get("type")
    choices, weights = choice["choices"], choice.get("weights")
    writer = _written_by_behaviour(node, choices)
    if writer is None and weights is None and (node.get("stage_config") or node.get("state_transition_model")):
        writer = "the node's funnel or state model (an unweighted placeholder choice)"
    if writer:
        return [_skipped("choice_weights", table, name, f"its values are written by {writer}, not by the weights")]
    if weights is None and isinstance(choice.get("weights_kind"), str):
        weights = kind_weights(choice["weights_kind"], len(choices))  # zipf@α / head_tail@{h,α}, as generated
        if weights is None:
            return [_skipped("choice_weights", table, name, f"weights_kind {choice['weights_kind']!r} is malformed")]
    w = [float(x) for x in weights] if isinstance(weights, list) else [1.0] * len(choices)
    if len(w) != len(choices) or sum(w) <= 0:
        return []
    keys = [as_sql_text(c, dsl_type) for c in choices]
    for m in modifiers if isinstance(modifiers, list) else []:
        transform = m.get("transform") if isinstance(m, dict) else None
        args = a if isinstance(m, dict) and isinstance(a := m.get("args"), dict) else {}
        if transform == "map_values" and isinstance(args.get("mapping"), dict):
            mapping = {as_sql_text(k, dsl_type): as_sql_text(v, dsl_type) for k, v in args["mapping"].items()}
            keys = [mapping.get(k, k) for k in keys]
        else:
            return [_skipped("choice_weights", table, name,
                             f"the {transform!r} modifier changes the values, so the declared weights do not apply")]
    expected: dict[str, float] = {}
    for k, v in zip(keys, w, strict=True):
        expected[k] = expected.get(k, 0.0) + v / sum(w)
    c = quote_ident(name)
    rows = cat.con.execute(
        f"SELECT CAST({c} AS VARCHAR), count(*) FROM {cat.tables[table].sql} WHERE {c} IS NOT NULL GROUP BY 1"
    ).fetchall()
    counts = {str(k): int(v) for k, v in rows}
    n = sum(counts.values())
    if n < MIN_SAMPLE:
        return [_skipped("choice_weights", table, name, f"too few values ({n} < {MIN_SAMPLE})")]
    observed = {k: v / n for k, v in counts.items()}
    distance, p = tvd(observed, expected), chi2_pvalue(counts, expected)
    result = _result("choice_weights", table, name, expected, observed, distance, TVD_LIMIT,
                     f"{table}.{name} category shares differ from the schema's weights (TVD {distance:.3f}, "
                     f"chi-square p {p:.2g} over {n} values)")
    if result.status == "drift" and p >= P_LIMIT:
        result.status = "ok"
        result.message += f": within sampling noise (p >= {P_LIMIT})"
    return [result]


def _skipped(metric: str, table: str | None, column: str | None, why: str) -> DriftResult:
    return DriftResult(kind="schema", metric=metric, status="skipped", table=table, column=column,
                       message=f"{'.'.join(x for x in (table, column) if x)}: {metric} not compared: {why}")


def _result(metric: str, table: str | None, column: str | None, expected: Any, observed: Any, value: float,
            limit: float, message: str, kind: str = "schema") -> DriftResult:
    value = round(float(value), 6)
    return DriftResult(kind=cast(Any, kind), metric=metric, status="drift" if value > limit else "ok", table=table, column=column,
                       expected=expected, observed=observed, value=value, threshold=limit, message=message)


def schema_drift(cat: Catalog, model: Model) -> tuple[list[DriftResult], list[Issue]]:
    """Discrepancies between the data and the DSL schema given with ``--schema`` (nothing without one)."""
    doc = cat.schema
    if not doc or not isinstance(doc.get("nodes"), list):
        return [], []
    scale = cat.metadata.scale if cat.metadata is not None else 1.0
    results: list[DriftResult] = []
    nodes = {n["id"]: n for n in doc["nodes"] if isinstance(n, dict) and "id" in n}
    ordered = {(t.name, c) for t in model.tables.values() for pair in t.time_pairs for c in pair}
    cons = c if isinstance(c := doc.get("constraints"), dict) else {}
    for ineq in cons.get("inequalities") or []:
        if isinstance(ineq, dict):
            ordered |= {tuple(str(ineq.get(k, "")).split(".", 1)) for k in ("left", "right")}  # type: ignore[misc]
    fanouts: dict[str, list[semantics.Fanout]] = {}
    for f in semantics.expectations(doc).fanouts:
        fanouts.setdefault(f.table, []).append(f)
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
        parents = p if isinstance(p := node.get("parents"), list) else []
        for f in fanouts.get(table, ()):
            if f.parent in cat.tables:
                results.append(_fanout(cat, f, actual))
        related = [nodes[p] for p in parents if p in nodes] + [
            nodes[str(g.get("lookup", {}).get("from", "")).split(".")[0]] for c in node.get("columns") or []
            if isinstance(c, dict) and isinstance(g := c.get("generator"), dict) and isinstance(g.get("lookup"), dict)
            and str(g["lookup"].get("from", "")).split(".")[0] in nodes]
        for col in node.get("columns", []) or []:
            if isinstance(col, dict):
                results += _column_expectations(cat, node, col, ordered, related)
    return results, [drift_issue(r) for r in results if r.status == "drift"]


def _fanout(cat: Catalog, f: semantics.Fanout, rows: int) -> DriftResult:
    """Rows per primary-parent row against the mean the schema's fanout implies (clamping and the parent's segment
    multipliers included, as :mod:`datagen_contracts.dsl.semantics` derives it); skipped where the schema lets
    something else shape the counts, with the reason it gives."""
    table, pname = f.table, f.parent
    if f.skip is not None:
        return _skipped("fanout_mean", table, None, f.skip)
    prows = cat.tables[pname].rows
    if not prows:
        return _skipped("fanout_mean", table, None, f"{pname} has no rows")
    shares = {"": 1.0}
    if f.segment_column is not None:
        if f.segment_column not in {c.name for c in cat.tables[pname].columns}:
            return _skipped("fanout_mean", table, None, f"{pname}'s segment column is not in the data")
        c = quote_ident(f.segment_column)
        got = cat.con.execute(f"SELECT CAST({c} AS VARCHAR), count(*) FROM {cat.tables[pname].sql} GROUP BY 1").fetchall()
        shares = {str(k): v / prows for k, v in got}
    want = sum(share * f.by_segment.get(seg, f.by_segment[""]) for seg, share in shares.items())
    mean = rows / prows
    rel = abs(mean - want) / want if want else float(mean > 0)
    z = abs(mean - want) / math.sqrt(max(want, 1e-9) / prows)  # Poisson-like spread of a mean over prows parents
    result = _result("fanout_mean", table, None, round(want, 6), round(mean, 6), rel, REL_LIMIT,
                     f"{table} has {mean:.3g} rows per {pname}, the schema's fanout implies {want:.3g}"
                     + (f" (segments of {pname}.{f.segment_column})" if f.segment_column else ""))
    if result.status == "drift" and z < FANOUT_Z:
        result.status = "ok"
        result.message += f": within sampling noise (z {z:.1f})"
    return result
