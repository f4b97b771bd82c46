"""The order a table's columns are generated in, and which columns read which (the output keeps the declared
order).

>>> from datagen_contracts import dsl
>>> col = lambda name, **g: dsl.Column(name=name, type="int", generator=dsl.Generator(**g))
>>> node = dsl.Node(id="call", columns=[
...     col("zone", choice=dsl.ChoiceGen(choices=["A", "B"])),
...     dsl.Column(name="called", type="datetime", generator=dsl.Generator(datetime_series=dsl.DatetimeSeriesGen())),
...     col("ended", expression=dsl.ExpressionGen(code="called + 5")),
...     col("promo_id", lookup=dsl.LookupGen(from_="promo.promo_id", on={"zone": "zone"}))])
>>> [c.name for c in column_order(node)]  # the lookup may move `called`: `ended` follows it
['called', 'zone', 'promo_id', 'ended']
"""

from __future__ import annotations

import ast
import contextlib

from datagen_contracts import dsl

from ..errors import required
from .intervals import ordered_pairs
from .references import creation_column


def reads(node: dsl.Node, col: dsl.Column) -> set[str]:
    """Columns of ``node`` that ``col`` reads while it is generated: an expression's names, ``on`` keys of a
    lookup or an effect, a locale source, a trend's time reference."""
    out: set[str] = set()
    g = col.generator
    if g.expression is not None:
        with contextlib.suppress(SyntaxError):  # reported when the expression runs
            out |= {n.id for n in ast.walk(ast.parse(g.expression.code, mode="eval")) if isinstance(n, ast.Name)}
    if g.lookup is not None:
        out |= set(g.lookup.on or {})
    if g.faker is not None and g.faker.locale_from:
        out.add(g.faker.locale_from)
    for m in col.modifiers:
        if isinstance(m, dsl.EffectModifier):
            out |= set(m.args.on)
        if isinstance(m, dsl.TrendModifier) and m.args.time_reference:
            out.add(m.args.time_reference)
    return {n for n in out if n != col.name and node.column(n) is not None}


def read_in_row(schema: dsl.Schema, node: dsl.Node, name: str) -> bool:
    """Whether another column of ``node`` (or a table-level effect, or an ordered pair) reads column ``name``
    while the chunk is generated."""
    if any(name in reads(node, c) for c in node.columns):
        return True
    if any(isinstance(m, dsl.EffectModifier) and name in m.args.on for m in node.modifiers):
        return True
    return any(name in (p.early, p.late) for p in ordered_pairs(schema, node))


def _needs(node: dsl.Node, col: dsl.Column) -> list[dsl.Column]:
    """``col`` after every column it reads, directly or not, in declared order (None on a cycle)."""
    seen: set[str] = set()
    todo = [col.name]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += sorted(reads(node, required(node.column(name), name)))
    return [c for c in node.columns if c.name in seen and c is not col] + [col]


def column_order(node: dsl.Node) -> list[dsl.Column]:
    """Generation order: the creation column first when it depends on no other column (lookups then pick rows
    that existed at that time, and modifiers see the time); right after it, lookups with ``on`` from another
    table and the columns their keys need — such a lookup may move the row's time up to the picked row's
    creation, so nothing computed from the time (an expression, an ordered pair) is computed before it; emails
    last (they follow the row's names)."""
    first: list[dsl.Column] = []
    name = creation_column(node)
    col = node.column(name) if name else None
    g = col.generator if col is not None else None
    if col is not None and g is not None and (g.datetime_series or g.diffusion_curve or g.choice) and not any(
            isinstance(m, dsl.EffectModifier) and m.args.on for m in col.modifiers):
        first = [col]
    if first:
        primary = node.parents[0] if node.parents else None
        for c in node.columns:
            lk = c.generator.lookup
            table = lk.from_.partition(".")[0] if lk is not None else None
            if lk is None or not lk.on or table in (node.id, primary) or c in first:
                continue
            group = _needs(node, c)
            if all(d not in first for d in group[:-1]):
                first += [d for d in group if d not in first]
    emails = [c for c in node.columns if c.generator.faker and c.generator.faker.method == "email" and c not in first]
    order = first + [c for c in node.columns if c not in first and c not in emails] + emails
    for col in [c for c in order if any(isinstance(m, dsl.EffectModifier) and m.args.on for m in c.modifiers)]:
        keys = {k for m in col.modifiers if isinstance(m, dsl.EffectModifier) for k in m.args.on}
        last = max((i for i, c in enumerate(order) if c.name in keys), default=-1)
        if last > order.index(col):  # a keyed effect reads its key columns: generate them first
            order.remove(col)
            order.insert(last, col)
    return order


def self_lookup_mode(schema: dsl.Schema, node: dsl.Node, col: dsl.Column) -> str:
    """How a self-lookup is resolved: ``"table"`` — by the engine over the whole table after a first pass (by
    creation time when the creation column comes first, and/or by ``on`` keys); ``"rows"`` — by the engine from
    row numbers (a fact without either); ``"chunk"`` — inside the chunk (an entity whose self-lookup another
    column of the row reads; by time within the chunk, or by row number)."""
    order = [c.name for c in column_order(node)]
    created = creation_column(node)
    timed = created in order and order.index(created) < order.index(col.name)
    keyed = bool(required(col.generator.lookup, "lookup").on)
    if node.parents or keyed:
        return "table" if timed or keyed else "rows"
    return "table" if timed and not read_in_row(schema, node, col.name) else "chunk"


def self_lookups(node: dsl.Node) -> list[dsl.Column]:
    """The columns of ``node`` that look up another row of ``node`` itself."""
    return [c for c in node.columns if c.generator.lookup is not None
            and c.generator.lookup.from_.partition(".")[0] == node.id]


def self_lookups_deferred(schema: dsl.Schema, node: dsl.Node) -> list[str]:
    """Self-lookup columns resolved over the whole table (the engine makes a first pass for them)."""
    return [c.name for c in self_lookups(node) if self_lookup_mode(schema, node, c) == "table"]
