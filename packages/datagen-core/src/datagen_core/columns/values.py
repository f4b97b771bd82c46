"""One function per generator kind: ``(column, frame) -> values`` for one chunk, vectorized.

Numbers and times are numpy arrays (times as int64 µs), strings pyarrow arrays (sampled from pools by index).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen_contracts import dsl
from datagen_contracts._dsl_rules import parse_weights_kind

from .. import faker_pools
from ..behaviours import vintage
from ..effects import window_factor
from ..errors import GenerationError
from ..expression import evaluate
from ..frame import Frame
from ..rng import small_seed
from ..store import as_numpy, take
from ..timestamps import DAY, HOUR, SlotSampler, ceil_to, floor_to, freq_step, snap, to_us


def choice_weights(spec: dsl.ChoiceGen, n: int) -> np.ndarray:
    if spec.weights is not None:
        w = np.asarray(spec.weights, dtype=np.float64)
    elif spec.weights_kind and (parsed := parse_weights_kind(spec.weights_kind)) and parsed[0] != "uniform":
        kind, params = parsed
        rank = np.arange(1, n + 1, dtype=np.float64)
        if kind == "zipf":
            w = 1.0 / rank ** params[0]
        else:
            head = max(1, int(np.floor(0.2 * n)))
            w = np.zeros(n)
            w[:head] = params[0] / head
            tail = 1.0 / rank[head:] ** params[1]
            if tail.size:
                w[head:] = (1 - params[0]) * tail / tail.sum()
    else:
        w = np.ones(n)
    return w / w.sum()


def _segment_shares(frame: Frame, col: dsl.Column, choices: list[Any]) -> np.ndarray | None:
    """A ``segments`` block sets the shares of the segment column's values."""
    sb = frame.node.segment_behavior
    if sb is None or sb.segments is None:
        return None
    from datagen_contracts._dsl_rules import infer_segment_column

    if infer_segment_column(frame.node) != col.name:
        return None
    w = np.array([sb.segments[str(c)].base_probability if str(c) in sb.segments else 0.0 for c in choices])
    return w / w.sum() if w.sum() > 0 else None


def gen_choice(col: dsl.Column, frame: Frame) -> Any:
    spec = col.generator.choice
    if spec.choices_ref is not None:
        table, _, column = spec.choices_ref.partition(".")
        choices = np.unique(as_numpy(frame.tables[table].columns[column])).tolist()
    else:
        choices = list(spec.choices)
    weights = _segment_shares(frame, col, choices)
    if weights is None:
        weights = choice_weights(spec, len(choices))
    cdf = np.cumsum(weights)
    idx = np.minimum(np.searchsorted(cdf / cdf[-1], frame.rng(col.name).random(frame.n), side="right"),
                     len(choices) - 1)
    return pick_values(col, choices, idx)


def pick_values(col: dsl.Column, choices: list[Any], idx: np.ndarray) -> Any:
    if col.type == "string":
        return pa.array([None if c is None else str(c) for c in choices], type=pa.string()).take(pa.array(idx))
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
    spec = col.generator.sequence
    if col.name in frame.prefilled:  # a funnel's stage index
        return spec.start + frame.prefilled[col.name] * spec.step
    if frame.global_index is not None:
        return spec.start + frame.global_index * spec.step
    frame.seq_deferred.append(col.name)  # the engine adds the table's running offset, in chunk order
    return np.arange(frame.n, dtype=np.int64)


def gen_enum_list(col: dsl.Column, frame: Frame) -> Any:
    values = col.generator.enum_list.values
    return pick_values(col, values, np.arange(frame.n) % len(values))


def window_of(spec: Any, frame: Frame) -> tuple[int, int]:
    if isinstance(spec.within, dsl.Window):
        return to_us(spec.within.start), to_us(spec.within.end)
    return frame.timeframe


