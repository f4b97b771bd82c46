"""Realism checks: a column whose generator varies is not constant by accident."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from datagen_contracts import dsl

from ..planning.means import choice_shares
from .reading import ValidationContext, collect
from .report import Check, as_json_value, category, result, skipped

#: a choice column is only called "constant by accident" when a constant draw was this unlikely
CONSTANT_CHANCE = 1e-6


def _variation(col: dsl.Column) -> str | None:
    """How a generator varies: "varies", "choice" (depends on the shares), "constant", or None (unknown)."""
    g = col.generator
    if g.lookup is not None or g.expression is not None or (g.choice is not None and g.choice.choices is None):
        return None
    if g.choice is not None:
        return "choice"
    if g.enum_list is not None:
        return "constant" if len(set(map(str, g.enum_list.values))) <= 1 else "varies"
    if g.distribution is not None:
        d, p = g.distribution, g.distribution.params
        if d.clamp is not None and len(d.clamp) == 2 and d.clamp[0] == d.clamp[1]:
            return "constant"
        if isinstance(p, dsl.NormalParams):
            spread = p.std
        elif isinstance(p, dsl.LognormalParams):
            spread = p.sigma
        elif isinstance(p, dsl.UniformParams):
            spread = p.high - p.low
        elif isinstance(p, dsl.PoissonParams):
            spread = p.lam
        else:
            spread = p.scale
        return "constant" if spread <= 0 else "varies"
    return "varies"  # sequence, datetime_series, faker, diffusion_curve


@category("realism")
def check_not_constant(ctx: ValidationContext) -> Iterator[Check]:
    """A column whose generator varies must not hold a single value (all-null columns are left to nullability)."""
    by_table: dict[str, list[dsl.Column]] = {}
    for node, col in ctx.node_columns():
        variation = _variation(col)
        if variation in (None, "constant") or any(isinstance(m, dsl.MapValuesModifier) for m in col.modifiers):
            continue
        if node.stage_config or node.state_transition_model:
            continue  # the engine rewrites state/stage columns
        if ctx.has(node.id, col.name):
            by_table.setdefault(node.id, []).append(col)
    for table, cols in by_table.items():
        exprs = []
        for c in cols:
            v = pl.col(c.name)
            if c.type == "bool":
                v = v.cast(pl.Int8)
            exprs += [v.min().alias(f"{c.name}\x00min"), v.max().alias(f"{c.name}\x00max"),
                      v.count().alias(f"{c.name}\x00n")]
        df = collect(ctx.scan(table).select(exprs))
        for c in cols:
            n = int(df[f"{c.name}\x00n"][0])
            lo, hi = df[f"{c.name}\x00min"][0], df[f"{c.name}\x00max"][0]
            target = f"{table}.{c.name}"
            if c.generator.choice is not None:
                shares = [s for s in choice_shares(c.generator.choice).values() if s > 0]
                chance = sum(s ** n for s in shares) if n else 1.0
            else:
                chance = 0.0 if n >= 2 else 1.0
            if chance > CONSTANT_CHANCE:
                yield skipped("realism", "not_constant", target, f"a constant is plausible at {n} values")
                continue
            constant = lo == hi
            yield result("realism", "not_constant", target, not constant, measured=[as_json_value(lo), as_json_value(hi)],
                         expected="at least two distinct values", rows=n, failing_rows=n if constant else 0)
