"""One function per generator kind: ``(column, frame) -> values`` for one chunk, vectorized.

Numbers and times are numpy arrays (times as int64 µs), strings pyarrow arrays (sampled from pools by index).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen_contracts import dsl
from datagen_contracts._dsl_rules import kind_weights

from .. import faker_pools, vocabulary
from ..arrays import from_numpy, indices, strings, text, to_numpy
from ..behaviours import vintage
from ..effects import window_factor
from ..expression import evaluate
from ..frame import Frame
from ..intervals import parent_bounds
from ..rng import small_seed
from ..store import as_numpy
from ..timestamps import DAY, HOUR, SlotSampler, ceil_to, floor_to, freq_step, snap, to_us
from . import lookups


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
    spec = col.generator.datetime_series
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
    curves = vintage.fanout_curves(frame.schema.node(frame.node.parents[0]).vintage_behavior)
    decay = None if frame.primary.decay is None else frame.primary.decay[frame.parent_idx]
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
        from ..references import pick_weighted

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
    return _diffusion_draw(col, start, end, lo, hi, frame.rng(col.name).random(frame.n))


def _diffusion_draw(col: dsl.Column, start: int, end: int, lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    spec = col.generator.diffusion_curve
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
        self.values, self.cache = values, {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.cache:
            self.cache[name] = as_numpy(self.values[name])
        return self.cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def gen_expression(col: dsl.Column, frame: Frame) -> np.ndarray:
    out = evaluate(col.generator.expression.code, _Columns(frame.values))
    out = np.broadcast_to(np.asarray(out), (frame.n,)).copy()
    if col.type == "string":  # numbers through arrow's cast; anything else (rare) through Python strings
        return pc.cast(from_numpy(out), pa.string()) if out.dtype.kind in "biuf" else strings(out.astype(str).tolist())
    if col.type == "bool":
        return out.astype(bool)
    return out.astype(np.float64) if col.type in ("int", "float") else out.astype(np.int64)


def gen_faker(col: dsl.Column, frame: Frame) -> Any:
    spec = col.generator.faker
    method, n, rng = spec.method, frame.n, frame.rng(col.name)
    if method == "uuid4":
        return faker_pools.uuid4(rng, n)
    if method in ("bothify", "numerify"):
        return _template(col, frame, rng)
    if method == "ipv4":
        return faker_pools.ipv4(rng, n)
    if method in ("latitude", "longitude"):
        lim = 90.0 if method == "latitude" else 180.0
        vals = np.round(rng.uniform(-lim, lim, n), 6)
        return vals if col.type in ("float", "int") else pc.cast(from_numpy(vals), pa.string())
    if method in EMAILS:
        return _email(col, frame, rng, EMAILS[method])
    if method == "user_name" and frame.is_unique(col.name):
        return _unique_handle(col, frame, rng)
    if method == "user_name":
        return _handle(col, frame, rng)
    if method in vocabulary.COMPOSERS or method in ("sentence", "paragraph", "text"):
        return _to_column(col, frame, _composed(col, frame, rng))
    if method in LOCALE_COMPOSERS:
        locales = _row_locales(spec, frame)
        probes = [LOCALE_COMPOSERS[method](rng, 0, loc) for loc in ([locales] if isinstance(locales, str) else np.unique(locales))]
        if all(m is not None for m in probes):  # every locale has its masks / street lists (zero rows: no draws)
            return _per_locale(frame, locales, lambda k, loc: LOCALE_COMPOSERS[method](rng, k, loc))
    if method not in faker_pools.CALLS:  # the rest of Faker's vocabulary: seeded Faker pools
        return _to_column(col, frame, _sample_pool(col, frame, method, _row_locales(spec, frame), rng, "", faker=True))
    if frame.is_unique(col.name) and method != "uuid4":
        frame.notes.append(f"{col.name}: faker {method!r} draws from a pool and cannot promise the declared "
                           "uniqueness (unique by construction: email, user_name, bothify/numerify, uuid4)")
    locales = _row_locales(spec, frame)
    pool_method = "first_name" if method == "name" else method
    out = _sample_pool(col, frame, pool_method, locales, rng, "first" if method in ("name", "first_name") else "last")
    if method == "name":
        last = _sample_pool(col, frame, "last_name", locales, frame.rng(col.name, "last"), "last")
        return pc.binary_join_element_wise(out, last, text(" "))
    if method == "date_of_birth" and col.type in ("date", "datetime"):
        return pc.cast(pc.strptime(out, format="%Y-%m-%d", unit="us"), pa.int64()).to_numpy()
    return out


def _template(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """A bothify/numerify template; declared unique, it encodes the row number (a bijection), so values repeat
    only past the template's capacity (warned). A fact's row numbers are known when its chunks are assembled: the
    engine fills the template then (``Frame.templates``) unless another column of the row reads the value."""
    from .order import read_in_row

    text_ = col.generator.faker.text or ""
    if not frame.is_unique(col.name):
        return faker_pools.template(text_, frame.row_ids(), rng, False)
    if frame.global_index is None and not read_in_row(frame.schema, frame.node, col.name):
        frame.templates[col.name] = text_  # the values below stand in for the chunk; the engine writes the final ones
    elif int(frame.row_ids().max(initial=-1)) >= faker_pools.template_capacity(text_):
        frame.notes.append(f"{col.name}: the template {text_!r} has fewer combinations than rows: values repeat")
    return faker_pools.template(text_, frame.row_ids(), rng, True)


def _row_locales(spec: dsl.FakerGen, frame: Frame) -> np.ndarray | str:
    if spec.locale_from is None:
        return faker_pools.normalize_locale(spec.locale)
    raw = as_numpy(frame.values[spec.locale_from]).astype(str)
    uniq, inv = np.unique(raw, return_inverse=True)
    return np.array([faker_pools.locale_for(u) for u in uniq], dtype=object)[inv]


#: email-like methods -> the domains they use ("any": free-mail and company domains mixed)
EMAILS = {"email": "any", "ascii_email": "any", "free_email": "free", "ascii_free_email": "free",
          "company_email": "company", "ascii_company_email": "company", "safe_email": "safe",
          "ascii_safe_email": "safe"}
#: composed from the locale's masks and street lists (None from the composer: the locale has none, use the pool)
LOCALE_COMPOSERS = {"phone_number": vocabulary.phone_numbers, "street_address": vocabulary.street_addresses,
                    "ssn": vocabulary.us_ssn}


def _per_locale(frame: Frame, locales: np.ndarray | str, make: Any) -> pa.Array:
    """``make(n, locale)`` for each locale group of rows, placed back in row order."""
    if isinstance(locales, str):
        return make(frame.n, locales)
    out = None
    for loc in np.unique(locales):
        rows = np.nonzero(locales == loc)[0]
        out = vocabulary.scatter(out, frame.n, rows, make(len(rows), loc))
    return out


def _composed(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """A composed method (check digits, hashes, addresses, text from word pools), per locale group of rows."""
    spec = col.generator.faker

    def make(n: int, loc: str) -> pa.Array:
        if spec.method in vocabulary.COMPOSERS:
            return vocabulary.COMPOSERS[spec.method](rng, n, loc, spec.args or {})
        words = faker_pools.build_pool("word", loc, small_seed(frame.seed, frame.node.id, col.name, "word", loc))
        shape = {"sentence": (1, 1), "paragraph": (3, 6), "text": (2, 4)}[spec.method]
        return vocabulary.compose_text(words.values, rng, n, shape)

    return _per_locale(frame, _row_locales(spec, frame), make)


def _to_column(col: dsl.Column, frame: Frame, values: pa.Array) -> Any:
    """A pool's or composer's values as the column's type (numbers and times as numpy, nulls into the mask)."""
    if values.null_count:
        frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | (to_numpy(values.is_null()) == True)  # noqa: E712
    if col.type == "string":
        return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    # through the buffers (pyarrow's fill_null and to_numpy of nullable arrays import pandas); nulls are masked
    if col.type in ("date", "datetime"):
        if pa.types.is_string(values.type):
            values = pc.cast(values, pa.timestamp("us"))
        return np.nan_to_num(to_numpy(pc.cast(pc.cast(values, pa.timestamp("us")), pa.int64())).astype(np.float64)).astype(np.int64)
    if col.type == "bool":
        return to_numpy(pc.cast(values, pa.bool_())) == True  # noqa: E712 - None (null) is False
    return np.nan_to_num(to_numpy(pc.cast(values, pa.float64())).astype(np.float64))


