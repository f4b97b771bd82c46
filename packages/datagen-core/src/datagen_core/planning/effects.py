"""How a table's ``effect`` modifiers change its expected row count, for :mod:`datagen_core.planning.plan`.

The engine draws ``oversampling`` × the fanout (the product of each effect's largest factor) and keeps each row
with probability Π factor(t)/largest at the row's time. The expectation of that probability is estimated on a
time grid (``EFFECT_GRID`` cells over the rows' window): the share of each cell an effect row's window covers,
times the effect's factor (a choice's shares, or a distribution's mean through 1000 quantiles), weighted by
where the rows' times fall. Pure arithmetic over the schema, like the rest of the plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.dsl import parse_timestamp

from .means import choice_shares, column_window, window_of

#: time grid of the effect estimate (cells over the rows' time window) and quantiles of a value distribution
EFFECT_GRID = 512
_QUANTILES = (np.arange(1000) + 0.5) / 1000


def _seconds(moment: datetime) -> float:
    """Seconds since 1970 of a naive UTC datetime (``datetime.timestamp`` would read it as local time)."""
    return (moment - datetime(1970, 1, 1)).total_seconds()


@dataclass(frozen=True)
class TableEffects:
    """What a table's ``effect`` modifiers do to its row count: the engine draws ``oversampling`` × the
    fanout (the product of each effect's largest factor) and keeps each row with probability
    Π factor(t)/largest at the row's time — ``kept`` is that probability's expectation."""

    oversampling: float
    kept: float
    missed: tuple[str, ...]  # effect tables whose factor could not be estimated (left out)


def value_stats(col: dsl.Column, n: float) -> tuple[float, float] | None:
    """(mean, expected largest of ``n`` draws) of a numeric column's generator, None when not derivable.

    >>> value_stats(dsl.Column(name="m", type="float", generator=dsl.Generator(
    ...     choice=dsl.ChoiceGen(choices=[1.0, 2.35, 5.5225]))), 200)
    (2.9575, 5.5225)
    """
    g = col.generator
    if g.choice is not None and g.choice.choices:
        try:
            pairs = [(float(v), share) for v, share in choice_shares(g.choice).items()]
        except ValueError:
            return None
        return sum(v * w for v, w in pairs), max(v for v, w in pairs if w > 0)
    d = g.distribution
    if d is None:
        return None
    from statistics import NormalDist

    z = np.array([NormalDist().inv_cdf(q) for q in _QUANTILES])
    top = NormalDist().inv_cdf(max(0.5, n / (n + 1.0)))
    p = d.params
    if isinstance(p, dsl.NormalParams):
        q, hi = p.mean + p.std * z, p.mean + p.std * top
    elif isinstance(p, dsl.LognormalParams):
        q, hi = np.exp(p.mean + p.sigma * z), math.exp(p.mean + p.sigma * top)
    elif isinstance(p, dsl.UniformParams):
        q, hi = p.low + (p.high - p.low) * _QUANTILES, float(p.high)
    elif isinstance(p, dsl.PoissonParams):  # normal approximation: only the mean and a high quantile are needed
        q, hi = np.maximum(p.lam + math.sqrt(p.lam) * z, 0.0), p.lam + math.sqrt(p.lam) * top
    else:
        q, hi = -p.scale * np.log1p(-_QUANTILES), p.scale * math.log(n + 1.0)
    lo_c, hi_c = (d.clamp[0], d.clamp[1]) if d.clamp is not None and len(d.clamp) == 2 else (-np.inf, np.inf)
    return float(np.clip(q, lo_c, hi_c).mean()), float(np.clip(hi, lo_c, hi_c))


def _time_cdf(col: dsl.Column | None, timeframe: tuple[datetime, datetime], x: np.ndarray) -> np.ndarray | None:
    """P(value ≤ x) of a time column's generator (seconds since the epoch): a choice of timestamps, or
    uniform over the window of a ``datetime_series``/``diffusion_curve`` (its patterns left out); None when
    the generator is not one of those."""
    if col is None:
        return None
    g = col.generator
    if g.choice is not None and g.choice.choices:
        stamps = [(parse_timestamp(str(v)), w) for v, w in choice_shares(g.choice).items()]
        if any(t is None for t, _ in stamps):
            return None
        return sum(w * (x >= _seconds(t)) for t, w in stamps if t is not None) * np.ones_like(x)
    window = column_window(col, timeframe) if (g.datetime_series or g.diffusion_curve) else None
    if window is None:
        return None
    a, b = _seconds(window[0]), _seconds(window[1])
    return np.clip((x - a) / max(b - a, 1.0), 0.0, 1.0)


def _coverage(schema: dsl.Schema, effect: dsl.Node, args: dsl.EffectArgs, timeframe: tuple[datetime, datetime],
              t: np.ndarray, since_start: bool) -> np.ndarray | None:
    """P(an effect row's window contains time ``t``) — start and end drawn independently, an end that falls
    before the start redrawn after it when the engine keeps the pair ordered, a null end open-ended; with
    ``since_start``, given that the row started by ``t`` (a time-aware reference picked it)."""
    assert args.window is not None
    start_col, end_col = effect.column(args.window.start_col), effect.column(args.window.end_col)
    f_s, f_e = _time_cdf(start_col, timeframe, t), _time_cdf(end_col, timeframe, t)
    if f_s is None or f_e is None or end_col is None:
        return None
    from ..columns.intervals import ordered_pairs

    null_end = end_col.null_rate if end_col.nullable and end_col.null_rate else 0.0
    survive = 1.0 - f_e  # P(end ≥ t)
    if any(p.early == args.window.start_col and p.late == args.window.end_col for p in ordered_pairs(schema, effect)):
        # end ~ E | E ≥ start: P(start ≤ t ≤ end) = S_E(t) · Σ_{s ≤ t} P(start = s) / S_E(s)
        mass = np.diff(f_s, prepend=0.0)  # starts up to each grid time (those before the grid at the first)
        ratio = np.divide(mass, survive, out=np.zeros_like(mass), where=survive > 1e-12)
        closed = np.minimum(survive * np.cumsum(ratio), f_s)
    else:  # a window is [min, max] of the two values
        closed = f_s * survive + f_e * (1.0 - f_s)
    covered = (1.0 - null_end) * closed + null_end * f_s
    if since_start:
        return np.divide(covered, f_s, out=np.zeros_like(covered), where=f_s > 1e-12)
    return covered


def table_effects(schema: dsl.Schema, node: dsl.Node, timeframe: tuple[datetime, datetime],
                  expected: dict[str, float]) -> TableEffects | None:
    """The expected effect of ``node``'s table-level ``effect`` modifiers on its row count (None: it has none).

    Each effect's factor at time t is the mean of the matching effect rows' ``field`` (their shared mean when
    the effect is keyless and many windows cover t), else ``default``; its largest value is the expected
    largest draw of ``field``. The rows' times are uniform after their primary parent's creation (itself
    uniform over its window) up to the end of the event column's window; effects are taken as independent.
    """
    from ..columns.references import creation_column

    mods = [m for m in node.modifiers if isinstance(m, dsl.EffectModifier)]
    if not mods:
        return None
    event = next((c for c in node.columns if c.type in ("date", "datetime")
                  and (c.generator.datetime_series or c.generator.diffusion_curve)), None)
    w0, w1 = timeframe if event is None else (column_window(event, timeframe) or timeframe)
    edges = np.linspace(_seconds(w0), max(_seconds(w1), _seconds(w0) + 1.0), EFFECT_GRID + 1)
    t = (edges[:-1] + edges[1:]) / 2
    keep = np.ones_like(t)
    oversampling, missed = 1.0, []
    for mod in mods:
        a = mod.args
        effect = schema.node(a.effect_table)
        n_effect = max(expected.get(a.effect_table, 0.0), 0.0)
        field_col = effect.column(a.map.field) if effect is not None else None
        stats = (1.0, 1.0) if field_col is None else value_stats(field_col, n_effect)  # no such column: indicator
        if effect is None or stats is None:
            missed.append(a.effect_table)
            continue
        mean, top = stats
        largest = max(top, a.map.default, 1e-9) if a.map.op == "mul" else 1.0
        if a.window is None or event is None:
            covered: np.ndarray | None = np.ones_like(t)
        else:
            refs = [node.column(local) for local in a.on]
            time_aware = bool(a.on) and a.window.start_col == creation_column(effect) and all(
                c is not None and c.generator.lookup is not None
                and c.generator.lookup.from_.partition(".")[0] == a.effect_table for c in refs)
            covered = _coverage(schema, effect, a, timeframe, t, time_aware)
        if covered is None:
            missed.append(a.effect_table)
            continue
        if not a.on:  # every effect row matches: the factor is their mean wherever at least one covers t
            covered = 1.0 - np.power(np.clip(1.0 - covered, 0.0, 1.0), n_effect)
        factor = mean * covered + a.map.default * (1.0 - covered)
        keep *= np.clip(factor / largest if a.map.op == "mul" else 1.0 + factor, 0.0, 1.0)
        oversampling *= largest
    parent = schema.node(node.parents[0]) if node.parents else None
    created = creation_column(parent) if parent is not None and event is not None and event.after_parent else None
    if parent is None or created is None:
        kept = float(keep.mean())
    else:  # a child's time is uniform in [its parent's creation, w1]: average the suffix means over creations
        c_start, c_end = window_of(parent, created, timeframe)
        starts = np.searchsorted(t, np.linspace(_seconds(c_start), _seconds(c_end), 41))
        suffix = np.cumsum(keep[::-1])[::-1] / np.arange(len(t), 0, -1)
        kept = float(np.mean([suffix[min(i, len(t) - 1)] for i in starts]))
    return TableEffects(oversampling, kept, tuple(missed))