def time_bounds(col: dsl.Column, frame: Frame, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-row [lo, hi]: the window, cut at the parent's creation for fact event columns; dates on whole days."""
    lo = np.full(frame.n, start, dtype=np.int64)
    created = frame.parent_created() if col.after_parent else None
    if created is not None:
        lo = np.maximum(lo, created)
    hi = np.full(frame.n, end, dtype=np.int64)
    if col.type == "date":
        lo, hi = ceil_to(lo, ("fixed", DAY)), floor_to(hi, ("fixed", DAY))
    frame.mark_drop(lo > hi)
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
        f = window_factor(frame.tables[a.effect_table], a.window.start_col if a.window else None,
                          a.window.end_col if a.window else None, a.map.field, slots, a.map.default)
        w = w * f if a.map.op == "mul" else w * np.maximum(1.0 + f, 0.0)
    return np.maximum(w, 0.0).tobytes()


def gen_datetime(col: dsl.Column, frame: Frame) -> np.ndarray:
    spec = col.generator.datetime_series
    if col.name in frame.prefilled:
        return frame.prefilled[col.name]
    start, end = window_of(spec, frame)
    lo, hi = time_bounds(col, frame, start, end)
    rng = frame.rng(col.name)
    curves = vintage.fanout_curves(frame.schema.node(frame.node.parents[0]).vintage_behavior) if frame.node.parents else []
    if curves and col.name == frame.event_column and frame.parent_created() is not None:
        t = lo + vintage.sample_ages(curves, rng, hi - lo)  # activity follows the retention curve
    else:
        pats = [(p.dimension, tuple(p.weights)) for p in spec.patterns()]
        pats += [(m.args.dimension, tuple(m.args.weights)) for m in col.modifiers if isinstance(m, dsl.SeasonalityModifier)]
        sampler = _sampler((frame.node.id, col.name), start, end, tuple(pats), _slot_effects(col, frame, start, end))
        t = sampler.sample(rng, lo, hi)
    step = freq_step(spec.freq)
    if col.type == "date":
        step = ("fixed", DAY) if step is None or (step[0] == "fixed" and step[1] < DAY) else step
    return snap(t, lo, hi, step)


def gen_diffusion(col: dsl.Column, frame: Frame) -> np.ndarray:
    spec = col.generator.diffusion_curve
    start, end = window_of(spec, frame)
    lo, hi = time_bounds(col, frame, start, end)
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
    u = np.clip(a + frame.rng(col.name).random(frame.n) * (b - a), 1e-12, 1 - 1e-12)
    t = start + (inv(u) * span).astype(np.int64)
    t = np.clip(t, lo, hi)
    return floor_to(t, ("fixed", DAY)).clip(lo, hi) if col.type == "date" else t


def gen_expression(col: dsl.Column, frame: Frame) -> np.ndarray:
    cols = {k: (v.to_numpy(zero_copy_only=False) if isinstance(v, pa.Array | pa.ChunkedArray) else v)
            for k, v in frame.values.items()}
    out = evaluate(col.generator.expression.code, cols)
    out = np.broadcast_to(np.asarray(out), (frame.n,)).copy()
    if col.type == "string":
        return pa.array(out.astype(str), type=pa.string())
    if col.type == "bool":
        return out.astype(bool)
    return out.astype(np.float64) if col.type in ("int", "float") else out.astype(np.int64)


def gen_lookup(col: dsl.Column, frame: Frame) -> Any:
    spec = col.generator.lookup
    table, _, column = spec.from_.partition(".")
    node = frame.node
    if table == node.id:
        return _self_lookup(col, frame, column)
    if node.parents and table == node.parents[0] and not spec.on:
        return take(frame.primary.columns[column], frame.parent_idx)
    other = frame.tables[table]
    if spec.on:
        rows = _matching_rows(frame, other, spec.on, frame.rng(col.name, "on"))
        missing = rows < 0
        rows = np.where(missing, frame.rng(col.name, "fallback").integers(0, max(other.n, 1), frame.n), rows)
        if missing.any() and col.nullable:
            frame.nulls[col.name] = missing
    else:
        if table not in frame.picks:
            frame.picks[table] = other.sample_rows(frame.rng("pick", table), frame.n)
        rows = frame.picks[table]
    out = take(other.columns[column], rows)
    if column in other.nulls:
        frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | other.nulls[column][rows]
    return out


def _matching_rows(frame: Frame, other: Any, on: dict[str, str], rng: np.random.Generator) -> np.ndarray:
    """A random row of ``other`` whose ``on`` columns equal this row's (sort + searchsorted); -1 when none."""
    local = [as_numpy(frame.values[k]) for k in on]
    remote = [as_numpy(other.columns[v]) for v in on.values()]
    if len(on) == 1:
        rk, lk = remote[0], local[0]
    else:
        rk = np.array(["\x1f".join(map(str, t)) for t in zip(*remote, strict=True)], dtype=object)
        lk = np.array(["\x1f".join(map(str, t)) for t in zip(*local, strict=True)], dtype=object)
    if rk.dtype.kind in "OUS" or lk.dtype.kind in "OUS":
        rk, lk = rk.astype(str), lk.astype(str)
    order = np.argsort(rk, kind="stable")
    sk = rk[order]
    a, b = np.searchsorted(sk, lk, "left"), np.searchsorted(sk, lk, "right")
    found = b > a
    pick = a + (rng.random(len(lk)) * np.maximum(b - a, 1)).astype(np.int64)
    return np.where(found, order[np.minimum(pick, len(order) - 1)], -1)


def _self_lookup(col: dsl.Column, frame: Frame, column: str) -> np.ndarray:
    """Another row of the same table (e.g. manager_id): never the row itself; the first row has none."""
    target = frame.node.column(column)
    if target is None or target.generator.sequence is None or frame.global_index is None:
        raise GenerationError(f"{frame.node.id}.{col.name}: a self-lookup must read a sequence column of an entity")
    i = frame.global_index
    rng = frame.rng(col.name)
    # an earlier row (a hierarchy without cycles); the first row points nowhere (null) or to a later row
    j = (rng.random(frame.n) * np.maximum(i, 1)).astype(np.int64)
    first = i == 0
    if first.any():
        if col.nullable:
            frame.nulls[col.name] = first
        else:
            j = np.where(first, 1, j)
    s = target.generator.sequence
    return s.start + j * s.step


def gen_faker(col: dsl.Column, frame: Frame) -> Any:
    spec = col.generator.faker
    method, n, rng = spec.method, frame.n, frame.rng(col.name)
    if method == "uuid4":
        return faker_pools.uuid4(rng, n)
    if method in ("bothify", "numerify"):
        index = frame.global_index if frame.global_index is not None else np.arange(n) + frame.chunk * 10**9
        unique = col.name == frame.node.pk
        if unique and faker_pools.template_capacity(spec.text or "") < 10**9 + n:
            unique = unique and frame.global_index is not None
        return faker_pools.template(spec.text or "", index, rng, unique)
    if method == "ipv4":
        octets = rng.integers(1, 255, (n, 4)).astype(str)
        return pa.array(np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(np.char.add(
            octets[:, 0], "."), octets[:, 1]), "."), octets[:, 2]), "."), octets[:, 3]), type=pa.string())
    if method in ("latitude", "longitude"):
        lim = 90.0 if method == "latitude" else 180.0
        vals = np.round(rng.uniform(-lim, lim, n), 6)
        return vals if col.type in ("float", "int") else pa.array(vals.astype(str), type=pa.string())
    if method == "email":
        return _email(col, frame, rng)
    locales = _row_locales(spec, frame)
    pool_method = "first_name" if method == "name" else method
    out = _sample_pool(col, frame, pool_method, locales, rng, "first" if method in ("name", "first_name") else "last")
    if method == "name":
        last = _sample_pool(col, frame, "last_name", locales, frame.rng(col.name, "last"), "last")
        return pc.binary_join_element_wise(out, last, " ")
    if method == "date_of_birth" and col.type in ("date", "datetime"):
        return pc.cast(pc.strptime(out, format="%Y-%m-%d", unit="us"), pa.int64()).to_numpy()
    return out


