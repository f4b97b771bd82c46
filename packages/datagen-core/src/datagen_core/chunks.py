"""Generation of one chunk of one table — a pure function of (schema, seed, table, chunk, parent data), so it
runs the same in this process or any worker, and chunks can be written in order whatever finished first.

A chunk is ``CHUNK_ROWS`` rows of an entity, or the children of a fixed block of primary-parent rows of a fact
(the block size derives from the schema alone, so it never depends on the machine or the worker count).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen_contracts import dsl
from datagen_contracts.dsl import infer_segment_column

from .arrays import from_numpy, indices, strings, to_numpy
from .behaviours import vintage
from .behaviours.attribution import money_column, run_touchpoints
from .behaviours.funnel import run_funnel
from .behaviours.runs import cummax_per_parent
from .behaviours.states import run_states
from .columns.effects import window_factor
from .columns.intervals import Pair, ordered_pairs, parent_bounds
from .columns.lookups import pick_rows
from .columns.modifiers import apply_modifier, finish_numeric, value_multipliers
from .columns.order import column_order
from .columns.references import TIME_TYPES, creation_column
from .columns.values import GENERATORS, resample_time, window_of
from .frame import Frame
from .output.store import KeptTable, as_numpy, shared, slice_values
from .timestamps import DAY, ceil_to, floor_to, to_us

#: rows per chunk — part of the output format: changing it changes the data for a given seed
CHUNK_ROWS = 65_536


@dataclass
class ChunkJob:
    schema: dsl.Schema
    seed: int
    table: str
    chunk: int
    start: int  # first entity row, or first primary-parent row
    stop: int
    timeframe: tuple[int, int]
    primary: KeptTable | None = None  # the primary parent's rows [start, stop)
    tables: dict[str, KeptTable] = field(default_factory=dict)
    #: mean exposure of all primary parents (:func:`mean_exposure`), when children accrue over their life
    exposure: float | None = None
    total: int = 0  # an entity table's rows (all chunks)


@dataclass
class Piece:
    """One chunk of one output table; sequences/refs are completed by the engine in chunk order."""

    name: str
    columns: dict[str, Any]
    nulls: dict[str, np.ndarray]
    n: int
    deferred: list[str] = field(default_factory=list)  # sequence columns holding the local row number
    refs: dict[str, str] = field(default_factory=dict)  # column -> table whose deferred pk it references
    #: self-lookup column -> (uniform per row, row number per row, target start, step, nullable): resolved across
    #: chunks by the engine (``references.EarlierRows``)
    self_refs: dict[str, tuple] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)  # column -> unique template to fill with row numbers
    created: np.ndarray | None = None
    fanout_mult: np.ndarray | None = None
    value_mult: np.ndarray | None = None
    segment: np.ndarray | None = None
    decay: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)  # what could not be done as declared (generation warnings)


def per_parent(node: dsl.Node, schema: dsl.Schema) -> float:
    """Rough children per parent row, from the schema alone (sizes fact chunks to ~CHUNK_ROWS rows)."""
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
    parent = schema.node(node.parents[0])
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
        end = np.where(null, _FAR, values.astype(np.int64))
        out = end if out is None else np.minimum(out, end)
    return out


def mean_exposure(node: dsl.Node, schema: dsl.Schema, primary: KeptTable, timeframe: tuple[int, int]) -> float | None:
    """The mean exposure over every primary parent (the normaliser that keeps the declared fanout mean while each
    parent's expected count follows its own exposure), in blocks; None when children do not accrue over time."""
    window = _accrual_window(node, timeframe)
    if window is None or primary.created is None or not primary.n or node.fanout is None \
            or node.stage_config is not None or node.state_transition_model is not None:
        return None
    curves = vintage.fanout_curves(schema.node(node.parents[0]).vintage_behavior)
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


def _fact_rows(job: ChunkJob, node: dsl.Node, frame: Frame) -> np.ndarray:
    """Primary-parent index of every child row (and the prefilled columns of funnels and state models)."""
    primary = job.primary
    parent = job.schema.node(node.parents[0])
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
        _behaviour_times(frame, ev_col, pidx, times, lower, upper)
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
        _behaviour_times(frame, ev_col, pidx, times, lower, upper)
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
    mult *= _effect_oversampling(node, job)
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


def _behaviour_times(frame: Frame, col: dsl.Column | None, pidx: np.ndarray, times: np.ndarray, lower: np.ndarray,
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


def _effect_oversampling(node: dsl.Node, job: ChunkJob) -> float:
    out = 1.0
    for mod in _table_effects(node):
        out *= _effect_max(mod, shared(job.tables[mod.args.effect_table]))
    return out


def _thin(node: dsl.Node, job: ChunkJob, frame: Frame) -> np.ndarray | None:
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


def _time_order(node: dsl.Node, frame: Frame) -> np.ndarray | None:
    """Put a fact chunk's rows in the order of their creation time, so that the sequence ids the engine gives
    them follow time (a chunk is generated parent by parent; an entity's times are already stratified by row).

    Row-number columns (deferred sequences, unique templates) keep their place; every other value, null mask and
    the rows' parents move with their row. Returns the permutation (None when the rows stay as they are)."""
    if not node.parents or frame.time_column is None or frame.n < 2 or frame.time_column not in frame.values:
        return None
    times = frame.numeric(frame.time_column).astype(np.int64, copy=False)
    if frame.time_column in frame.nulls:  # rows without a time go last
        times = np.where(frame.nulls[frame.time_column], times.max() + 1, times)
    order = stable_order(times)
    if (order == np.arange(frame.n)).all():
        return None
    fixed = set(frame.seq_deferred) | set(frame.templates)
    frame.values = {k: v if k in fixed else _reorder(v, order) for k, v in frame.values.items()}
    frame.nulls = {k: v[order] for k, v in frame.nulls.items()}
    frame.parent_idx = frame.parent_idx[order] if frame.parent_idx is not None else None
    return order


def stable_order(times: np.ndarray) -> np.ndarray:
    """``np.argsort(times, kind="stable")``, ten times faster: each time becomes a unique key (its offset from
    the earliest, shifted left, plus the row number), so sorting the keys' values — the one order there is, the
    same on every machine — and keeping their low bits gives the permutation. A span too wide for the shift
    falls back to the stable sort.

    >>> stable_order(np.array([30, 10, 30, 20])).tolist()
    [1, 3, 0, 2]
    """
    n = len(times)
    bits = max(1, (n - 1).bit_length())
    lo = int(times.min())
    if int(times.max()) - lo >= 1 << (62 - bits):
        return np.argsort(times, kind="stable")
    return np.sort(((times - lo) << bits) | np.arange(n, dtype=np.int64)) & ((1 << bits) - 1)


def _reorder(values: Any, order: np.ndarray | None) -> Any:
    if order is None:
        return values
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.take(from_numpy(order))
    return np.asarray(values)[order]


def _filter(values: Any, keep: np.ndarray) -> Any:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.filter(from_numpy(keep))
    return np.asarray(values)[keep]


def _time_referenced(node: dsl.Node) -> list[str]:
    """Tables whose rows this table samples without ``on`` keys (secondary parents and lookups), in order."""
    out: list[str] = []
    for col in node.columns:
        lk = col.generator.lookup
        if lk is None or lk.on:
            continue
        table = lk.from_.partition(".")[0]
        if table != node.id and (not node.parents or table != node.parents[0]) and table not in out:
            out.append(table)
    return out


_TICK = {"date": 86_400_000_000, "datetime": 1, "int": 1}
_FAR = 2**62


def enforce_pair(frame: Frame, pair: Pair) -> None:
    """Make ``late`` follow ``early`` in every row: a time column is redrawn inside its own window after the
    early value (else the early one before the late one); numbers (and times that cannot be redrawn) are
    swapped, ties separated by one tick. Rows still out of order are counted in the generation notes."""
    node = frame.node
    ce, cl = node.column(pair.early), node.column(pair.late)
    e, late = frame.numeric(pair.early), frame.numeric(pair.late)
    if e.dtype.kind not in "iuf" or late.dtype.kind not in "iuf":
        return
    tick = (_TICK.get(cl.type, 1e-6) if pair.strict else 0)
    bad = late < e + tick
    if not bad.any():
        return
    if ce.type in TIME_TYPES and cl.type in TIME_TYPES:
        e, late = e.astype(np.int64), late.astype(np.int64).copy()
        rng = frame.rng(pair.late, "after", pair.early)
        rows = np.nonzero(bad)[0]
        lo, hi = _time_window(frame, pair.late, rows)
        lower = np.maximum(lo, e[rows] + tick)
        new = resample_time(cl, frame, rows, lower, hi, rng) if (lower <= hi).any() else None
        if new is not None:
            late[rows] = np.where(lower <= hi, new, late[rows])
        bad = late < e + tick
        if bad.any():  # no room after the start: draw the start earlier instead
            rows = np.nonzero(bad)[0]
            lo_e, hi_e = _time_window(frame, pair.early, rows)
            upper = np.minimum(hi_e, late[rows] - tick)
            new = resample_time(ce, frame, rows, lo_e, upper, frame.rng(pair.early, "before", pair.late))
            if new is not None:
                e = e.astype(np.int64).copy()
                e[rows] = np.where(lo_e <= upper, new, e[rows])
                frame.values[pair.early] = e
        frame.values[pair.late] = late
        bad = late < e + tick
        if bad.any() and frame.parent_idx is not None and node.stage_config is None and node.state_transition_model is None:
            frame.mark_drop(bad)  # a fact row that cannot hold the pair is not generated (like an empty window)
            frame.notes.append(f"{int(bad.sum())} rows not generated: no room for {pair.late} after {pair.early} "
                               "in their windows")
        elif bad.any():
            frame.notes.append(f"{int(bad.sum())} rows keep {pair.late} before {pair.early}: no room in their windows")
        return
    lo, hi = np.minimum(e, late), np.maximum(e, late)
    if pair.strict:
        hi = np.where(hi == lo, hi + tick, hi)
    frame.values[pair.early], frame.values[pair.late] = lo, hi


def _time_window(frame: Frame, name: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if name in frame.bounds:
        lo, hi = frame.bounds[name]
        return lo[rows], hi[rows]
    return np.full(len(rows), -_FAR, dtype=np.int64), np.full(len(rows), _FAR, dtype=np.int64)


def generate_chunk(job: ChunkJob) -> list[Piece]:
    schema, node = job.schema, job.schema.node(job.table)
    tables = {k: shared(v) for k, v in job.tables.items()}  # spilled columns mapped here, in the worker
    frame = Frame(schema, node, job.seed, job.chunk, 0, job.timeframe, primary=job.primary, tables=tables)
    frame.event_column = event_column(node)
    if node.kind == "vocab":
        frame.n = max(len(c.generator.enum_list.values) for c in node.columns if c.generator.enum_list)
        frame.global_index = np.arange(frame.n)
    elif node.parents:
        frame.parent_idx = _fact_rows(job, node, frame)
        frame.n = len(frame.parent_idx)
    else:
        frame.global_index = np.arange(job.start, job.stop, dtype=np.int64)
        frame.n = len(frame.global_index)
        frame.total_rows = job.total
    frame.time_column = creation_column(node)
    pairs = ordered_pairs(schema, node)
    for col in column_order(node):
        frame.values[col.name] = _column(col, frame)
        if col.name == frame.time_column:
            for table in _time_referenced(node):  # rows exist before they are referenced (may move this time)
                frame.picks[table] = pick_rows(frame, table, frame.rng("pick", table))
        for pair in pairs:
            if col.name in (pair.early, pair.late) and pair.early in frame.values and pair.late in frame.values:
                enforce_pair(frame, pair)
    frame.values = {c.name: frame.values[c.name] for c in node.columns}
    keep = None if frame.drop is None else ~frame.drop
    thin = _thin(node, job, frame)
    if thin is not None:
        keep = thin if keep is None else keep & thin
    if keep is not None and not keep.all():
        frame.values = {k: _filter(v, keep) for k, v in frame.values.items()}
        frame.nulls = {k: v[keep] for k, v in frame.nulls.items()}
        frame.parent_idx = frame.parent_idx[keep] if frame.parent_idx is not None else None
        if frame.global_index is not None:  # entity rows stay contiguous: never dropped (no parents)
            frame.global_index = frame.global_index[keep]
        frame.n = int(keep.sum())
    _null_rates(node, frame)
    _room_for_touches(job, node, frame)
    order = _time_order(node, frame)
    piece = Piece(node.id, frame.values, frame.nulls, frame.n, deferred=frame.seq_deferred, notes=frame.notes)
    piece.templates = frame.templates
    piece.self_refs = {c: (_reorder(u if keep is None else u[keep], order), frame.global_index, *rest)
                       for c, (u, *rest) in frame.self_refs.items()}
    _describe_rows(node, frame, piece)
    pieces = [piece]
    if node.attribution_chain is not None:
        pieces.append(_touchpoints(job, node, frame))
    return pieces


def _column(col: dsl.Column, frame: Frame) -> Any:
    if col.name in frame.prefilled and col.generator.sequence is None:
        v = frame.prefilled[col.name]
    else:
        v = GENERATORS[col.generator.kind](col, frame)
    for k, mod in enumerate(col.modifiers):
        v = apply_modifier(mod, col, v, frame, k)
    if col.type in ("int", "float", "bool") and not isinstance(v, pa.Array | pa.ChunkedArray):
        is_key = col.generator.lookup is not None or col.generator.sequence is not None
        v = np.asarray(v)
        if not is_key or v.dtype.kind == "f":
            v = value_multipliers(col, frame, v.astype(np.float64)) if col.type != "bool" else v
            v = finish_numeric(col, frame, np.asarray(v, dtype=np.float64)) if col.type != "bool" else v.astype(bool)
        else:
            v = v.astype(np.int64) if col.type == "int" else v
    return v


def _null_rates(node: dsl.Node, frame: Frame) -> None:
    for col in node.columns:
        if col.nullable and col.null_rate and col.name != node.pk:
            mask = frame.rng(col.name, "nulls").random(frame.n) < col.null_rate
            frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | mask
        if col.present_if:  # NULL wherever a condition column holds none of its listed values (or is NULL)
            absent = np.zeros(frame.n, bool)
            for other, allowed in col.present_if.items():
                values = frame.values[other]
                text_values = values if isinstance(values, pa.Array | pa.ChunkedArray) else from_numpy(np.asarray(values))
                hit = pc.is_in(pc.cast(text_values, pa.string()), value_set=strings([str(v).lower() if isinstance(v, bool) else str(v) for v in allowed]))
                absent |= ~(to_numpy(hit) == True) | frame.nulls.get(other, np.zeros(frame.n, bool))  # noqa: E712
            frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | absent


def _describe_rows(node: dsl.Node, frame: Frame, piece: Piece) -> None:
    """Per-row facts later tables need: creation time and segment multipliers."""
    created_col = creation_column(node)
    if created_col is not None:
        piece.created = frame.numeric(created_col).astype(np.int64)
    elif frame.primary is not None and frame.primary.created is not None:
        piece.created = frame.primary.created[frame.parent_idx]
    sb = node.segment_behavior
    seg_col = infer_segment_column(node) if sb is not None else None
    if seg_col is not None and seg_col in frame.values:
        seg = as_numpy(frame.values[seg_col]).astype(object)
        piece.segment = seg
        fan, val, decay = np.ones(frame.n), np.ones(frame.n), np.zeros(frame.n)
        for name, eff in (sb.behaviors or {}).items():
            fan[seg == name] = eff.fanout_multiplier
            val[seg == name] = eff.value_multiplier
            decay[seg == name] = eff.decay_rate or 0.0
        piece.fanout_mult, piece.value_mult = fan, val
        piece.decay = decay if any(e.decay_rate for e in (sb.behaviors or {}).values()) else None


def _room_for_touches(job: ChunkJob, node: dsl.Node, frame: Frame) -> None:
    """A conversion made the instant its parent appeared has no room for the touches it must have before it
    (``min_touches``): it happens a second later (a day for a date), when the window allows — before anything
    reads the row's time."""
    ac = node.attribution_chain
    if ac is None or ac.min_touches <= 0 or not frame.event_column or frame.parent_created() is None:
        return
    conv_t = frame.numeric(frame.event_column).astype(np.int64)
    lower = np.maximum(frame.parent_created(), job.timeframe[0])
    tight = conv_t <= lower
    if not tight.any():
        return
    step = DAY if node.column(frame.event_column).type == "date" else 1_000_000
    moved = lower + step
    fits = tight & (moved <= job.timeframe[1])
    frame.values[frame.event_column] = np.where(fits, moved, conv_t)
    if (tight & ~fits).any():
        frame.notes.append(f"{int((tight & ~fits).sum())} {node.id} rows converted at the window's end keep fewer "
                           f"than {ac.min_touches} touches: no room before them")


def _touchpoints(job: ChunkJob, node: dsl.Node, frame: Frame) -> Piece:
    ac = node.attribution_chain
    conv_t = frame.numeric(frame.event_column).astype(np.int64) if frame.event_column else np.full(frame.n, job.timeframe[1])
    lower = frame.parent_created() if frame.parent_created() is not None else np.full(frame.n, job.timeframe[0])
    lower = np.maximum(lower, job.timeframe[0])
    conv, channel, t, pos, credit = run_touchpoints(ac, frame.rng("__touchpoints__"), conv_t, lower)
    name = node.touchpoint_table
    parent_fk = next((c.name for c in node.columns if c.generator.lookup
                      and c.generator.lookup.from_.partition(".")[0] == node.parents[0]), None)
    deferred_pk = node.pk in frame.seq_deferred
    key = conv if deferred_pk else as_numpy(frame.values[node.pk])[conv]
    cols: dict[str, Any] = {"touchpoint_id": np.arange(len(conv), dtype=np.int64), node.pk: key}
    if parent_fk is not None and parent_fk != node.pk:
        cols[parent_fk] = as_numpy(frame.values[parent_fk])[conv]
    cols["channel"] = strings(ac.channels).take(indices(channel))
    cols["touched_at"] = t
    cols["touch_position"] = pos
    cols["attribution_credit"] = np.round(credit, 6)
    nulls = {}
    money = money_column(node)
    if money is not None:
        value = frame.numeric(money).astype(np.float64)
        cols[f"attributed_{money}"] = value[conv] * credit
        decimals = dsl.money_decimals(node.column(money))
        if decimals is not None:  # shares of an amount in cents are cents that still add up to it
            cols[f"attributed_{money}"] = _split_rounded(cols[f"attributed_{money}"], conv, value, decimals)
        if money in frame.nulls:
            nulls[f"attributed_{money}"] = frame.nulls[money][conv]
    return Piece(name, cols, nulls, len(conv), deferred=["touchpoint_id"],
                 refs={node.pk: node.id} if deferred_pk else {}, created=t)


def _split_rounded(shares: np.ndarray, owner: np.ndarray, total: np.ndarray, decimals: int) -> np.ndarray:
    """``shares`` rounded to ``decimals``, the rounding residue of each owner's total put on its last share, so
    the rounded shares of an owner still add up to its (rounded) total.

    >>> _split_rounded(np.array([1/3, 1/3, 1/3]), np.array([0, 0, 0]), np.array([1.0]), 2).tolist()
    [0.33, 0.33, 0.34]
    """
    out = np.round(shares, decimals)
    if not len(out):
        return out
    residue = np.round(total - np.bincount(owner, weights=out, minlength=len(total)), decimals)
    last = len(owner) - 1 - np.unique(owner[::-1], return_index=True)[1]  # the last share of each owner
    owners = owner[last]
    out[last] = np.round(out[last] + residue[owners], decimals)
    return out
