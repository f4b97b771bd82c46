"""One function per generator kind: ``(column, frame) -> values`` for one chunk, vectorized.

Numbers and times are numpy arrays (times as int64 µs), strings pyarrow arrays (sampled from pools by index).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen_contracts import dsl
from datagen_contracts.dsl import kind_weights

from ..arrays import from_numpy, indices, strings
from ..behaviours import vintage
from ..errors import required
from ..frame import Frame
from ..output.store import as_numpy
from ..timestamps import DAY, HOUR, SlotSampler, ceil_to, floor_to, freq_step, snap, to_us
from . import lookups
from .effects import window_factor
from .expression import evaluate
from .faker_values import gen_faker
from .intervals import parent_bounds


def choice_weights(spec: dsl.ChoiceGen, n: int) -> np.ndarray:
    """The normalized weights of ``n`` choices: declared, or from ``weights_kind`` (the contracts' definition,
    which datacruncher also compares the data against)."""
    if spec.weights is not None:
        w = np.asarray(spec.weights, dtype=np.float64)
    elif spec.weights_kind and (kind := kind_weights(spec.weights_kind, n)) is not None:
        w = np.asarray(kind, dtype=np.float64)
    else:
        w = np.ones(n)
    return w / w.sum()


def _segment_shares(frame: Frame, col: dsl.Column, choices: list[Any]) -> np.ndarray | None:
    """A ``segments`` block sets the shares of the segment column's values."""
    sb = frame.node.segment_behavior
    if sb is None or sb.segments is None:
        return None
    from datagen_contracts.dsl import infer_segment_column

    if infer_segment_column(frame.node) != col.name:
        return None
    w = np.array([sb.segments[str(c)].base_probability if str(c) in sb.segments else 0.0 for c in choices])
    return w / w.sum() if w.sum() > 0 else None


def gen_choice(col: dsl.Column, frame: Frame) -> Any:
    spec = required(col.generator.choice, "choice")
    if spec.choices_ref is not None:
        table, _, column = spec.choices_ref.partition(".")
        choices = np.unique(as_numpy(frame.tables[table].columns[column])).tolist()
    else:
        choices = list(spec.choices or [])
    weights = _segment_shares(frame, col, choices)
    if weights is None:
        weights = choice_weights(spec, len(choices))
    cdf = np.cumsum(weights)
    idx = np.minimum(np.searchsorted(cdf / cdf[-1], frame.rng(col.name).random(frame.n), side="right"),
                     len(choices) - 1)
    return pick_values(col, choices, idx)


def pick_values(col: dsl.Column, choices: list[Any], idx: np.ndarray) -> Any:
    if col.type == "string":
        return strings([None if c is None else str(c) for c in choices]).take(indices(idx))
    if col.type in ("datetime", "date"):
        arr = np.array([to_us(c) if isinstance(c, str) else int(c) for c in choices], dtype=np.int64)
        return arr[idx]
    if col.type == "bool":
        return np.array([bool(c) for c in choices])[idx]
    return np.array([float(c) for c in choices])[idx]