def _row_locales(spec: dsl.FakerGen, frame: Frame) -> np.ndarray | str:
    if spec.locale_from is None:
        return faker_pools.normalize_locale(spec.locale)
    raw = as_numpy(frame.values[spec.locale_from]).astype(str)
    uniq, inv = np.unique(raw, return_inverse=True)
    return np.array([faker_pools.locale_for(u) for u in uniq], dtype=object)[inv]


def _sample_pool(col: dsl.Column, frame: Frame, method: str, locales: np.ndarray | str,
                 rng: np.random.Generator, slug_key: str) -> pa.Array:
    n = frame.n
    idx = rng.integers(0, faker_pools.POOL_SIZE, n)
    groups = [(locales, None)] if isinstance(locales, str) else [(loc, locales == loc) for loc in np.unique(locales)]
    values, slugs = None, None
    for loc, mask in groups:
        pool = faker_pools.build_pool(method, loc, small_seed(frame.seed, frame.node.id, col.name, method, loc))
        if mask is None:
            values = pool.values.take(pa.array(idx))
            slugs = pool.slugs.take(pa.array(idx)) if pool.slugs is not None else None
            break
        part_idx = np.where(mask, idx, 0)
        part = pool.values.take(pa.array(part_idx))
        values = part if values is None else pc.if_else(pa.array(mask), part, values)
        if pool.slugs is not None:
            ps = pool.slugs.take(pa.array(part_idx))
            slugs = ps if slugs is None else pc.if_else(pa.array(mask), ps, slugs)
    if slugs is not None:
        frame.slugs[slug_key] = slugs
    return values


