"""Column modifiers and the value pipeline: generate → modifiers → segment/vintage multipliers → bounds → cast.

Bounds (distribution clamp, clamp modifiers, ``constraints.ranges``, column ``min``/``max``) are enforced once more
after every multiplier, so declared ranges hold in the output (the earlier implementation clamped first).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen_contracts import dsl

from ..behaviours import vintage
from ..frame import Frame
from ..output.store import as_numpy
from ..timestamps import UNIT_US, US
from .effects import window_factor
from .intervals import parent_bounds
from .values import sample_distribution


def bounds(schema: dsl.Schema, node: dsl.Node, col: dsl.Column) -> tuple[float, float]:
    lo, hi = -np.inf, np.inf
    dist = col.generator.distribution
    if dist is not None and dist.clamp is not None and len(dist.clamp) == 2:
        lo, hi = max(lo, dist.clamp[0]), min(hi, dist.clamp[1])
    for m in col.modifiers:
        if isinstance(m, dsl.ClampModifier):
            lo = lo if m.args.min is None else max(lo, m.args.min)
            hi = hi if m.args.max is None else min(hi, m.args.max)
    for r in schema.constraints.ranges:
        if r.attr == f"{node.id}.{col.name}":
            lo = lo if r.min is None else max(lo, r.min)
            hi = hi if r.max is None else min(hi, r.max)
    c = col.constraints
    if c is not None:
        lo = lo if c.min is None else max(lo, c.min)
        hi = hi if c.max is None else min(hi, c.max)
    if col.type == "int":
        lo, hi = np.ceil(lo), np.floor(hi)
    return lo, hi


def _time_of(frame: Frame, reference: str | None) -> np.ndarray | None:
    name = reference if reference in frame.values else frame.first_time_column()
    return None if name is None else frame.numeric(name).astype(np.int64)


def apply_modifier(mod: Any, col: dsl.Column, v: Any, frame: Frame, k: int) -> Any:
    a, rng = mod.args, frame.rng(col.name, "mod", k)
    if isinstance(mod, dsl.MapValuesModifier):
        return _map_values(v, a.mapping, col)
    if isinstance(mod, dsl.TimeJitterModifier):
        if col.type not in ("datetime", "date"):
            return v
        std_us = a.std_minutes * 60 * US if a.std_minutes is not None else (a.std or 0) * US
        lo, hi = frame.bounds.get(col.name, (np.full(frame.n, frame.timeframe[0]), np.full(frame.n, frame.timeframe[1])))
        return np.clip(v + (rng.normal(0, std_us, frame.n)).astype(np.int64), lo, hi)
    if col.type in ("string", "bool", "datetime", "date"):
        return v  # numeric modifiers do not apply (seasonality/effects on times are folded into sampling)
    v = np.asarray(v, dtype=np.float64)
    if isinstance(mod, dsl.MultiplyModifier):
        return v * a.factor
    if isinstance(mod, dsl.AddModifier):
        return v + a.value
    if isinstance(mod, dsl.ClampModifier):
        return np.clip(v, -np.inf if a.min is None else a.min, np.inf if a.max is None else a.max)
    if isinstance(mod, dsl.JitterModifier):
        noise = rng.normal(0, a.std, frame.n)
        return v * (1 + noise) if a.mode == "mul" else v + noise
    if isinstance(mod, dsl.SeasonalityModifier):
        t = _time_of(frame, None)
        if t is None:
            return v
        w = np.asarray(a.weights, dtype=np.float64)
        w = w / w.mean() if w.mean() > 0 else w
        dt = t.astype("datetime64[us]")
        idx = {"hour": (t // (3600 * US)) % 24, "dow": ((t // (86400 * US)) + 3) % 7,
               "month": dt.astype("datetime64[M]").astype(np.int64) % 12}[a.dimension]
        return v * w[idx]
    if isinstance(mod, dsl.TrendModifier):
        t = _time_of(frame, a.time_reference)
        if t is None:
            return v
        years = np.maximum(t - frame.timeframe[0], 0) / UNIT_US["year"]
        g = a.growth_rate or 0.0
        if a.type == "exponential":
            return v * np.power(1 + g, years)
        if a.type == "linear":
            return v * (1 + g * years)
        pa_, pb = (a.params.a, a.params.b) if a.params is not None else (g, 1.0)
        return v * (1 + pa_ * np.log1p(np.maximum(pb * years, -0.999999)))
    if isinstance(mod, dsl.EffectModifier):
        table = frame.tables[a.effect_table]
        keys = {local: as_numpy(frame.values[local]) for local in a.on if local in frame.values}
        on = {k2: v2 for k2, v2 in a.on.items() if k2 in keys}
        f = window_factor(table, a.window.start_col if a.window else None, a.window.end_col if a.window else None,
                          a.map.field, _time_of(frame, None) if a.window else None, a.map.default, on, keys)
        return v * f if a.map.op == "mul" else v + f
    if isinstance(mod, dsl.OutliersModifier):
        hit = rng.random(frame.n) < a.rate
        if a.magnitude_dist is not None:
            m = sample_distribution(a.magnitude_dist, rng, frame.n)
        else:
            m = np.full(frame.n, a.magnitude if a.magnitude is not None else 2.0)
        return np.where(hit, v * (1 + m) if a.mode == "spike" else v / (1 + m), v)
    return v


def _map_values(v: Any, mapping: dict[str, Any], col: dsl.Column) -> Any:
    if isinstance(v, pa.Array | pa.ChunkedArray):
        keys = pa.array(list(mapping), type=pa.string())
        idx = pc.index_in(v.cast(pa.string()), value_set=keys)
        repl = pa.array([None if x is None else str(x) for x in mapping.values()], type=pa.string())
        mapped = repl.take(pc.fill_null(idx, 0))
        return pc.if_else(pc.is_null(idx), v, mapped)
    arr = np.asarray(v)
    out = arr.astype(np.float64) if arr.dtype.kind in "iuf" else arr.copy()
    for key, val in mapping.items():
        try:
            out = np.where(arr == type(arr.flat[0])(key) if arr.size else arr, val, out)
        except (TypeError, ValueError):
            continue
    return out


def value_multipliers(col: dsl.Column, frame: Frame, v: np.ndarray) -> np.ndarray:
    """Segment value multipliers (from every parent or sampled table with segments) and vintage age curves."""
    if col.type not in ("int", "float") or col.name == frame.node.pk or col.generator.lookup or col.generator.sequence:
        return v
    sources = []
    if frame.primary is not None and frame.parent_idx is not None:
        sources.append((frame.schema.table(frame.node.parents[0]), frame.primary, frame.parent_idx))
    for table, rows in frame.picks.items():
        node = frame.schema.node(table)
        if node is not None and frame.tables[table].n > 0:
            sources.append((node, frame.tables[table], rows))
    for node, kept, rows in sources:
        sb = node.segment_behavior
        if kept.value_mult is not None and sb is not None:
            applies = sb.applies_to_columns
            if applies is None and col.generator.distribution is None:
                continue
            if applies is None or col.name in applies:
                v = v * kept.value_mult[rows]
    if frame.primary is not None and frame.parent_idx is not None and frame.primary.created is not None:
        parent = frame.schema.table(frame.node.parents[0])
        curves = [m for m in vintage.column_curves(parent.vintage_behavior, col.name)
                  if col.name in vintage.targets(m) or col.generator.distribution is not None]
        t = _time_of(frame, None)
        if curves and t is not None:
            age = np.maximum(t - frame.primary.created[frame.parent_idx], 0)
            for m in curves:
                v = v * vintage.curve_at(m, age / UNIT_US[m.time_unit])
    return v


def finish_numeric(col: dsl.Column, frame: Frame, v: np.ndarray) -> np.ndarray:
    lo, hi = bounds(frame.schema, frame.node, col)
    v = np.clip(np.nan_to_num(v, nan=0.0 if np.isinf(lo) else lo, posinf=hi, neginf=lo), lo, hi)
    decimals = dsl.money_decimals(col)
    if decimals is not None:  # money in cents (or the currency's minor unit), still within the bounds
        scale = 10.0 ** decimals
        v = np.clip(np.round(v, decimals), np.ceil(lo * scale) / scale, np.floor(hi * scale) / scale)
    for b in parent_bounds(frame.schema, frame.node):  # declared against the parent row's value (a cap or floor)
        got = frame.parent_values(b.parent_column) if b.column == col.name else None
        if got is not None and got[0].dtype.kind in "iuf":
            edge = got[0].astype(np.float64)
            if col.type == "int":  # the nearest whole number on the right side
                edge = (np.floor(edge) + 1 if b.strict else np.ceil(edge)) if b.after else (
                    np.ceil(edge) - 1 if b.strict else np.floor(edge))
            elif b.strict:
                edge = np.nextafter(edge, np.inf if b.after else -np.inf)
            v = np.where(got[1], v, np.maximum(v, edge) if b.after else np.minimum(v, edge))
    if col.type == "int":  # a heavy tail past int64 stops at its edge (the largest float64 below 2**63)
        return np.rint(np.clip(v, -(2.0**63), np.nextafter(2.0**63, 0))).astype(np.int64)
    if col.type == "bool":
        return v.astype(bool)
    return v.astype(np.float64)
