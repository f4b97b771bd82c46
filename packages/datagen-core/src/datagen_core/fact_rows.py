"""How many rows a fact chunk has and whose they are: children per parent (fanout, mixtures, segments,
vintage exposure, funnels, state models), thinned by table effects, with their behaviour times."""

from __future__ import annotations

import math

import numpy as np

from datagen_contracts import dsl

from .arrays import indices, strings
from .behaviours import vintage
from .behaviours.funnel import run_funnel
from .behaviours.runs import cummax_per_parent
from .behaviours.states import run_states
from .columns.effects import window_factor
from .columns.intervals import parent_bounds
from .columns.values import window_of
from .errors import required
from .frame import CHUNK_ROWS, ChunkJob, Frame
from .output.store import KeptTable, as_numpy, shared, slice_values
from .row_order import FAR_FUTURE
from .timestamps import DAY, ceil_to, floor_to, to_us


def per_parent(node: dsl.Node, schema: dsl.Schema) -> float:
    """Rough children per parent row, from the schema alone (sizes fact chunks to ~CHUNK_ROWS rows)."""
    base: float
    if node.stage_config is not None:
        base = len(node.stage_config.stages)
    elif node.state_transition_model is not None:
        base = node.state_transition_model.max_transitions / 2 + 1
    elif node.fanout is None:
        base = 1.0
    elif node.fanout.distribution == "uniform":
        base = ((node.fanout.min or 0) + (node.fanout.max or 0)) / 2
    else:
        base = node.fanout.lam or 1.0
    parent = schema.table(node.parents[0])
    sb = parent.segment_behavior if parent else None
    if sb is not None and sb.behaviors:
        base *= max(1.0, max(b.fanout_multiplier for b in sb.behaviors.values()))
    return max(base, 1.0)