def _sample_pool(col: dsl.Column, frame: Frame, method: str, locales: np.ndarray | str,
                 rng: np.random.Generator, slug_key: str, faker: bool = False) -> pa.Array:
    n = frame.n
    idx = rng.integers(0, faker_pools.POOL_SIZE, n)
    groups = [(locales, None)] if isinstance(locales, str) else [(loc, locales == loc) for loc in np.unique(locales)]
    values, slugs = None, None
    args = json.dumps(col.generator.faker.args or {}, sort_keys=True, default=str)
    for loc, mask in groups:
        seed = small_seed(frame.seed, frame.node.id, col.name, method, loc)
        pool = (faker_pools.Pool(vocabulary.faker_pool(method, loc, seed, args, now_us=int(frame.timeframe[1])))
                if faker
                else faker_pools.build_pool(method, loc, seed))
        if mask is None:
            values = pool.values.take(indices(idx))
            slugs = pool.slugs.take(indices(idx)) if pool.slugs is not None else None
            break
        part_idx = np.where(mask, idx, 0)
        part = pool.values.take(indices(part_idx))
        values = part if values is None else pc.if_else(from_numpy(mask), part, values)
        if pool.slugs is not None:
            ps = pool.slugs.take(indices(part_idx))
            slugs = ps if slugs is None else pc.if_else(from_numpy(mask), ps, slugs)
    if slugs is not None:
        frame.slugs[slug_key] = slugs
    return values


