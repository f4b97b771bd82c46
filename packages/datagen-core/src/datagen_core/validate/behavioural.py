"""Behavioural checks — the schema's ``targets``: weekend share, a column's mean, and the seasonality of a
composite effect measured against the declared weights × the timeframe's exposure (``docs/validate.md``)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from datagen_contracts import dsl

from .reading import ValidationContext, collect
from .report import Check, category, result, rounded, skipped
from .seasonality import exposure, hour_jitter_kernel, implied_weekend_share


@category("behavioural")
def check_targets(ctx: ValidationContext) -> Iterator[Check]:
    t = ctx.schema.targets
    if t is None:
        return
    if (ws := t.weekend_share) is not None:
        target = f"{ws.table}.{ws.timestamp}"
        if (skip := ctx.missing("behavioural", "weekend_share", ws.table, ws.timestamp)) is not None:
            yield skip
        else:
            v = pl.col(ws.timestamp)
            df = collect(ctx.scan(ws.table).select(v.dt.weekday().is_in([6, 7]).sum().alias("we"),
                                                   v.count().alias("n")))
            n, we = int(df["n"][0]), int(df["we"][0])
            share = we / n if n else float("nan")
            ok = n > 0 and ws.min <= share <= ws.max
            c = result("behavioural", "weekend_share", target, ok, measured=rounded(share), expected=[ws.min, ws.max],
                       rows=n, message="no timestamps" if n == 0 else "")
            implied = implied_weekend_share(ctx.schema, ws.table, ws.timestamp)
            if not ok and n > 0 and implied is not None and not ws.min <= implied <= ws.max:
                tol = 4.0 * math.sqrt(implied * (1 - implied) / n) + 0.01
                if abs(share - implied) <= tol:
                    c.status = "warn"
                    c.message = (f"target unreachable as declared: the column's dow weights over the timeframe imply "
                                 f"a weekend share of {implied:.4f}, and the data ({share:.4f}) follows them")
            yield c
    if (mr := t.mean_in_range) is not None:
        target = f"{mr.table}.{mr.column}"
        if (skip := ctx.missing("behavioural", "mean_in_range", mr.table, mr.column)) is not None:
            yield skip
        else:
            df = collect(ctx.scan(mr.table).select(pl.col(mr.column).mean().alias("m"),
                                                   pl.col(mr.column).count().alias("n")))
            mean, n = df["m"][0], int(df["n"][0])
            ok = mean is not None and mr.min <= mean <= mr.max
            yield result("behavioural", "mean_in_range", target, ok, measured=rounded(mean), expected=[mr.min, mr.max],
                         rows=n)
    if t.composite_effect is not None:
        yield from _composite(ctx, t.composite_effect)


def _composite(ctx: ValidationContext, ce: dsl.CompositeEffectTarget) -> Iterator[Check]:
    """Each seasonality influence: the observed bucket index vs the declared weights × the timeframe's exposure.

    index_b = share_b × B (mean 1). Observed shares count rows (or sum the metric, when it names a numeric
    column) per hour/dow/month bucket of the table's time column; expected shares are ∝ weight_b × the hours
    of the timeframe that fall in bucket b. MAE = mean |obs − exp|, MAPE = 100 · mean |obs − exp| / exp. The
    check passes when MAE ≤ tolerance.mae + noise_mae and MAPE ≤ tolerance.mape + noise_mape (a tolerance not
    given is not checked), where noise_* is twice the error expected from multinomial sampling alone at this
    row count. Effect and outlier influences are not measured (listed in the message).
    """
    name = "composite_effect"
    node = ctx.schema.node(ce.table)
    seasonal = [i for i in ce.influences if i.kind == "seasonality" and i.dimension and i.weights]
    other = [i.kind for i in ce.influences if i not in seasonal]
    time_col = None if node is None else _time_column(node, {i.dimension for i in seasonal})
    for inf in seasonal:
        target = f"{ce.table}.{ce.metric}[{inf.dimension}]"
        if node is None or time_col is None:
            yield skipped("behavioural", name, target, f"{ce.table!r} has no datetime column")
            continue
        if (skip := ctx.missing("behavioural", name, ce.table, time_col, target=target)) is not None:
            yield skip
            continue
        assert inf.dimension is not None and inf.weights is not None
        obs, n_eff, rows = _bucket_shares(ctx, node, time_col, ce.metric, inf.dimension)
        if rows == 0:
            yield result("behavioural", name, target, False, measured=None, rows=0, message="no rows")
            continue
        hours = exposure(ctx.timeframe, inf.dimension)
        expected = np.asarray(inf.weights, dtype=np.float64) * hours
        expected = expected / expected.sum()
        column = node.column(time_col)
        if inf.dimension == "hour" and column is not None:
            kernel = hour_jitter_kernel(column, ctx.schema.timeframe.freq)
            expected = sum(p * np.roll(expected, d) for d, p in kernel.items())
            expected = expected / expected.sum()
        b = len(expected)
        o_idx, e_idx = obs * b, expected * b
        err = np.abs(o_idx - e_idx)
        mask = e_idx > 0
        mae = float(err.mean())
        mape = float(100.0 * (err[mask] / e_idx[mask]).mean()) if mask.any() else 0.0
        sd = b * np.sqrt(expected * (1 - expected) / max(n_eff, 1.0))
        noise_mae = 2.0 * float(np.sqrt(2 / np.pi) * sd.mean())
        noise_mape = 2.0 * float(100.0 * np.sqrt(2 / np.pi) * (sd[mask] / e_idx[mask]).mean()) if mask.any() else 0.0
        tol = ce.tolerance
        ok = (tol.mae is None or mae <= tol.mae + noise_mae) and (tol.mape is None or mape <= tol.mape + noise_mape)
        note = f"time column {time_col}; allowed mae ≤ {_tol(tol.mae, noise_mae)}, mape ≤ {_tol(tol.mape, noise_mape)}"
        if other:
            note += f"; not measured: {', '.join(other)}"
        yield result("behavioural", name, target, ok, measured={"mae": rounded(mae), "mape": rounded(mape)},
                     expected={"mae": tol.mae, "mape": tol.mape}, rows=rows, message=note)


def _tol(tol: float | None, noise: float) -> str:
    return "unchecked" if tol is None else f"{tol:g} + {noise:.3g} noise"


def _time_column(node: dsl.Node, dims: set[Any]) -> str | None:
    """The datetime column carrying the declared pattern/seasonality, else the first datetime column."""
    for col in node.columns:
        if col.type != "datetime":
            continue
        declared = {m.args.dimension for m in col.modifiers if isinstance(m, dsl.SeasonalityModifier)}
        if col.generator.datetime_series is not None:
            declared |= {p.dimension for p in col.generator.datetime_series.patterns()}
        if declared & dims:
            return col.name
    return next((c.name for c in node.columns if c.type == "datetime"), None)


def _bucket_expr(v: pl.Expr, dim: str) -> pl.Expr:
    if dim == "hour":
        return v.dt.hour().cast(pl.Int32)
    if dim == "dow":
        return v.dt.weekday().cast(pl.Int32) - 1  # DSL: 0 = Monday
    return v.dt.month().cast(pl.Int32) - 1


def _bucket_shares(ctx: ValidationContext, node: dsl.Node, time_col: str, metric: str,
                   dim: str) -> tuple[np.ndarray, float, int]:
    size = {"hour": 24, "dow": 7, "month": 12}[dim]
    col = node.column(metric)
    weighted = col is not None and col.type in ("int", "float") and ctx.has(node.id, metric)
    if weighted:
        w = pl.col(metric).cast(pl.Float64).fill_null(0.0)
        sums = [w.sum().alias("s"), (w * w).sum().alias("s2")]
    else:
        sums = [pl.len().cast(pl.Float64).alias("s"), pl.len().cast(pl.Float64).alias("s2")]
    frame = ctx.scan(node.id).filter(pl.col(time_col).is_not_null())
    agg = collect(frame.group_by(_bucket_expr(pl.col(time_col), dim).alias("b")).agg(*sums, pl.len().alias("n")))
    shares = np.zeros(size)
    for b, s in zip(agg["b"].to_list(), agg["s"].to_list(), strict=True):
        shares[int(b)] += s
    total, total2, rows = shares.sum(), float(agg["s2"].sum() or 0.0), int(agg["n"].sum() or 0)
    n_eff = (total * total / total2) if total2 > 0 else float(rows)
    return (shares / total if total > 0 else shares), n_eff, rows
