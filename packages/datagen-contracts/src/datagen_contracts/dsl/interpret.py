"""How a schema's compact notations read, for every stage: timestamps, ``weights_kind``, the segment
column of a flat segment block, which tables a table needs first, and the mean of a clamped Poisson fanout."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

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