def _email(col: dsl.Column, frame: Frame, rng: np.random.Generator, domains: str = "any") -> pa.Array:
    """first.last<digits>@domain from the row's own name columns when the table has them (emails agree with
    names); otherwise from a seeded name pool. Domains: free-mail providers by their shares and a long tail of
    company domains (``any``), one kind only (``free``, ``company``), or ``example.com/org/net`` (``safe``)."""
    local = _local_parts(col, frame, rng)
    n, spec = frame.n, col.generator.faker
    seed = small_seed(frame.seed, frame.node.id, col.name, "domains")
    if domains == "safe":
        dom = strings(["example.com", "example.org", "example.net"]).take(indices(rng.integers(0, 3, n)))
    else:
        def make(k: int, loc: str) -> pa.Array:
            if domains == "company":
                return vocabulary.company_domains(rng, k, loc, seed)
            return vocabulary.free_domains(rng, k, loc) if domains == "free" else vocabulary.email_domains(rng, k, loc, seed)
        dom = _per_locale(frame, _row_locales(spec, frame), make)
    return pc.binary_join_element_wise(*local, text("@"), dom, text(""), null_handling="skip")


def _handle(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """A user name: the local part of an email (``ann.lee``, ``ann_lee``, ``annlee482``) — mostly distinct."""
    return pc.binary_join_element_wise(*_local_parts(col, frame, rng), text(""), null_handling="skip")


def _local_parts(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> list[pa.Array]:
    """first.last / first_last / firstlast<digits> / first.last<digits><row> from the row's own name columns
    when the table has them, otherwise from seeded name pools; declared unique, unique by construction."""
    n = frame.n
    first, last = frame.slugs.get("first"), frame.slugs.get("last")
    if first is None or last is None:
        pool = faker_pools.build_pool("first_name", "en", small_seed(frame.seed, frame.node.id, col.name, "f"))
        pool_l = faker_pools.build_pool("last_name", "en", small_seed(frame.seed, frame.node.id, col.name, "l"))
        first = pool.slugs.take(indices(rng.integers(0, faker_pools.POOL_SIZE, n)))
        last = pool_l.slugs.take(indices(rng.integers(0, faker_pools.POOL_SIZE, n)))
    style = rng.integers(0, 4, n)  # 0 first.last, 1 first_last, 2 firstlast<digits>, 3 first.last<digits><row>
    number = rng.integers(1, 999, n)
    sep = strings([".", "_", "", "."]).take(indices(style))
    if frame.is_unique(col.name):
        first, last, number = _unique_parts(first, last, frame, rng)
        tail = pc.cast(from_numpy(number), pa.string())
    else:
        if frame.global_index is not None:
            # a row number keeps most emails distinct: appending its digits is arithmetic (no leading zeros)
            row = frame.global_index
            width = 1 + np.searchsorted(10 ** np.arange(1, 19, dtype=np.int64), row, side="right")
            number = np.where(style == 3, number * 10**width + row, number)
        tail = pc.cast(from_numpy(number, mask=style < 2), pa.string())  # arrow's int→string: ~20× numpy's
    return [first, sep, last, tail]  # joined once with what follows (a null tail is skipped)


def _unique_parts(first: pa.Array, last: pa.Array, frame: Frame,
                  rng: np.random.Generator) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Name slugs without digits and a number ``row·100 + r`` (r random in 0‥99): the local part is letters
    then exactly that number, so two rows can never share it — declared-unique emails and handles stay unique
    across chunks and workers with no global set."""
    first = pc.replace_substring_regex(first, "[0-9]", "")
    last = pc.replace_substring_regex(last, "[0-9]", "")
    return first, last, frame.row_ids() * 100 + rng.integers(0, 100, frame.n) + 1


def _unique_handle(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """A declared-unique user name: ``first_last<number>`` / ``firstlast<number>`` (see ``_unique_parts``)."""
    n = frame.n
    pool = faker_pools.build_pool("first_name", "en", small_seed(frame.seed, frame.node.id, col.name, "f"))
    pool_l = faker_pools.build_pool("last_name", "en", small_seed(frame.seed, frame.node.id, col.name, "l"))
    first, last = frame.slugs.get("first"), frame.slugs.get("last")
    if first is None or last is None:
        first = pool.slugs.take(indices(rng.integers(0, faker_pools.POOL_SIZE, n)))
        last = pool_l.slugs.take(indices(rng.integers(0, faker_pools.POOL_SIZE, n)))
    first, last, number = _unique_parts(first, last, frame, rng)
    sep = strings(["_", "", "."]).take(indices(rng.integers(0, 3, n)))
    return pc.binary_join_element_wise(first, sep, last, pc.cast(from_numpy(number), pa.string()), text(""))


GENERATORS = {
    "sequence": gen_sequence, "choice": gen_choice, "distribution": gen_distribution,
    "datetime_series": gen_datetime, "faker": gen_faker, "lookup": lookups.gen_lookup, "expression": gen_expression,
    "enum_list": gen_enum_list, "diffusion_curve": gen_diffusion,
}