def parents_per_chunk(node: dsl.Node, schema: dsl.Schema) -> int:
    return max(1, int(CHUNK_ROWS // math.ceil(per_parent(node, schema))))


def event_column(node: dsl.Node) -> str | None:
    for col in node.columns:
        if col.type in ("datetime", "date") and (col.generator.datetime_series or col.generator.diffusion_curve):
            return col.name
    return None


def _accrual_window(node: dsl.Node, timeframe: tuple[int, int]) -> tuple[int, int] | None:
    """The window of a fact's own event times when they follow the parent's creation (activity accrues over the
    parent's life), else None (line items, snapshots: no event column of their own)."""
    ev = event_column(node)
    col = node.column(ev) if ev else None
    if col is None or not col.after_parent:
        return None
    within = col.generator.spec.within
    return (to_us(within.start), to_us(within.end)) if isinstance(within, dsl.Window) else timeframe


def _exposure(curves: list, decay: np.ndarray | None, created: np.ndarray, window: tuple[int, int],
              ends: np.ndarray | None = None) -> np.ndarray:
    """Each parent's exposure: its life inside the window (from its creation to the window's end, or to its own
    end), weighted by the mean of its vintage curves and segment decay over that life — the integral of its
    activity rate."""
    last = window[1] if ends is None else np.minimum(ends, window[1])
    life = np.maximum(last - np.maximum(created.astype(np.int64), window[0]), 0).astype(np.float64)
    if curves or decay is not None:
        life *= vintage.life_mean(curves, life, decay)
    return life


def life_ends(node: dsl.Node, schema: dsl.Schema, kept: KeptTable, a: int, b: int) -> np.ndarray | None:
    """Parents ``a..b``'s own ends for this fact's events: where a declared inequality keeps the event column
    before a parent column (invoices until the subscription's cancellation), that column's value; None when no
    such bound is declared. A null end (still running) is the far future."""
    ev = event_column(node)
    out = None
    for bound in parent_bounds(schema, node):
        if bound.column != ev or bound.after or bound.parent_column not in kept.columns:
            continue
        values = as_numpy(slice_values(kept.columns[bound.parent_column], a, b))
        if values.dtype.kind not in "iu":
            continue
        nulls = kept.nulls.get(bound.parent_column)
        null = np.zeros(b - a, bool) if nulls is None else np.asarray(slice_values(nulls, a, b))
        end = np.where(null, FAR_FUTURE, values.astype(np.int64))
        out = end if out is None else np.minimum(out, end)
    return out


def mean_exposure(node: dsl.Node, schema: dsl.Schema, primary: KeptTable, timeframe: tuple[int, int]) -> float | None:
    """The mean exposure over every primary parent (the normaliser that keeps the declared fanout mean while each
    parent's expected count follows its own exposure), in blocks; None when children do not accrue over time."""
    window = _accrual_window(node, timeframe)
    if window is None or primary.created is None or not primary.n or node.fanout is None \
            or node.stage_config is not None or node.state_transition_model is not None:
        return None
    curves = vintage.fanout_curves(schema.table(node.parents[0]).vintage_behavior)
    total = 0.0
    for a in range(0, primary.n, CHUNK_ROWS):
        b = min(a + CHUNK_ROWS, primary.n)
        decay = None if primary.decay is None else np.asarray(slice_values(primary.decay, a, b))
        created = np.asarray(slice_values(primary.created, a, b))
        total += float(_exposure(curves, decay, created, window, life_ends(node, schema, primary, a, b)).sum())
    return total / primary.n if total > 0 else None


def _segment_values(parent: dsl.Node, kept: KeptTable, rows: np.ndarray, table: dict[str, float]) -> np.ndarray:
    if kept.segment is None or not table:
        return np.ones(len(rows))
    seg = kept.segment[rows]
    out = np.ones(len(rows))
    for name, mult in table.items():
        out[seg == name] = mult
    return out


def fact_rows(job: ChunkJob, node: dsl.Node, frame: Frame) -> np.ndarray:
    """Primary-parent index of every child row (and the prefilled columns of funnels and state models)."""
    primary = required(job.primary, "the primary parent's rows")
    parent = job.schema.table(node.parents[0])
    p = primary.n
    rng = frame.rng("__rows__")
    ev = event_column(node)
    ev_col = node.column(ev) if ev else None
    start, end = window_of(ev_col.generator.spec, frame) if ev_col is not None else job.timeframe
    lower = np.full(p, start, dtype=np.int64)
    if primary.created is not None and (ev_col is None or ev_col.after_parent):
        lower = np.maximum(lower, primary.created)
    upper = np.full(p, end, dtype=np.int64)
    idx_all = np.arange(p)
    if node.stage_config is not None:
        var = {k: v.transition_multiplier for k, v in (node.stage_config.segment_variation or {}).items()}
        pidx, stage, times = run_funnel(node.stage_config, rng, lower, upper, _segment_values(parent, primary, idx_all, var))
        names = [s.stage_name for s in node.stage_config.stages]
        for col in node.columns:
            if col.name == node.pk:
                continue
            if col.generator.sequence is not None:
                frame.prefilled[col.name] = stage
            elif _names_behaviour(col, names, "stage"):
                frame.prefilled[col.name] = strings(names).take(indices(stage))
        behaviour_times(frame, ev_col, pidx, times, lower, upper)
        return pidx
    if node.state_transition_model is not None:
        m = node.state_transition_model
        var = {k: v.churn_multiplier for k, v in (m.segment_variation or {}).items()}
        pidx, state, prev, times = run_states(m, rng, lower, upper, _segment_values(parent, primary, idx_all, var))
        names = strings(list(m.states))
        for col in node.columns:
            if not _names_behaviour(col, list(m.states), "state"):
                continue
            if col.name.lower().startswith("prev"):
                frame.prefilled[col.name] = names.take(indices(np.maximum(prev, 0)))
                frame.nulls[col.name] = prev < 0
            else:
                frame.prefilled[col.name] = names.take(indices(state))
        behaviour_times(frame, ev_col, pidx, times, lower, upper)
        return pidx
    f = node.fanout
    lam = np.full(p, 1.0 if f is None else (f.lam if f.distribution != "uniform" else 0.0) or 0.0)
    mult = np.ones(p)
    if primary.fanout_mult is not None:
        mult *= primary.fanout_mult
    curves = vintage.fanout_curves(parent.vintage_behavior)
    if job.exposure and primary.created is not None:
        # activity accrues over each parent's life: expected count ∝ its exposure, the declared mean kept overall
        ends = life_ends(node, job.schema, primary, 0, p)
        mult *= _exposure(curves, primary.decay, primary.created, (start, end), ends) / job.exposure
    elif (curves or primary.decay is not None) and primary.created is not None:
        mult *= vintage.life_mean(curves, np.maximum(upper - lower, 0), primary.decay)
    mult *= effect_oversampling(node, job)
    if f is None:
        counts = rng.poisson(mult) if not np.allclose(mult, 1.0) else np.ones(p, dtype=np.int64)
    elif f.distribution == "uniform":
        base = rng.integers(f.min or 0, (f.max or 0) + 1, p) * mult
        counts = np.floor(base + rng.random(p)).astype(np.int64)
    elif f.distribution in dsl.MIXED_FANOUTS or f.dormant:
        counts = rng.poisson(lam * mult * fanout_mixture(f, frame.rng("__rows__", "mixture"), p))
    else:
        counts = rng.poisson(lam * mult)
    if f is not None:
        counts = np.clip(counts, f.min if f.min is not None else 0, f.max if f.max is not None else None)
    return np.repeat(idx_all, counts)


def fanout_mixture(f: dsl.Fanout, rng: np.random.Generator, p: int) -> np.ndarray:
    """Each parent's rate multiplier, of mean 1: a gamma (negative binomial), lognormal or normalised zipf draw,
    times 0 for ``dormant`` parents and 1/(1 − dormant) for the others — so the declared mean λ holds while a few
    parents are far more active than the rest and some are not active at all.

    >>> f = dsl.Fanout(distribution="negative_binomial", lam=5, dispersion=0.5, dormant=0.2)
    >>> g = fanout_mixture(f, np.random.default_rng(0), 200_000)
    >>> round(float(g.mean()), 1), round(float((g == 0).mean()), 2), bool(np.quantile(g, 0.99) > 6)
    (1.0, 0.2, True)
    """
    g = np.ones(p)
    if f.distribution == "negative_binomial":
        k = f.dispersion or 1.0
        g = rng.gamma(k, 1.0 / k, p)
    elif f.distribution == "lognormal":
        s = f.sigma if f.sigma is not None else 1.0
        g = rng.lognormal(-s * s / 2, s, p)
    elif f.distribution == "zipf":
        a = f.exponent or 2.5
        g = rng.zipf(a, p) / zipf_mean(a)
    if f.dormant:
        g = np.where(rng.random(p) < f.dormant, 0.0, g / (1.0 - f.dormant))
    return g


def zipf_mean(a: float) -> float:
    """E[Zipf(a)] = ζ(a − 1) / ζ(a), the zeta sums to 10⁴ terms plus their integral tail.

    >>> round(zipf_mean(3.0), 4)  # ζ(2)/ζ(3)
    1.3684
    """
    n = np.arange(1, 10_001, dtype=np.float64)

    def zeta(s: float) -> float:
        return float((n ** -s).sum() + 10_000.0 ** (1 - s) / (s - 1))

    return zeta(a - 1) / zeta(a)


def behaviour_times(frame: Frame, col: dsl.Column | None, pidx: np.ndarray, times: np.ndarray, lower: np.ndarray,
                     upper: np.ndarray) -> None:
    """A funnel's or state model's times fill its event column. A ``date`` column gets whole days, one day apart
    at least per parent (times that share a day would no longer increase); a row pushed past its window's end is
    not generated (the funnel or lifecycle is cut there)."""
    if col is None:
        return
    lo, hi = lower[pidx], upper[pidx]
    if col.type == "date":
        day = ("fixed", DAY)
        rank = np.arange(len(pidx)) - np.searchsorted(pidx, pidx, side="left")  # position within the parent
        times = cummax_per_parent(ceil_to(times, day) - rank * DAY, pidx) + rank * DAY
        lo, hi = ceil_to(lo, day), floor_to(hi, day)
        frame.mark_drop(times > hi)
    frame.prefilled[col.name] = times
    frame.bounds[col.name] = (lo, np.maximum(lo, hi))


def _names_behaviour(col: dsl.Column, names: list[str], word: str) -> bool:
    """A string choice column that holds the stage/state: its choices name one, or its name says so
    (upstream schemas declare placeholders such as ``{"choices": ["signup"]}``)."""
    ch = col.generator.choice
    if ch is None or col.type != "string" or not ch.choices:
        return False
    return bool(set(map(str, ch.choices)) & set(names)) or word in col.name.lower()


def _table_effects(node: dsl.Node) -> list[dsl.EffectModifier]:
    return [m for m in node.modifiers if isinstance(m, dsl.EffectModifier)]


def _effect_max(mod: dsl.EffectModifier, kept: KeptTable) -> float:
    a = mod.args
    if a.map.op != "mul":
        return 1.0
    vals = as_numpy(kept.columns[a.map.field]).astype(np.float64) if a.map.field in kept.columns else np.ones(1)
    return float(max(np.nanmax(vals) if len(vals) else 1.0, a.map.default, 1e-9))


def effect_oversampling(node: dsl.Node, job: ChunkJob) -> float:
    out = 1.0
    for mod in _table_effects(node):
        out *= _effect_max(mod, shared(job.tables[mod.args.effect_table]))
    return out


def thin_rows(node: dsl.Node, job: ChunkJob, frame: Frame) -> np.ndarray | None:
    """Table-level effects scale fanout over time: candidates were oversampled by the effect's maximum, and each
    is kept with probability factor/maximum at its own time (an inhomogeneous Poisson process by thinning)."""
    mods = _table_effects(node)
    if not mods:
        return None
    t = frame.numeric(frame.event_column).astype(np.int64) if frame.event_column else None
    keep_p = np.ones(frame.n)
    for mod in mods:
        a = mod.args
        kept = shared(job.tables[a.effect_table])
        keys = {local: as_numpy(frame.values[local]) for local in a.on if local in frame.values}
        on = {k: v for k, v in a.on.items() if k in keys}
        f = window_factor(kept, a.window.start_col if a.window else None, a.window.end_col if a.window else None,
                          a.map.field, t if a.window else None, a.map.default, on, keys)
        f = f if a.map.op == "mul" else 1.0 + f
        keep_p *= np.clip(f / _effect_max(mod, kept), 0.0, 1.0)
    return frame.rng("__thin__").random(frame.n) < keep_p