def sample_distribution(spec: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    p = spec.params
    if isinstance(spec, dsl.NormalDist):
        out = rng.normal(p.mean, p.std, n)
    elif isinstance(spec, dsl.LognormalDist):
        out = rng.lognormal(p.mean, p.sigma, n)
    elif isinstance(spec, dsl.UniformDist):
        out = rng.uniform(p.low, p.high, n)
    elif isinstance(spec, dsl.PoissonDist):
        out = rng.poisson(p.lam, n).astype(np.float64)
    else:
        out = rng.exponential(p.scale, n)
    if spec.clamp is not None and len(spec.clamp) == 2:
        out = np.clip(out, spec.clamp[0], spec.clamp[1])
    return out


def gen_distribution(col: dsl.Column, frame: Frame) -> np.ndarray:
    return sample_distribution(col.generator.distribution, frame.rng(col.name), frame.n)


def gen_sequence(col: dsl.Column, frame: Frame) -> np.ndarray:
    spec = required(col.generator.sequence, "sequence")
    if col.name in frame.prefilled:  # a funnel's stage index
        return spec.start + frame.prefilled[col.name] * spec.step
    if frame.global_index is not None:
        return spec.start + frame.global_index * spec.step
    frame.seq_deferred.append(col.name)  # the engine adds the table's running offset, in chunk order
    return np.arange(frame.n, dtype=np.int64)


def gen_enum_list(col: dsl.Column, frame: Frame) -> Any:
    values = required(col.generator.enum_list, "enum_list").values
    return pick_values(col, values, np.arange(frame.n) % len(values))


def window_of(spec: Any, frame: Frame) -> tuple[int, int]:
    if isinstance(spec.within, dsl.Window):
        return to_us(spec.within.start), to_us(spec.within.end)
    return frame.timeframe


def time_bounds(col: dsl.Column, frame: Frame, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-row [lo, hi]: the window, cut at the parent's creation for fact event columns and at the parent row's
    value for a declared inequality with the parent; dates on whole days. A fact row with nothing left is not
    generated."""
    lo = np.full(frame.n, start, dtype=np.int64)
    created = frame.parent_created() if col.after_parent else None
    if created is not None:
        lo = np.maximum(lo, created)
    hi = np.full(frame.n, end, dtype=np.int64)
    for b in parent_bounds(frame.schema, frame.node):  # declared against the parent row: after/before its value
        got = frame.parent_values(b.parent_column) if b.column == col.name else None
        if got is not None and got[0].dtype.kind in "iu":
            edge = got[0].astype(np.int64) + (1 if b.after else -1) * b.strict
            if b.after:
                lo = np.where(got[1], lo, np.maximum(lo, edge))
            else:
                hi = np.where(got[1], hi, np.minimum(hi, edge))
    if col.type == "date":
        lo, hi = ceil_to(lo, ("fixed", DAY)), floor_to(hi, ("fixed", DAY))
    empty = lo > hi
    if empty.any():  # said, never silent: the table has fewer rows than its fanout makes
        frame.mark_drop(empty)
        frame.notes.append(f"{int(empty.sum())} rows not generated: their {col.name} window ends before "
                           + ("their parent row's time" if created is not None else "the bound the parent row sets")
                           + (" ('after_parent': false lets it)" if created is not None else ""))
    hi = np.maximum(lo, hi)
    frame.bounds[col.name] = (lo, hi)
    return lo, hi


@functools.lru_cache(maxsize=128)
def _sampler(key: tuple, start: int, end: int, patterns: tuple, extra: bytes | None) -> SlotSampler:
    arr = None if extra is None else np.frombuffer(extra, dtype=np.float64)
    return SlotSampler(start, end, [(d, list(w)) for d, w in patterns], arr)


def _slot_effects(col: dsl.Column, frame: Frame, start: int, end: int) -> bytes | None:
    mods = [m for m in col.modifiers if isinstance(m, dsl.EffectModifier) and not m.args.on]
    if not mods:
        return None
    slots = np.arange((start // HOUR) * HOUR, end + 1, HOUR, dtype=np.int64) + HOUR // 2
    w = np.ones(len(slots))
    for m in mods:
        a = m.args
        table = frame.tables[a.effect_table]
        start_col, end_col = (a.window.start_col, a.window.end_col) if a.window else (None, None)
        # the factor per hour slot depends only on the effect table: computed once, shared by every chunk
        f = table.index(("slot_effect", start_col, end_col, a.map.field, a.map.default, start, end),
                        functools.partial(window_factor, table, start_col, end_col, a.map.field, slots, a.map.default))
        w = w * f if a.map.op == "mul" else w * np.maximum(1.0 + f, 0.0)
    return np.maximum(w, 0.0).tobytes()


def time_step(col: dsl.Column) -> tuple[str, int] | None:
    """The grid a time column's values sit on: its ``freq``, and whole days at least for a ``date``."""
    spec = col.generator.datetime_series
    step = freq_step(spec.freq) if spec is not None else None
    if col.type == "date":
        step = ("fixed", DAY) if step is None or (step[0] == "fixed" and step[1] < DAY) else step
    return step


def snap_column(col: dsl.Column, t: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``t`` on the column's grid inside [lo, hi]; a ``date`` whose ``freq`` has no point there (a monthly date in
    the last days of a parent's window) still lands on a whole day, so what is written is what was ordered."""
    t = snap(t, lo, hi, time_step(col))
    return snap(t, lo, hi, ("fixed", DAY)) if col.type == "date" and (t % DAY).any() else t


def pattern_sampler(col: dsl.Column, frame: Frame) -> SlotSampler:
    """The column's sampler over its window: ``pattern``s, ``seasonality`` modifiers and un-keyed effects."""
    spec = required(col.generator.datetime_series, "datetime_series")
    start, end = window_of(spec, frame)
    pats = [(p.dimension, tuple(p.weights)) for p in spec.patterns()]
    pats += [(m.args.dimension, tuple(m.args.weights)) for m in col.modifiers if isinstance(m, dsl.SeasonalityModifier)]
    return _sampler((frame.node.id, col.name), start, end, tuple(pats), _slot_effects(col, frame, start, end))


#: candidates per row when a keyed effect reweights a time column (sampling-importance-resampling)
KEYED_CANDIDATES = 8


def gen_datetime(col: dsl.Column, frame: Frame) -> np.ndarray:
    spec = col.generator.datetime_series
    if col.name in frame.prefilled:
        return frame.prefilled[col.name]
    start, end = window_of(spec, frame)
    lo, hi = time_bounds(col, frame, start, end)
    rng = frame.rng(col.name)
    sampler = pattern_sampler(col, frame)
    curves, decay = _life_curves(col, frame)
    keyed = [m for m in col.modifiers if isinstance(m, dsl.EffectModifier) and m.args.on]
    m = KEYED_CANDIDATES if keyed else 1
    lo_m, hi_m = np.tile(lo, m), np.tile(hi, m)
    if curves or decay is not None:  # activity follows the retention curve, hour/day patterns still apply
        dec = None if decay is None else np.tile(decay, m)
        t = vintage.sample_times(curves, dec, sampler, rng, lo_m, hi_m)
    elif not keyed and col.name == frame.time_column and frame.global_index is not None and frame.total_rows:
        # an entity's creation time: stratified by row number, so its sequence ids follow time
        t = sampler.sample(rng, lo_m, hi_m, strata=(frame.global_index, frame.total_rows))
    else:
        t = sampler.sample(rng, lo_m, hi_m)
    if keyed:
        t = _keyed_effects(keyed, frame, rng, t.reshape(m, frame.n))
    return snap_column(col, t, lo, hi)


def _life_curves(col: dsl.Column, frame: Frame) -> tuple[list[dsl.AgeMultiplier], np.ndarray | None]:
    """Vintage fanout curves and segment decay rates of the primary parent, for the table's event column."""
    if not frame.node.parents or col.name != frame.event_column or not col.after_parent or frame.parent_created() is None:
        return [], None
    curves = vintage.fanout_curves(frame.schema.table(frame.node.parents[0]).vintage_behavior)
    primary = required(frame.primary, "the primary parent's rows")
    decay = None if primary.decay is None else primary.decay[frame.parent_idx]
    return curves, decay


def _keyed_effects(mods: list[dsl.EffectModifier], frame: Frame, rng: np.random.Generator, cand: np.ndarray) -> np.ndarray:
    """An effect with ``on`` keys on a time column: each row keeps one of its candidate times with probability ∝
    the factor of its own key's effect rows at that time (so times concentrate inside the key's windows)."""
    m, n = cand.shape
    w = np.ones(m * n)
    for mod in mods:
        a = mod.args
        keys = {local: np.tile(as_numpy(frame.values[local]), m) for local in a.on}
        f = window_factor(frame.tables[a.effect_table], a.window.start_col if a.window else None,
                          a.window.end_col if a.window else None, a.map.field, cand.ravel() if a.window else None,
                          a.map.default, dict(a.on), keys)
        w = w * f if a.map.op == "mul" else w * np.maximum(1.0 + f, 0.0)
    w = np.maximum(w, 0.0).reshape(m, n)
    cdf = np.cumsum(w, axis=0)
    total = cdf[-1]
    u = rng.random(n) * total
    pick = np.where(total > 0, np.minimum((cdf <= u[None, :]).sum(axis=0), m - 1), 0)
    return cand[pick, np.arange(n)]


def resample_time(col: dsl.Column, frame: Frame, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                  rng: np.random.Generator) -> np.ndarray | None:
    """New values for ``rows`` of a time column inside [lo, hi] drawn the way the column draws them (patterns,
    weights), or None when its generator cannot redraw (a lookup, an expression, a behaviour's time)."""
    g = col.generator
    if col.name in frame.prefilled:
        return None
    if g.datetime_series is not None:
        return snap_column(col, pattern_sampler(col, frame).sample(rng, lo, hi), lo, hi)
    if g.diffusion_curve is not None:
        start, end = window_of(g.diffusion_curve, frame)
        return _diffusion_draw(col, start, end, lo, hi, rng.random(len(lo)))
    if g.choice is not None and g.choice.choices:
        from .references import pick_weighted

        values = np.array([to_us(c) if isinstance(c, str) else int(c) for c in g.choice.choices], dtype=np.int64)
        order = np.argsort(values, kind="stable")
        sv, cum = values[order], np.cumsum(choice_weights(g.choice, len(values))[order])
        a, b = np.searchsorted(sv, lo, "left"), np.searchsorted(sv, hi, "right")
        out = sv[pick_weighted(cum, a, b, rng.random(len(lo)))]
        return np.where(b > a, out, frame.numeric(col.name)[rows])
    return None


def gen_diffusion(col: dsl.Column, frame: Frame) -> np.ndarray:
    spec = col.generator.diffusion_curve
    start, end = window_of(spec, frame)
    lo, hi = time_bounds(col, frame, start, end)
    u = frame.rng(col.name).random(frame.n)
    if col.name == frame.time_column and frame.global_index is not None and frame.total_rows:
        u = (frame.global_index + u) / frame.total_rows  # an entity's creation: stratified, so ids follow time
    return _diffusion_draw(col, start, end, lo, hi, u)


def _diffusion_draw(col: dsl.Column, start: int, end: int, lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    spec = required(col.generator.diffusion_curve, "diffusion_curve")
    span = max(end - start, 1)
    x_lo, x_hi = (lo - start) / span, (hi - start) / span
    k, x0 = spec.steepness, spec.inflection_point
    if spec.curve_type == "logistic":
        cdf = lambda x: 1 / (1 + np.exp(-k * (x - x0)))  # noqa: E731
        inv = lambda u: x0 + np.log(u / (1 - u)) / k  # noqa: E731
    elif spec.curve_type == "exponential":
        cdf = lambda x: np.expm1(k * x) / np.expm1(k)  # noqa: E731
        inv = lambda u: np.log1p(u * np.expm1(k)) / k  # noqa: E731
    else:
        cdf, inv = (lambda x: x), (lambda u: u)
    a, b = cdf(x_lo), cdf(x_hi)
    u = np.clip(a + u * (b - a), 1e-12, 1 - 1e-12)
    t = start + (inv(u) * span).astype(np.int64)
    t = np.clip(t, lo, hi)
    return floor_to(t, ("fixed", DAY)).clip(lo, hi) if col.type == "date" else t


class _Columns(Mapping):
    """The row's earlier columns as numpy arrays, converted when an expression reads them (not all up front)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.source: dict[str, Any] = values
        self.cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.cache:
            self.cache[name] = as_numpy(self.source[name])
        return self.cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.source)

    def __len__(self) -> int:
        return len(self.source)


def gen_expression(col: dsl.Column, frame: Frame) -> np.ndarray:
    out = evaluate(required(col.generator.expression, "expression").code, _Columns(frame.values))
    out = np.broadcast_to(np.asarray(out), (frame.n,)).copy()
    if col.type == "string":  # numbers through arrow's cast; anything else (rare) through Python strings
        return pc.cast(from_numpy(out), pa.string()) if out.dtype.kind in "biuf" else strings(out.astype(str).tolist())
    if col.type == "bool":
        return out.astype(bool)
    return out.astype(np.float64) if col.type in ("int", "float") else out.astype(np.int64)


GENERATORS = {
    "sequence": gen_sequence, "choice": gen_choice, "distribution": gen_distribution,
    "datetime_series": gen_datetime, "faker": gen_faker, "lookup": lookups.gen_lookup, "expression": gen_expression,
    "enum_list": gen_enum_list, "diffusion_curve": gen_diffusion,
}