def _email(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """first.last<digits>@domain from the row's own name columns when the table has them (emails agree with
    names); otherwise from a seeded name pool."""
    n = frame.n
    first, last = frame.slugs.get("first"), frame.slugs.get("last")
    if first is None or last is None:
        pool = faker_pools.build_pool("first_name", "en", small_seed(frame.seed, frame.node.id, col.name, "f"))
        pool_l = faker_pools.build_pool("last_name", "en", small_seed(frame.seed, frame.node.id, col.name, "l"))
        first = pool.slugs.take(pa.array(rng.integers(0, faker_pools.POOL_SIZE, n)))
        last = pool_l.slugs.take(pa.array(rng.integers(0, faker_pools.POOL_SIZE, n)))
    style = rng.integers(0, 4, n)
    digits = pa.array(rng.integers(1, 999, n).astype(str))
    sep = pa.array(np.array([".", "_", "", "."])[style])
    local = pc.binary_join_element_wise(first, last, sep)
    with_digits = pc.binary_join_element_wise(local, digits, "")
    # a row number keeps most emails distinct; the digits mimic real handles
    local = pc.if_else(pa.array(style >= 2), with_digits, local)
    if frame.global_index is not None or col.name == frame.node.pk:
        suffix = pa.array((frame.global_index if frame.global_index is not None else np.arange(n)).astype(str))
        local = pc.if_else(pa.array(style == 3), pc.binary_join_element_wise(local, suffix, ""), local)
    domains = faker_pools.email_domains()
    dom = domains.take(pa.array(rng.integers(0, len(domains), n)))
    return pc.binary_join_element_wise(local, dom, "@")


GENERATORS = {
    "sequence": gen_sequence, "choice": gen_choice, "distribution": gen_distribution,
    "datetime_series": gen_datetime, "faker": gen_faker, "lookup": gen_lookup, "expression": gen_expression,
    "enum_list": gen_enum_list, "diffusion_curve": gen_diffusion,
}
