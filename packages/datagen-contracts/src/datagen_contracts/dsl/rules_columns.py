"""Rules over columns: generators, distributions, expressions and modifiers."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..paths import child, did_you_mean
from .base import FAKER_METHODS
from .generators import (
    GENERATOR_KINDS,
    ChoiceGen,
    ClampModifier,
    DatetimeSeriesGen,
    DiffusionCurveGen,
    EffectModifier,
    EnumListGen,
    ExponentialDist,
    ExpressionGen,
    FakerGen,
    JitterModifier,
    LognormalDist,
    LookupGen,
    MapValuesModifier,
    NormalDist,
    OutliersModifier,
    PoissonDist,
    SeasonalityModifier,
    SequenceGen,
    TimeJitterModifier,
    TrendModifier,
    UniformDist,
    Window,
)
from .interpret import parse_timestamp, parse_weights_kind
from .nodes import Column, Node
from .rule_context import EXPRESSION_FUNCTIONS, FREQUENCY, PATTERN_LENGTHS, Ctx, col_path, node_path


def rule_columns(ctx: Ctx) -> Iterator[Problem]:
    for i, node in enumerate(ctx.schema.nodes):
        earlier: set[str] = set()
        for j, col in enumerate(node.columns):
            path = col_path(i, j)
            gen = col.generator
            kinds = [k for k in GENERATOR_KINDS if getattr(gen, k) is not None]
            gpath = child(path, "generator")
            if len(kinds) != 1:
                what = "none" if not kinds else ", ".join(kinds)
                yield Problem(gpath, f"exactly one generator kind is required, got {what} (one of {', '.join(GENERATOR_KINDS)})")
            else:
                yield from _generator(ctx, node, col, kinds[0], child(gpath, kinds[0]), earlier)
            if col.null_rate is not None:
                if not 0 <= col.null_rate <= 1:
                    yield Problem(child(path, "null_rate"), f"must be between 0 and 1, got {col.null_rate}")
                elif col.null_rate > 0 and not col.nullable:
                    yield Problem(child(path, "null_rate"), "null_rate > 0 on a column that is not nullable (set nullable: true)")
            if col.name == node.pk and col.nullable:
                yield Problem(child(path, "nullable"), "a primary key cannot be nullable")
            if col.present_if is not None:
                names = [c.name for c in node.columns]
                for other, allowed in col.present_if.items():
                    where = child(child(path, "present_if"), other)
                    if other not in names or other == col.name:
                        yield Problem(where, f"present_if names {other!r}, not another column of {node.id!r}"
                                             f"{did_you_mean(other, [n for n in names if n != col.name])}")
                    elif not allowed:
                        yield Problem(where, "present_if needs at least one value")
                if not col.nullable:
                    yield Problem(child(path, "nullable"), "present_if leaves the other rows NULL: set nullable: true")
            if col.decimals is not None and (col.type != "float" or not 0 <= col.decimals <= 12):
                yield Problem(child(path, "decimals"), f"rounds a float column to 0..12 decimals, got {col.decimals} "
                                                       f"on a {col.type} column")
            for k, mod in enumerate(col.modifiers):
                yield from _modifier(ctx, node, col, mod, child(child(path, "modifiers"), k))
            if col.constraints is not None:
                if col.constraints.enum_ref is not None:
                    yield from ctx.ref(col.constraints.enum_ref, child(child(path, "constraints"), "enum_ref"))
                if col.constraints.pattern is not None:
                    yield from regex_problems(col.constraints.pattern, child(child(path, "constraints"), "pattern"))
                n = col.constraints.max_length
                if n is not None and (col.type != "string" or n < 1):
                    yield Problem(child(child(path, "constraints"), "max_length"),
                                  f"bounds the characters of a string column, at least 1; got {n} on a {col.type} column")
            earlier.add(col.name)
        for k, mod in enumerate(node.modifiers):
            mpath = child(child(node_path(i), "modifiers"), k)
            if not isinstance(mod, EffectModifier):
                yield Problem(mpath, f"table-level modifiers must be 'effect', got {type(mod).__struct_config__.tag!r}")
            else:
                yield from _modifier(ctx, node, None, mod, mpath)


def regex_problems(text: str, path: str) -> Iterator[Problem]:
    try:
        re.compile(text)
    except re.error as exc:
        yield Problem(path, f"invalid regular expression: {exc}")


def weights_problems(weights: list[float] | None, n: int | None, path: str, what: str) -> Iterator[Problem]:
    if weights is None:
        return
    if n is not None and len(weights) != n:
        yield Problem(path, f"{len(weights)} weights for {n} {what}")
    if any(w < 0 for w in weights):
        yield Problem(path, "weights must be >= 0")
    elif weights and sum(weights) <= 0:
        yield Problem(path, "weights must not all be 0")


def _window(within: Any, path: str) -> Iterator[Problem]:
    if isinstance(within, Window):
        a, b = parse_timestamp(within.start), parse_timestamp(within.end)
        if a is None:
            yield Problem(child(path, "start"), f"not an ISO-8601 date or datetime: {within.start!r}")
        if b is None:
            yield Problem(child(path, "end"), f"not an ISO-8601 date or datetime: {within.end!r}")
        if a and b and a >= b:
            yield Problem(path, f"start {within.start} must be before end {within.end}")


def _generator(ctx: Ctx, node: Node, col: Column, kind: str, path: str, earlier: set[str]) -> Iterator[Problem]:
    spec = getattr(col.generator, kind)
    if isinstance(spec, ChoiceGen):
        if (spec.choices is None) == (spec.choices_ref is None):
            yield Problem(path, "give exactly one of 'choices' and 'choices_ref'")
        if spec.choices is not None and not spec.choices:
            yield Problem(child(path, "choices"), "must not be empty")
        if spec.choices_ref is not None:
            yield from ctx.ref(spec.choices_ref, child(path, "choices_ref"))
        n = len(spec.choices) if spec.choices is not None else None
        yield from weights_problems(spec.weights, n, child(path, "weights"), "choices")
        if spec.weights is not None and spec.weights_kind is not None:
            yield Problem(path, "give either 'weights' or 'weights_kind', not both")
        if spec.weights_kind is not None and parse_weights_kind(spec.weights_kind) is None:
            yield Problem(child(path, "weights_kind"), f"expected 'uniform', 'zipf@<alpha>' or 'head_tail@{{<h>,<alpha>}}', got {spec.weights_kind!r}")
    elif isinstance(spec, NormalDist | LognormalDist | UniformDist | PoissonDist | ExponentialDist):
        yield from _distribution(spec, path)
    elif isinstance(spec, DatetimeSeriesGen | DiffusionCurveGen):
        yield from _window(spec.within, child(path, "within"))
        if col.type not in ("datetime", "date"):
            yield Problem(path, f"{kind} makes dates; column type is {col.type!r}")
        if isinstance(spec, DatetimeSeriesGen):
            if spec.freq is not None and not FREQUENCY.match(spec.freq):
                yield Problem(child(path, "freq"), f"unknown frequency {spec.freq!r} (e.g. 'H', 'D', 'M', '15min')")
            for k, pat in enumerate(spec.patterns()):
                ppath = child(path, "pattern") if not isinstance(spec.pattern, list) else child(child(path, "pattern"), k)
                yield from weights_problems(pat.weights, PATTERN_LENGTHS[pat.dimension], child(ppath, "weights"), f"{pat.dimension} slots")
        elif not 0 <= spec.inflection_point <= 1:
            yield Problem(child(path, "inflection_point"), f"must be between 0 and 1, got {spec.inflection_point}")
    elif isinstance(spec, FakerGen):
        if spec.method not in FAKER_METHODS:
            yield Problem(child(path, "method"), f"unknown faker method {spec.method!r}{did_you_mean(spec.method, FAKER_METHODS)} "
                                                 f"({len(FAKER_METHODS)} methods: Faker's standard providers, listed in docs/faker_methods.md)")
        if spec.locale is not None and spec.locale_from is not None:
            yield Problem(path, "give either 'locale' or 'locale_from', not both")
        if spec.locale_from is not None and spec.locale_from not in earlier:
            yield from _earlier(node, spec.locale_from, earlier, child(path, "locale_from"))
        if spec.method in ("bothify", "numerify") and not spec.text:
            yield Problem(path, f"faker method {spec.method!r} needs 'text' (a template such as 'DEV-####-????')")
    elif isinstance(spec, LookupGen):
        yield from ctx.ref(spec.from_, child(path, "from"))
        other_name = spec.from_.partition(".")[0]
        other = ctx.nodes.get(other_name)
        for local, remote in (spec.on or {}).items():
            if local not in earlier:
                yield from _earlier(node, local, earlier, child(child(path, "on"), local))
            if other is not None:
                yield from ctx.column_of(other, remote, child(child(path, "on"), local))
    elif isinstance(spec, ExpressionGen):
        yield from _expression(node, spec.code, earlier, child(path, "code"))
    elif isinstance(spec, EnumListGen) and not spec.values:
        yield Problem(child(path, "values"), "must not be empty")
    elif isinstance(spec, SequenceGen) and spec.step == 0:
        yield Problem(child(path, "step"), "must not be 0")


def _earlier(node: Node, name: str, earlier: set[str], path: str) -> Iterator[Problem]:
    if node.column(name) is not None:
        yield Problem(path, f"column {name!r} is declared later; a column may only use columns declared before it")
    else:
        yield Problem(path, f"unknown column {name!r} of table {node.id!r}{did_you_mean(name, sorted(earlier))}")


def _distribution(spec: Any, path: str) -> Iterator[Problem]:
    p = spec.params
    ppath = child(path, "params")
    if isinstance(spec, NormalDist) and p.std < 0:
        yield Problem(child(ppath, "std"), f"must be >= 0, got {p.std}")
    if isinstance(spec, LognormalDist):
        if p.sigma < 0:
            yield Problem(child(ppath, "sigma"), f"must be >= 0, got {p.sigma}")
        if p.mean > 50:
            yield Problem(child(ppath, "mean"), f"lognormal 'mean' is in log space; exp({p.mean}) overflows")
    if isinstance(spec, UniformDist) and p.low > p.high:
        yield Problem(ppath, f"low {p.low} is greater than high {p.high}")
    if isinstance(spec, PoissonDist) and p.lam < 0:
        yield Problem(child(ppath, "lambda"), f"must be >= 0, got {p.lam}")
    if isinstance(spec, ExponentialDist) and p.scale <= 0:
        yield Problem(child(ppath, "scale"), f"must be > 0, got {p.scale}")
    if spec.clamp is not None:
        if len(spec.clamp) != 2:
            yield Problem(child(path, "clamp"), f"expected [min, max], got {len(spec.clamp)} values")
        elif spec.clamp[0] > spec.clamp[1]:
            yield Problem(child(path, "clamp"), f"min {spec.clamp[0]} is greater than max {spec.clamp[1]}")


def _expression(node: Node, code: str, earlier: set[str], path: str) -> Iterator[Problem]:
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError as exc:
        yield Problem(path, f"invalid expression {code!r}: {exc.msg}")
        return
    allowed = (
        ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Load, ast.Call, ast.Compare, ast.IfExp,
        ast.BoolOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.USub, ast.UAdd,
        ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq, ast.And, ast.Or, ast.Not,
    )
    for sub in ast.walk(tree):
        if not isinstance(sub, allowed):
            yield Problem(path, f"{type(sub).__name__} is not allowed in an expression (arithmetic, comparisons and {', '.join(EXPRESSION_FUNCTIONS)} only)")
            return
        if isinstance(sub, ast.Call) and (not isinstance(sub.func, ast.Name) or sub.func.id not in EXPRESSION_FUNCTIONS):
            name = sub.func.id if isinstance(sub.func, ast.Name) else "?"
            yield Problem(path, f"unknown function {name!r}{did_you_mean(name, EXPRESSION_FUNCTIONS)}")
            return
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, int | float | str | bool):
            yield Problem(path, f"constant {sub.value!r} is not allowed")
            return
    called = {c.func.id for c in ast.walk(tree) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
    for name in sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called):
        if name not in earlier:
            yield from _earlier(node, name, earlier, path)


def _modifier(ctx: Ctx, node: Node, col: Column | None, mod: Any, path: str) -> Iterator[Problem]:
    a = mod.args
    apath = child(path, "args")
    if isinstance(mod, SeasonalityModifier):
        yield from weights_problems(a.weights, PATTERN_LENGTHS[a.dimension], child(apath, "weights"), f"{a.dimension} slots")
    elif isinstance(mod, ClampModifier) and a.min is not None and a.max is not None and a.min > a.max:
        yield Problem(apath, f"min {a.min} is greater than max {a.max}")
    elif isinstance(mod, TimeJitterModifier):
        if (a.std_minutes is None) == (a.std is None):
            yield Problem(apath, "give exactly one of 'std_minutes' and 'std' (seconds)")
        if col is not None and col.type not in ("datetime", "date"):
            yield Problem(path, f"time_jitter applies to dates; column type is {col.type!r}")
    elif isinstance(mod, JitterModifier) and a.std < 0:
        yield Problem(child(apath, "std"), f"must be >= 0, got {a.std}")
    elif isinstance(mod, TrendModifier):
        if a.type in ("exponential", "linear") and a.growth_rate is None:
            yield Problem(apath, f"a {a.type} trend needs 'growth_rate'")
        if a.type == "logarithmic" and a.params is None and a.growth_rate is None:
            yield Problem(apath, "a logarithmic trend needs 'params' {a, b} (or 'growth_rate')")
        if a.time_reference is not None and node.column(a.time_reference) is None:
            yield from ctx.column_of(node, a.time_reference, child(apath, "time_reference"))
    elif isinstance(mod, OutliersModifier):
        if not 0 <= a.rate <= 1:
            yield Problem(child(apath, "rate"), f"must be between 0 and 1, got {a.rate}")
        if a.magnitude_dist is not None:
            yield from _distribution(a.magnitude_dist, child(apath, "magnitude_dist"))
    elif isinstance(mod, EffectModifier):
        table = ctx.nodes.get(a.effect_table)
        if table is None:
            yield Problem(child(apath, "effect_table"), f"unknown table {a.effect_table!r}{did_you_mean(a.effect_table, list(ctx.nodes))}")
            return
        for local, remote in a.on.items():
            yield from ctx.column_of(node, local, child(child(apath, "on"), local))
            yield from ctx.column_of(table, remote, child(child(apath, "on"), local))
        if a.window is not None:
            yield from ctx.column_of(table, a.window.start_col, child(child(apath, "window"), "start_col"))
            yield from ctx.column_of(table, a.window.end_col, child(child(apath, "window"), "end_col"))
        if table.column(a.map.field) is None:
            yield Problem(
                child(child(apath, "map"), "field"),
                f"{a.map.field!r} is not a column of {table.id!r}: the effect acts as an indicator "
                f"(factor 1 inside a matching window, default {a.map.default} outside)",
                "warning",
            )
    elif isinstance(mod, MapValuesModifier) and not a.mapping:
        yield Problem(child(apath, "mapping"), "must not be empty")
