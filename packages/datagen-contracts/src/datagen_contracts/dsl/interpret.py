"""How a schema's compact notations read, for every stage: timestamps, ``weights_kind``, the segment
column of a flat segment block, which tables a table needs first — and the figures a declaration implies about
the data generated from it: the mean children per parent of a ``fanout`` (with the clamped Poisson and clipped
normal means it rests on), a parent's segment multipliers, and the window a generated time column draws from.

Written once for every reader: datagen-core plans and generates to these figures, and
:mod:`~datagen_contracts.dsl.semantics` hands them to the stages that check data (``datagen validate``,
datacruncher). The figure functions take the typed struct or its JSON form (a reader of older data has only that).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import msgspec

from .generators import EffectModifier
from .nodes import Node
from .schema import Schema

ZIPF = re.compile(r"^zipf@([0-9.]+)$")
HEAD_TAIL = re.compile(r"^head_tail@\{\s*([0-9.]+)\s*,\s*([0-9.]+)\s*\}$")


def parse_timestamp(text: str) -> datetime | None:
    """ISO-8601 date or datetime (``Z`` allowed) as a naive UTC datetime; ``None`` when it does not parse.

    >>> parse_timestamp("2024-01-01T00:00:00Z"), parse_timestamp("2024-02-30")
    (datetime.datetime(2024, 1, 1, 0, 0), None)
    """
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, TypeError, AttributeError):
        try:
            value = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except (ValueError, TypeError, AttributeError):
            return None
    if value.tzinfo is not None:

        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def parse_weights_kind(text: str) -> tuple[str, tuple[float, ...]] | None:
    """``uniform`` | ``zipf@α`` | ``head_tail@{h,α}`` → (kind, params); ``None`` when malformed.

    >>> parse_weights_kind("head_tail@{0.6,1.5}"), parse_weights_kind("zipf@1.5"), parse_weights_kind("zipf")
    (('head_tail', (0.6, 1.5)), ('zipf', (1.5,)), None)
    """
    if text == "uniform":
        return ("uniform", ())
    if m := ZIPF.match(text):
        return ("zipf", (float(m.group(1)),))
    if m := HEAD_TAIL.match(text):
        return ("head_tail", (float(m.group(1)), float(m.group(2))))
    return None


def kind_weights(text: str, n: int) -> list[float] | None:
    """The normalized weights a ``weights_kind`` gives ``n`` choices (rank 1 first); ``None`` when malformed.

    zipf@α: ∝ 1/rank^α; head_tail@{h,α}: the first max(1, ⌊0.2n⌋) choices share h equally, the rest share 1−h
    as Zipf(α); uniform: equal.

    >>> [round(w, 3) for w in kind_weights("zipf@1", 3)], [round(w, 3) for w in kind_weights("head_tail@{0.6,1}", 5)]
    ([0.545, 0.273, 0.182], [0.6, 0.156, 0.104, 0.078, 0.062])
    """
    parsed = parse_weights_kind(text)
    if parsed is None or n <= 0:
        return None
    kind, params = parsed
    if kind == "zipf":
        w = [1.0 / r ** params[0] for r in range(1, n + 1)]
    elif kind == "head_tail":
        head = max(1, int(0.2 * n))
        tail = [1.0 / r ** params[1] for r in range(head + 1, n + 1)]
        w = [params[0] / head] * head + [(1 - params[0]) * t / sum(tail) for t in tail]
    else:
        w = [1.0] * n
    total = sum(w)
    return [x / total for x in w]


def infer_segment_column(node: Node) -> str | None:
    """For the flat segment shape: the choice column whose choices include every named segment."""
    sb = node.segment_behavior
    if sb is None:
        return None
    if sb.segment_column is not None:
        return sb.segment_column
    names = set(sb.behaviors or {}) | set(sb.segments or {})
    for col in node.columns:
        ch = col.generator.choice
        if ch is not None and ch.choices is not None and names <= {str(c) for c in ch.choices}:
            return col.name
    return None


def dependencies(schema: Schema) -> dict[str, set[str]]:
    """Which tables each table needs generated first (parents, lookups, choices_ref, effect tables)."""
    deps: dict[str, set[str]] = {}
    for node in schema.nodes:
        need = set(node.parents)
        for col in node.columns:
            g = col.generator
            if g.lookup is not None:
                need.add(g.lookup.from_.partition(".")[0])
            if g.choice is not None and g.choice.choices_ref:
                need.add(g.choice.choices_ref.partition(".")[0])
            for mod in col.modifiers:
                if isinstance(mod, EffectModifier):
                    need.add(mod.args.effect_table)
        for mod in node.modifiers:
            if isinstance(mod, EffectModifier):
                need.add(mod.args.effect_table)
        need.discard(node.id)  # a self-lookup (manager_id) is generated within the table
        deps[node.id] = need
    return deps


def clamped_poisson_mean(lam: float, lo: float | None = None, hi: float | None = None) -> float:
    """E[clip(X, lo, hi)] for X ~ Poisson(lam): what a fanout with ``min``/``max`` gives per parent on average.

    >>> round(clamped_poisson_mean(3, 1, 10), 4), clamped_poisson_mean(8), clamped_poisson_mean(1e8, 0, 1e9)
    (3.0494, 8.0, 100000000.0)
    """
    if lam <= 0:
        low = max(lo or 0.0, 0.0)
        return float(low if hi is None else min(low, hi))
    return clipped_poisson_affine_mean(lam, 1.0, 0.0, -math.inf if lo is None else lo, math.inf if hi is None else hi)


def clipped_poisson_affine_mean(lam: float, scale: float, shift: float, lo: float, hi: float) -> float:
    """E[clip(scale·K + shift, lo, hi)] for K ~ Poisson(lam) (a Poisson distribution's values, scaled, shifted and
    clamped), summed over the pmf where it is not negligible (±12σ); bounds outside that span do not clip.

    >>> round(clipped_poisson_affine_mean(1.4, 1.0, 1.0, 1.0, 20.0), 3)
    2.4
    """
    if lam <= 0:
        return float(min(max(shift, lo), hi))
    spread = 12.0 * math.sqrt(lam) + 12.0  # beyond ±12σ the pmf is below 1e-30
    k_lo, k_hi = max(0, math.floor(lam - spread)), math.ceil(lam + spread)
    ends = sorted((scale * k_lo + shift, scale * k_hi + shift))
    if lo <= ends[0] and hi >= ends[1]:
        return float(scale * lam + shift)
    ks = range(k_lo, k_hi + 1)
    log_lam = math.log(lam)
    pmf = [math.exp(k * log_lam - lam - math.lgamma(k + 1.0)) for k in ks]
    return sum(min(max(scale * k + shift, lo), hi) * p for k, p in zip(ks, pmf, strict=True)) / sum(pmf)


def clipped_normal_mean(mu: float, sd: float, lo: float, hi: float) -> float:
    """E[clip(X, lo, hi)] for X ~ N(mu, sd): a normal distribution's mean after ``clamp``.

    >>> round(clipped_normal_mean(0.0, 1.0, 0.0, math.inf), 4)  # E[max(X, 0)] = φ(0)
    0.3989
    """
    if sd <= 0:
        return min(max(mu, lo), hi)
    a, b = (lo - mu) / sd, (hi - mu) / sd
    fa, fb = (_normal_cdf(a) if lo > -math.inf else 0.0), (_normal_cdf(b) if hi < math.inf else 1.0)
    pa, pb = (_normal_pdf(a) if lo > -math.inf else 0.0), (_normal_pdf(b) if hi < math.inf else 0.0)
    low = lo * fa if lo > -math.inf else 0.0
    high = hi * (1 - fb) if hi < math.inf else 0.0
    return low + high + mu * (fb - fa) + sd * (pa - pb)


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _normal_pdf(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def as_mapping(value: Any) -> Mapping[str, Any]:
    """A struct as its JSON form (a mapping as it is; anything else as an empty mapping)."""
    if isinstance(value, msgspec.Struct):
        value = msgspec.to_builtins(value)
    return value if isinstance(value, Mapping) else {}


def _num(spec: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        value = spec.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def fanout_mean(fanout: Any, multiplier: float = 1.0) -> tuple[float, bool]:
    """Expected children per parent row under ``fanout`` (a ``Fanout`` or its JSON form; None: one child), times
    ``multiplier``, and whether that figure is exact for the declared shape.

    - ``poisson``: the mean of Poisson(λ·m) clamped to ``[min, max]`` — exact;
    - ``uniform``: ``(min + max) / 2 · m`` — exact when ``min`` is given (else 0 is assumed);
    - ``negative_binomial`` / ``lognormal`` / ``zipf``, or a ``dormant`` share: a mixture of mean λ·m — exact
      when nothing clamps it; a clamp is approximated by clamping the mean.

    >>> fanout_mean({"distribution": "poisson", "lambda": 3.0})
    (3.0, True)
    >>> fanout_mean({"distribution": "uniform", "min": 1, "max": 5}, 2.0)
    (6.0, True)
    >>> fanout_mean({"distribution": "zipf", "lambda": 4.0, "max": 3})
    (3.0, False)
    >>> fanout_mean(None, 1.5)
    (1.5, True)
    """
    if fanout is None:
        return 1.0 * multiplier, True
    spec = as_mapping(fanout)
    lo, hi = _num(spec, "min"), _num(spec, "max")
    clamp = spec.get("clamp")
    if isinstance(clamp, list) and len(clamp) == 2:  # the tolerant JSON form's [min, max]
        lo, hi = _num({"v": clamp[0]}, "v"), _num({"v": clamp[1]}, "v")
    lam = _num(spec, "lambda", "lam", "mean")
    kind = spec.get("distribution", "poisson")
    if kind == "uniform":
        low = lo if lo is not None else 0.0
        return (low + (hi if hi is not None else low)) / 2.0 * multiplier, lo is not None
    if kind != "poisson" or spec.get("dormant"):
        mean = (lam or 0.0) * multiplier
        clamped = max(mean, lo or 0.0) if hi is None else min(max(mean, lo or 0.0), hi)
        return clamped, lam is not None and lo is None and hi is None
    return clamped_poisson_mean((lam or 0.0) * multiplier, lo, hi), lam is not None


def segment_multipliers(parent: Any) -> tuple[str | None, dict[str, float]]:
    """A parent node's segment column and the fanout multiplier of each segment (the canonical ``behaviors`` shape
    or the flat one); ``(None, {})`` without segment behaviour. The flat shape names no column: it is the choice
    column whose choices include every segment.

    >>> segment_multipliers({"segment_behavior": {"segment_column": "tier", "behaviors": {
    ...     "gold": {"fanout_multiplier": 2}, "free": {"value_multiplier": 1.5}}}})
    ('tier', {'gold': 2.0})
    """
    node = as_mapping(parent)
    sb = node.get("segment_behavior")
    if not isinstance(sb, Mapping):
        return None, {}
    behaviors = sb.get("behaviors")
    if not isinstance(behaviors, Mapping):
        behaviors = {k: v for k, v in sb.items() if isinstance(v, Mapping) and k != "segments"}
    mult = {str(k): float(v["fanout_multiplier"]) for k, v in behaviors.items()
            if isinstance(v, Mapping) and _num(v, "fanout_multiplier") is not None}
    column = sb.get("segment_column") if isinstance(sb.get("segment_column"), str) else None
    if column is None and mult:
        for col in node.get("columns") or []:
            choice = as_mapping(as_mapping(as_mapping(col).get("generator")).get("choice"))
            if isinstance(choice.get("choices"), list) and set(mult) <= {str(c) for c in choice["choices"]}:
                column = str(col.get("name"))
                break
    return column, mult


def column_window(column: Any, timeframe: tuple[datetime, datetime] | None) -> tuple[datetime, datetime] | None:
    """The window a generated time column draws from: its generator's explicit ``within: {start, end}``, else
    ``timeframe``; None when the explicit window does not parse.

    >>> col = {"name": "t", "generator": {"datetime_series": {"within": {"start": "2024-03-01", "end": "2024-04-01"}}}}
    >>> column_window(col, (datetime(2024, 1, 1), datetime(2025, 1, 1)))[0]
    datetime.datetime(2024, 3, 1, 0, 0)
    """
    within = explicit_within(column)
    if within is None:
        return timeframe
    start, end = parse_timestamp(str(within.get("start"))), parse_timestamp(str(within.get("end")))
    return (start, end) if start is not None and end is not None else None


def explicit_within(column: Any) -> Mapping[str, Any] | None:
    """The ``within: {start, end}`` of a ``datetime_series`` or ``diffusion_curve`` generator, if it names one."""
    gen = as_mapping(as_mapping(column).get("generator"))
    for kind in ("datetime_series", "diffusion_curve"):
        within = as_mapping(gen.get(kind)).get("within")
        if isinstance(within, Mapping):
            return within
    return None


def time_generated(column: Any) -> bool:
    """Whether the column is drawn by a time generator (``datetime_series`` or ``diffusion_curve``)."""
    gen = as_mapping(as_mapping(column).get("generator"))
    return any(isinstance(gen.get(kind), Mapping) for kind in ("datetime_series", "diffusion_curve"))
