"""Cross-reference rules of a decoded DSL schema: every reference resolves, every list has the right length.

Each rule is a plain function ``(schema) -> iterable of Problem``; ``RULES`` lists them in order, and
``check_schema`` runs them all (callers may pass their own tuple).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from . import dsl
from ._paths import child, did_you_mean
from .errors import Problem

MAX_ROWS = 10**12
PATTERN_LENGTHS = {"hour": 24, "dow": 7, "month": 12}
_ZIPF = re.compile(r"^zipf@([0-9.]+)$")
_HEAD_TAIL = re.compile(r"^head_tail@\{\s*([0-9.]+)\s*,\s*([0-9.]+)\s*\}$")
_FREQ = re.compile(r"^\d*\s*(ms|us|s|S|sec|min|T|h|H|D|d|W|w|M|MS|ME|Q|QS|Y|YS|A|AS)$")
EXPRESSION_FUNCTIONS = ("abs", "min", "max", "round", "floor", "ceil", "sqrt", "log", "exp", "clip", "where")


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
    if m := _ZIPF.match(text):
        return ("zipf", (float(m.group(1)),))
    if m := _HEAD_TAIL.match(text):
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


class _Ctx:
    """Look-ups shared by the rules."""

    def __init__(self, schema: dsl.Schema) -> None:
        self.schema = schema
        self.nodes = {n.id: n for n in schema.nodes}
        self.derived = {n.touchpoint_table: n for n in schema.nodes if n.touchpoint_table}

    def table_names(self) -> list[str]:
        return [*self.nodes, *self.derived]

    def ref(self, ref: str, path: str) -> Iterator[Problem]:
        """Problems of a ``table.column`` reference."""
        table, dot, column = ref.partition(".")
        if not dot or not table or not column:
            yield Problem(path, f"expected 'table.column', got {ref!r}")
        elif table in self.derived:
            return
        elif table not in self.nodes:
            yield Problem(path, f"unknown table {table!r}{did_you_mean(table, self.table_names())}")
        elif self.nodes[table].column(column) is None:
            names = [c.name for c in self.nodes[table].columns]
            yield Problem(path, f"unknown column {column!r} of table {table!r}{did_you_mean(column, names)}")

    def column_of(self, node: dsl.Node, name: str, path: str, what: str = "column") -> Iterator[Problem]:
        if node.column(name) is None:
            names = [c.name for c in node.columns]
            yield Problem(path, f"unknown {what} {name!r} of table {node.id!r}{did_you_mean(name, names)}")


def _node_path(i: int) -> str:
    return f"$.nodes[{i}]"


def _col_path(i: int, j: int) -> str:
    return f"$.nodes[{i}].columns[{j}]"


def rule_top_level(ctx: _Ctx) -> Iterator[Problem]:
    s = ctx.schema
    if not isinstance(s.metadata.get("name"), str) or not s.metadata.get("name"):
        yield Problem("$.metadata", "missing required key 'name' (a non-empty string)")
    start, end = parse_timestamp(s.timeframe.start), parse_timestamp(s.timeframe.end)
    if start is None:
        yield Problem("$.timeframe.start", f"not an ISO-8601 date or datetime: {s.timeframe.start!r}")
    if end is None:
        yield Problem("$.timeframe.end", f"not an ISO-8601 date or datetime: {s.timeframe.end!r}")
    if start and end and start >= end:
        yield Problem("$.timeframe", f"start {s.timeframe.start} must be before end {s.timeframe.end}")
    if s.timeframe.freq is not None and not _FREQ.match(s.timeframe.freq):
        yield Problem("$.timeframe.freq", f"unknown frequency {s.timeframe.freq!r} (e.g. 'H', 'D', 'M', '15min')")
    if not s.nodes:
        yield Problem("$.nodes", "a schema needs at least one node")


def rule_nodes(ctx: _Ctx) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, node in enumerate(ctx.schema.nodes):
        path = _node_path(i)
        if not node.id.strip():
            yield Problem(child(path, "id"), "table id must not be empty")
        if node.id in seen:
            yield Problem(child(path, "id"), f"duplicate table id {node.id!r} (also $.nodes[{seen[node.id]}])")
        seen.setdefault(node.id, i)
        if node.id in ctx.derived:
            yield Problem(child(path, "id"), f"table id {node.id!r} is also the touchpoint table of an attribution_chain")
        names: dict[str, int] = {}
        for j, col in enumerate(node.columns):
            if col.name in names:
                yield Problem(child(_col_path(i, j), "name"), f"duplicate column {col.name!r} in table {node.id!r}")
            names.setdefault(col.name, j)
        if not node.columns:
            yield Problem(child(path, "columns"), f"table {node.id!r} has no columns")
        if node.pk is not None:
            yield from ctx.column_of(node, node.pk, child(path, "pk"), "pk column")
        if node.rows is not None and not 0 <= node.rows <= MAX_ROWS:
            yield Problem(child(path, "rows"), f"rows must be between 0 and {MAX_ROWS:.0e}, got {node.rows}")
        if node.kind != "fact" and node.parents:
            yield Problem(child(path, "parents"), f"only facts have parents; {node.id!r} is a {node.kind}")
        if node.kind == "fact" and node.rows is not None and node.parents:
            yield Problem(child(path, "rows"), "a fact with parents takes its rows from parents × fanout; remove 'rows'")
        for k, parent in enumerate(node.parents):
            if parent not in ctx.nodes:
                yield Problem(child(child(path, "parents"), k), f"unknown table {parent!r}{did_you_mean(parent, list(ctx.nodes))}")
        if node.fanout is not None:
            yield from _fanout(node, child(path, "fanout"))
        if node.kind == "vocab" and not any(c.generator.enum_list for c in node.columns):
            yield Problem(child(path, "columns"), f"vocab table {node.id!r} needs an enum_list column")


def _fanout(node: dsl.Node, path: str) -> Iterator[Problem]:
    f = node.fanout
    assert f is not None
    if not node.parents:
        yield Problem(path, f"fanout needs parents; {node.id!r} has none")
    if f.distribution != "uniform" and f.lam is None:
        yield Problem(path, f"{f.distribution} fanout needs 'lambda' (its mean)")
    for name, value, ok, what in (("dispersion", f.dispersion, "negative_binomial", "> 0"),
                                  ("sigma", f.sigma, "lognormal", "> 0"), ("exponent", f.exponent, "zipf", "> 2")):
        if value is None:
            continue
        if f.distribution != ok:
            yield Problem(child(path, name), f"'{name}' belongs to a {ok} fanout, not {f.distribution}")
        elif value <= (2 if name == "exponent" else 0):
            yield Problem(child(path, name), f"must be {what} (a finite mean), got {value}")
    if f.dormant is not None:
        if not 0 <= f.dormant < 1:
            yield Problem(child(path, "dormant"), f"a share of parents: 0 <= dormant < 1, got {f.dormant}")
        elif f.distribution == "uniform":
            yield Problem(child(path, "dormant"), "a uniform fanout draws between min and max for every parent; "
                                                  "use poisson or a heavy-tailed one with dormant")
        elif f.dormant > 0 and (f.min or 0) > 0:
            yield Problem(child(path, "dormant"), f"dormant parents have no children, but min is {f.min}")
    if f.lam is not None and f.lam < 0:
        yield Problem(child(path, "lambda"), f"must be >= 0, got {f.lam}")
    if f.distribution == "uniform" and (f.min is None or f.max is None):
        yield Problem(path, "uniform fanout needs 'min' and 'max'")
    if f.distribution == "uniform" and f.lam is not None:
        yield Problem(child(path, "lambda"), "a uniform fanout draws between min and max; 'lambda' has no effect", "warning")
    if f.min is not None and f.min < 0:
        yield Problem(child(path, "min"), f"must be >= 0, got {f.min}")
    if f.min is not None and f.max is not None and f.min > f.max:
        yield Problem(path, f"min {f.min} is greater than max {f.max}")


def rule_columns(ctx: _Ctx) -> Iterator[Problem]:
    for i, node in enumerate(ctx.schema.nodes):
        earlier: set[str] = set()
        for j, col in enumerate(node.columns):
            path = _col_path(i, j)
            gen = col.generator
            kinds = [k for k in dsl.GENERATOR_KINDS if getattr(gen, k) is not None]
            gpath = child(path, "generator")
            if len(kinds) != 1:
                what = "none" if not kinds else ", ".join(kinds)
                yield Problem(gpath, f"exactly one generator kind is required, got {what} (one of {', '.join(dsl.GENERATOR_KINDS)})")
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
                    yield from _regex(col.constraints.pattern, child(child(path, "constraints"), "pattern"))
            earlier.add(col.name)
        for k, mod in enumerate(node.modifiers):
            mpath = child(child(_node_path(i), "modifiers"), k)
            if not isinstance(mod, dsl.EffectModifier):
                yield Problem(mpath, f"table-level modifiers must be 'effect', got {type(mod).__struct_config__.tag!r}")
            else:
                yield from _modifier(ctx, node, None, mod, mpath)


def _regex(text: str, path: str) -> Iterator[Problem]:
    try:
        re.compile(text)
    except re.error as exc:
        yield Problem(path, f"invalid regular expression: {exc}")


def _weights(weights: list[float] | None, n: int | None, path: str, what: str) -> Iterator[Problem]:
    if weights is None:
        return
    if n is not None and len(weights) != n:
        yield Problem(path, f"{len(weights)} weights for {n} {what}")
    if any(w < 0 for w in weights):
        yield Problem(path, "weights must be >= 0")
    elif weights and sum(weights) <= 0:
        yield Problem(path, "weights must not all be 0")


def _window(within: Any, path: str) -> Iterator[Problem]:
    if isinstance(within, dsl.Window):
        a, b = parse_timestamp(within.start), parse_timestamp(within.end)
        if a is None:
            yield Problem(child(path, "start"), f"not an ISO-8601 date or datetime: {within.start!r}")
        if b is None:
            yield Problem(child(path, "end"), f"not an ISO-8601 date or datetime: {within.end!r}")
        if a and b and a >= b:
            yield Problem(path, f"start {within.start} must be before end {within.end}")


def _generator(ctx: _Ctx, node: dsl.Node, col: dsl.Column, kind: str, path: str, earlier: set[str]) -> Iterator[Problem]:
    spec = getattr(col.generator, kind)
    if isinstance(spec, dsl.ChoiceGen):
        if (spec.choices is None) == (spec.choices_ref is None):
            yield Problem(path, "give exactly one of 'choices' and 'choices_ref'")
        if spec.choices is not None and not spec.choices:
            yield Problem(child(path, "choices"), "must not be empty")
        if spec.choices_ref is not None:
            yield from ctx.ref(spec.choices_ref, child(path, "choices_ref"))
        n = len(spec.choices) if spec.choices is not None else None
        yield from _weights(spec.weights, n, child(path, "weights"), "choices")
        if spec.weights is not None and spec.weights_kind is not None:
            yield Problem(path, "give either 'weights' or 'weights_kind', not both")
        if spec.weights_kind is not None and parse_weights_kind(spec.weights_kind) is None:
            yield Problem(child(path, "weights_kind"), f"expected 'uniform', 'zipf@<alpha>' or 'head_tail@{{<h>,<alpha>}}', got {spec.weights_kind!r}")
    elif isinstance(spec, dsl.NormalDist | dsl.LognormalDist | dsl.UniformDist | dsl.PoissonDist | dsl.ExponentialDist):
        yield from _distribution(spec, path)
    elif isinstance(spec, dsl.DatetimeSeriesGen | dsl.DiffusionCurveGen):
        yield from _window(spec.within, child(path, "within"))
        if col.type not in ("datetime", "date"):
            yield Problem(path, f"{kind} makes dates; column type is {col.type!r}")
        if isinstance(spec, dsl.DatetimeSeriesGen):
            if spec.freq is not None and not _FREQ.match(spec.freq):
                yield Problem(child(path, "freq"), f"unknown frequency {spec.freq!r} (e.g. 'H', 'D', 'M', '15min')")
            for k, pat in enumerate(spec.patterns()):
                ppath = child(path, "pattern") if not isinstance(spec.pattern, list) else child(child(path, "pattern"), k)
                yield from _weights(pat.weights, PATTERN_LENGTHS[pat.dimension], child(ppath, "weights"), f"{pat.dimension} slots")
        elif not 0 <= spec.inflection_point <= 1:
            yield Problem(child(path, "inflection_point"), f"must be between 0 and 1, got {spec.inflection_point}")
    elif isinstance(spec, dsl.FakerGen):
        if spec.method not in dsl.FAKER_METHODS:
            yield Problem(child(path, "method"), f"unknown faker method {spec.method!r}{did_you_mean(spec.method, dsl.FAKER_METHODS)} "
                                                 f"({len(dsl.FAKER_METHODS)} methods: Faker's standard providers, listed in docs/faker_methods.md)")
        if spec.locale is not None and spec.locale_from is not None:
            yield Problem(path, "give either 'locale' or 'locale_from', not both")
        if spec.locale_from is not None and spec.locale_from not in earlier:
            yield from _earlier(node, spec.locale_from, earlier, child(path, "locale_from"))
        if spec.method in ("bothify", "numerify") and not spec.text:
            yield Problem(path, f"faker method {spec.method!r} needs 'text' (a template such as 'DEV-####-????')")
    elif isinstance(spec, dsl.LookupGen):
        yield from ctx.ref(spec.from_, child(path, "from"))
        other_name = spec.from_.partition(".")[0]
        other = ctx.nodes.get(other_name)
        for local, remote in (spec.on or {}).items():
            if local not in earlier:
                yield from _earlier(node, local, earlier, child(child(path, "on"), local))
            if other is not None:
                yield from ctx.column_of(other, remote, child(child(path, "on"), local))
    elif isinstance(spec, dsl.ExpressionGen):
        yield from _expression(node, spec.code, earlier, child(path, "code"))
    elif isinstance(spec, dsl.EnumListGen) and not spec.values:
        yield Problem(child(path, "values"), "must not be empty")
    elif isinstance(spec, dsl.SequenceGen) and spec.step == 0:
        yield Problem(child(path, "step"), "must not be 0")


def _earlier(node: dsl.Node, name: str, earlier: set[str], path: str) -> Iterator[Problem]:
    if node.column(name) is not None:
        yield Problem(path, f"column {name!r} is declared later; a column may only use columns declared before it")
    else:
        yield Problem(path, f"unknown column {name!r} of table {node.id!r}{did_you_mean(name, sorted(earlier))}")


def _distribution(spec: Any, path: str) -> Iterator[Problem]:
    p = spec.params
    ppath = child(path, "params")
    if isinstance(spec, dsl.NormalDist) and p.std < 0:
        yield Problem(child(ppath, "std"), f"must be >= 0, got {p.std}")
    if isinstance(spec, dsl.LognormalDist):
        if p.sigma < 0:
            yield Problem(child(ppath, "sigma"), f"must be >= 0, got {p.sigma}")
        if p.mean > 50:
            yield Problem(child(ppath, "mean"), f"lognormal 'mean' is in log space; exp({p.mean}) overflows")
    if isinstance(spec, dsl.UniformDist) and p.low > p.high:
        yield Problem(ppath, f"low {p.low} is greater than high {p.high}")
    if isinstance(spec, dsl.PoissonDist) and p.lam < 0:
        yield Problem(child(ppath, "lambda"), f"must be >= 0, got {p.lam}")
    if isinstance(spec, dsl.ExponentialDist) and p.scale <= 0:
        yield Problem(child(ppath, "scale"), f"must be > 0, got {p.scale}")
    if spec.clamp is not None:
        if len(spec.clamp) != 2:
            yield Problem(child(path, "clamp"), f"expected [min, max], got {len(spec.clamp)} values")
        elif spec.clamp[0] > spec.clamp[1]:
            yield Problem(child(path, "clamp"), f"min {spec.clamp[0]} is greater than max {spec.clamp[1]}")


def _expression(node: dsl.Node, code: str, earlier: set[str], path: str) -> Iterator[Problem]:
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


def _modifier(ctx: _Ctx, node: dsl.Node, col: dsl.Column | None, mod: Any, path: str) -> Iterator[Problem]:
    a = mod.args
    apath = child(path, "args")
    if isinstance(mod, dsl.SeasonalityModifier):
        yield from _weights(a.weights, PATTERN_LENGTHS[a.dimension], child(apath, "weights"), f"{a.dimension} slots")
    elif isinstance(mod, dsl.ClampModifier) and a.min is not None and a.max is not None and a.min > a.max:
        yield Problem(apath, f"min {a.min} is greater than max {a.max}")
    elif isinstance(mod, dsl.TimeJitterModifier):
        if (a.std_minutes is None) == (a.std is None):
            yield Problem(apath, "give exactly one of 'std_minutes' and 'std' (seconds)")
        if col is not None and col.type not in ("datetime", "date"):
            yield Problem(path, f"time_jitter applies to dates; column type is {col.type!r}")
    elif isinstance(mod, dsl.JitterModifier) and a.std < 0:
        yield Problem(child(apath, "std"), f"must be >= 0, got {a.std}")
    elif isinstance(mod, dsl.TrendModifier):
        if a.type in ("exponential", "linear") and a.growth_rate is None:
            yield Problem(apath, f"a {a.type} trend needs 'growth_rate'")
        if a.type == "logarithmic" and a.params is None and a.growth_rate is None:
            yield Problem(apath, "a logarithmic trend needs 'params' {a, b} (or 'growth_rate')")
        if a.time_reference is not None and node.column(a.time_reference) is None:
            yield from ctx.column_of(node, a.time_reference, child(apath, "time_reference"))
    elif isinstance(mod, dsl.OutliersModifier):
        if not 0 <= a.rate <= 1:
            yield Problem(child(apath, "rate"), f"must be between 0 and 1, got {a.rate}")
        if a.magnitude_dist is not None:
            yield from _distribution(a.magnitude_dist, child(apath, "magnitude_dist"))
    elif isinstance(mod, dsl.EffectModifier):
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
    elif isinstance(mod, dsl.MapValuesModifier) and not a.mapping:
        yield Problem(child(apath, "mapping"), "must not be empty")


def rule_behaviours(ctx: _Ctx) -> Iterator[Problem]:
    children: dict[str, list[dsl.Node]] = {}
    for node in ctx.schema.nodes:
        for parent in dict.fromkeys(node.parents):
            children.setdefault(parent, []).append(node)
    for i, node in enumerate(ctx.schema.nodes):
        path = _node_path(i)
        sb = node.segment_behavior
        if sb is not None:
            spath = child(path, "segment_behavior")
            if sb.segment_column is None:
                inferred = infer_segment_column(node)
                if inferred is None:
                    yield Problem(spath, "missing 'segment_column' and no choice column of this table lists all the segments")
            else:
                yield from ctx.column_of(node, sb.segment_column, child(spath, "segment_column"))
            if sb.behaviors is None and sb.segments is None:
                yield Problem(spath, "give 'behaviors' (fanout/value multipliers) or 'segments' (shares)")
            kids = {c.name for kid in children.get(node.id, []) for c in kid.columns}
            for k, name in enumerate(sb.applies_to_columns or []):
                if name not in kids:
                    yield Problem(child(child(spath, "applies_to_columns"), k), f"no child table of {node.id!r} has a column {name!r}{did_you_mean(name, sorted(kids))}")
            if sb.segments is not None and sum(s.base_probability for s in sb.segments.values()) <= 0:
                yield Problem(child(spath, "segments"), "segment probabilities must not all be 0")
        vb = node.vintage_behavior
        if vb is not None:
            vpath = child(path, "vintage_behavior")
            col = node.column(vb.created_at_column)
            if col is None:
                yield from ctx.column_of(node, vb.created_at_column, child(vpath, "created_at_column"))
            elif col.type not in ("datetime", "date"):
                yield Problem(child(vpath, "created_at_column"), f"must be a date or datetime column, {col.name!r} is {col.type!r}")
            for name, mult in vb.age_based_multipliers.items():
                mpath = child(child(vpath, "age_based_multipliers"), name)
                if isinstance(mult.curve, list) and not mult.curve:
                    yield Problem(child(mpath, "curve"), "must not be empty")
                targets = [mult.applies_to] if isinstance(mult.applies_to, str) else mult.applies_to
                kids = {c.name for kid in children.get(node.id, []) for c in kid.columns}
                for t in targets:
                    if t not in ("fanout", "all") and t not in kids:
                        hint = did_you_mean(t, sorted(kids))
                        yield Problem(child(mpath, "applies_to"), f"{t!r} is not 'fanout', 'all' or a column of a child table of {node.id!r}{hint}; this multiplier has no effect", "warning")
        yield from _facts(ctx, node, path)


def infer_segment_column(node: dsl.Node) -> str | None:
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


def _facts(ctx: _Ctx, node: dsl.Node, path: str) -> Iterator[Problem]:
    blocks = [b for b in ("stage_config", "state_transition_model", "attribution_chain") if getattr(node, b) is not None]
    if blocks and node.kind != "fact":
        yield Problem(child(path, blocks[0]), f"{blocks[0]} belongs on a fact; {node.id!r} is a {node.kind}")
    if blocks and not node.parents:
        yield Problem(child(path, blocks[0]), f"{blocks[0]} needs a parent table")
    sc = node.stage_config
    if sc is not None:
        spath = child(path, "stage_config")
        if not sc.stages:
            yield Problem(child(spath, "stages"), "must not be empty")
        for k, st in enumerate(sc.stages):
            if not 0 <= st.transition_rate <= 1:
                yield Problem(child(child(child(spath, "stages"), k), "transition_rate"), f"must be between 0 and 1, got {st.transition_rate}")
        if isinstance(sc.time_between_stages_hours, list) and len(sc.time_between_stages_hours) not in (0, len(sc.stages) - 1, len(sc.stages)):
            yield Problem(child(spath, "time_between_stages_hours"), f"{len(sc.time_between_stages_hours)} gaps for {len(sc.stages)} stages")
    sm = node.state_transition_model
    if sm is not None:
        mpath = child(path, "state_transition_model")
        if sm.initial_state not in sm.states:
            yield Problem(child(mpath, "initial_state"), f"unknown state {sm.initial_state!r}{did_you_mean(sm.initial_state, list(sm.states))}")
        if sm.max_transitions < 0:
            yield Problem(child(mpath, "max_transitions"), "must be >= 0")
        for name, st in sm.states.items():
            spath = child(child(mpath, "states"), name)
            if not 0 <= st.transition_prob_per_period <= 1:
                yield Problem(child(spath, "transition_prob_per_period"), f"must be between 0 and 1, got {st.transition_prob_per_period}")
            for nxt, p in st.next_states.items():
                if nxt not in sm.states:
                    yield Problem(child(child(spath, "next_states"), nxt), f"unknown state {nxt!r}{did_you_mean(nxt, list(sm.states))}")
                if p < 0:
                    yield Problem(child(child(spath, "next_states"), nxt), f"probability must be >= 0, got {p}")
            if not st.terminal and st.transition_prob_per_period > 0 and not st.next_states:
                yield Problem(spath, "a state that transitions needs 'next_states' (or 'terminal': true)")
            if st.next_states and sum(st.next_states.values()) <= 0:
                yield Problem(child(spath, "next_states"), "probabilities must not all be 0")
    ac = node.attribution_chain
    if ac is not None:
        apath = child(path, "attribution_chain")
        if not ac.channels:
            yield Problem(child(apath, "channels"), "must not be empty")
        if not 1 <= ac.min_touches <= ac.max_touches:
            yield Problem(apath, f"need 1 <= min_touches <= max_touches, got {ac.min_touches}, {ac.max_touches}")
        if ac.time_window_days <= 0:
            yield Problem(child(apath, "time_window_days"), "must be > 0")
        if node.pk is None:
            yield Problem(apath, f"an attribution_chain needs a pk on {node.id!r} (touchpoints reference it)")


def rule_constraints(ctx: _Ctx) -> Iterator[Problem]:
    c = ctx.schema.constraints
    for k, ref in enumerate(c.unique):
        yield from ctx.ref(ref, f"$.constraints.unique[{k}]")
    for k, fk in enumerate(c.foreign_keys):
        yield from ctx.ref(fk.from_, f"$.constraints.foreign_keys[{k}].from")
        yield from ctx.ref(fk.to, f"$.constraints.foreign_keys[{k}].to")
    for k, r in enumerate(c.ranges):
        yield from ctx.ref(r.attr, f"$.constraints.ranges[{k}].attr")
        if r.min is not None and r.max is not None and r.min > r.max:
            yield Problem(f"$.constraints.ranges[{k}]", f"min {r.min} is greater than max {r.max}")
    for k, q in enumerate(c.inequalities):
        kinds = []
        for side in ("left", "right"):
            ref = getattr(q, side)
            if "." in ref:
                problems = list(ctx.ref(ref, f"$.constraints.inequalities[{k}].{side}"))
                yield from problems
                kinds.append(None if problems else _comparable_kind(ctx, ref))
            else:
                yield Problem(f"$.constraints.inequalities[{k}].{side}", f"expected 'table.column', got {ref!r}")
                kinds.append(None)
        if None not in kinds and kinds[0] != kinds[1]:
            yield Problem(f"$.constraints.inequalities[{k}]",
                          f"{q.left} ({kinds[0]}) and {q.right} ({kinds[1]}) cannot be compared: both sides must be "
                          "numbers (int/float) or both times (date/datetime)")
    for k, p in enumerate(c.pattern):
        yield from ctx.ref(p.attr, f"$.constraints.pattern[{k}].attr")
        yield from _regex(p.regex, f"$.constraints.pattern[{k}].regex")
    for k, e in enumerate(c.enum):
        yield from ctx.ref(e.attr, f"$.constraints.enum[{k}].attr")
        if (e.values is None) == (e.enum_ref is None):
            yield Problem(f"$.constraints.enum[{k}]", "give exactly one of 'values' and 'enum_ref'")
        if e.enum_ref is not None:
            yield from ctx.ref(e.enum_ref, f"$.constraints.enum[{k}].enum_ref")


def _comparable_kind(ctx: _Ctx, ref: str) -> str | None:
    """``number``, ``time`` or the column's type (``string``, ``bool``) for an inequality side; None when the
    side lives in a derived table (touchpoints), whose columns the rules do not see."""
    table, _, column = ref.partition(".")
    node = ctx.nodes.get(table)
    col = node.column(column) if node is not None else None
    if col is None:
        return None
    return {"int": "number", "float": "number", "date": "time", "datetime": "time"}.get(col.type, col.type)


def rule_targets(ctx: _Ctx) -> Iterator[Problem]:
    t = ctx.schema.targets
    if t is None:
        return
    if t.weekend_share is not None:
        yield from ctx.ref(f"{t.weekend_share.table}.{t.weekend_share.timestamp}", "$.targets.weekend_share")
    if t.mean_in_range is not None:
        yield from ctx.ref(f"{t.mean_in_range.table}.{t.mean_in_range.column}", "$.targets.mean_in_range")
    if t.composite_effect is not None:
        ce = t.composite_effect
        if ce.table not in ctx.nodes:
            yield Problem("$.targets.composite_effect.table", f"unknown table {ce.table!r}{did_you_mean(ce.table, list(ctx.nodes))}")
        for k, inf in enumerate(ce.influences):
            ipath = f"$.targets.composite_effect.influences[{k}]"
            if inf.kind == "seasonality":
                if inf.dimension is None or inf.weights is None:
                    yield Problem(ipath, "a seasonality influence needs 'dimension' and 'weights'")
                else:
                    yield from _weights(inf.weights, PATTERN_LENGTHS[inf.dimension], child(ipath, "weights"), f"{inf.dimension} slots")
            if inf.kind == "effect" and inf.table is not None and inf.table not in ctx.nodes:
                yield Problem(child(ipath, "table"), f"unknown table {inf.table!r}{did_you_mean(inf.table, list(ctx.nodes))}")


def rule_defects(ctx: _Ctx) -> Iterator[Problem]:
    for k, d in enumerate(ctx.schema.defects):
        path = f"$.defects[{k}]"
        if d.kind not in dsl.DEFECT_KINDS:
            yield Problem(child(path, "kind"), f"unknown defect kind {d.kind!r}{did_you_mean(d.kind, dsl.DEFECT_KINDS)}")
        if not 0 <= d.rate <= 1:
            yield Problem(child(path, "rate"), f"must be between 0 and 1, got {d.rate}")
        if "." in d.target:
            yield from ctx.ref(d.target, child(path, "target"))
        elif d.target not in ctx.nodes:
            yield Problem(child(path, "target"), f"unknown table {d.target!r}{did_you_mean(d.target, list(ctx.nodes))}")


def dependencies(schema: dsl.Schema) -> dict[str, set[str]]:
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
                if isinstance(mod, dsl.EffectModifier):
                    need.add(mod.args.effect_table)
        for mod in node.modifiers:
            if isinstance(mod, dsl.EffectModifier):
                need.add(mod.args.effect_table)
        need.discard(node.id)  # a self-lookup (manager_id) is generated within the table
        deps[node.id] = need
    return deps


def rule_cycles(ctx: _Ctx) -> Iterator[Problem]:
    deps = {k: {d for d in v if d in ctx.nodes} for k, v in dependencies(ctx.schema).items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    reported: set[frozenset[str]] = set()

    def visit(n: str) -> Iterator[Problem]:
        state[n] = 1
        stack.append(n)
        for d in sorted(deps.get(n, ())):
            if state.get(d) == 1:
                cycle = [*stack[stack.index(d):], d]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield Problem("$.nodes", f"dependency cycle: {' -> '.join(cycle)}")
            elif d not in state:
                yield from visit(d)
        stack.pop()
        state[n] = 2

    for node in ctx.schema.nodes:
        if node.id not in state:
            yield from visit(node.id)
    if ctx.schema.dag is not None:
        listed = [t for level in ctx.schema.dag for t in level]
        for k, level in enumerate(ctx.schema.dag):
            for t in level:
                if t not in ctx.nodes:
                    yield Problem(f"$.dag[{k}]", f"unknown table {t!r}{did_you_mean(t, list(ctx.nodes))}")
        missing = [n for n in ctx.nodes if n not in listed]
        if missing:
            yield Problem("$.dag", f"tables missing from the dag: {', '.join(missing)}")
        level_of = {t: k for k, level in enumerate(ctx.schema.dag) for t in level}
        for t, ds in deps.items():
            for d in ds:
                if t in level_of and d in level_of and level_of[d] >= level_of[t]:
                    yield Problem("$.dag", f"{t!r} needs {d!r}, which is not in an earlier level")


def rule_scenarios(ctx: _Ctx) -> Iterator[Problem]:
    for name, param in ctx.schema.parameters.items():
        if param.choices is not None and param.default not in param.choices:
            yield Problem(child(child("$.parameters", name), "default"), f"{param.default!r} is not one of {param.choices}")
    for name, sc in ctx.schema.scenarios.items():
        for k, exp in enumerate(sc.expect):
            if "table" in exp.params and exp.params["table"] not in ctx.nodes:
                t = str(exp.params["table"])
                yield Problem(child(child(child(child("$.scenarios", name), "expect"), k), "params"), f"unknown table {t!r}{did_you_mean(t, list(ctx.nodes))}")


#: modifiers that change numbers; on a time they act only as sampling weights (seasonality, effect)
_NUMERIC_MODIFIERS = (dsl.MultiplyModifier, dsl.AddModifier, dsl.ClampModifier, dsl.JitterModifier, dsl.TrendModifier,
                      dsl.OutliersModifier, dsl.SeasonalityModifier, dsl.EffectModifier)
_TIME_MODIFIERS = (dsl.SeasonalityModifier, dsl.EffectModifier)


def rule_ignored_modifiers(ctx: _Ctx) -> Iterator[Problem]:
    """A numeric modifier on a string/bool column, or one that is not a sampling weight on a date/datetime
    column, changes nothing: say so instead of ignoring it silently."""
    for i, node in enumerate(ctx.schema.nodes):
        for j, col in enumerate(node.columns):
            for k, mod in enumerate(col.modifiers):
                tag = type(mod).__struct_config__.tag
                path = child(child(_col_path(i, j), "modifiers"), k)
                if col.type in ("string", "bool") and isinstance(mod, _NUMERIC_MODIFIERS):
                    yield Problem(path, f"{tag!r} changes numbers; {col.name!r} is a {col.type} column, so it has no effect", "warning")
                elif col.type in ("date", "datetime") and isinstance(mod, _NUMERIC_MODIFIERS) and not isinstance(mod, _TIME_MODIFIERS):
                    yield Problem(path, f"{tag!r} does not apply to a {col.type} column (use time_jitter, seasonality or effect); it has no effect", "warning")


def rule_open_intervals(ctx: _Ctx) -> Iterator[Problem]:
    """A warning for an obvious contradiction the schema leaves possible: a parent declares an interval (its own
    ``start < end`` inequality, a ticket's ``opened_at`` … ``closed_at``) and a child's event time is bound to
    neither side of its end — messages would be sent after their ticket closed as often as before."""
    ineqs = [(q.left.partition("."), q.op, q.right.partition(".")) for q in ctx.schema.constraints.inequalities]
    for i, node in enumerate(ctx.schema.nodes):
        parent = ctx.nodes.get(node.parents[0]) if node.parents else None
        if parent is None:
            continue
        times = {c.name for c in parent.columns if c.type in ("date", "datetime")}
        ends = {(r[2] if op in ("<", "<=") else lt[2]) for lt, op, r in ineqs
                if lt[0] == r[0] == parent.id and op in ("<", "<=", ">", ">=") and {lt[2], r[2]} <= times}
        for j, col in enumerate(node.columns):
            gen = col.generator
            if col.type not in ("date", "datetime") or not col.after_parent or not (gen.datetime_series or gen.diffusion_curve):
                continue
            for end in sorted(ends):
                tied = any({(lt[0], lt[2]), (r[0], r[2])} == {(node.id, col.name), (parent.id, end)} for lt, _, r in ineqs)
                if not tied:
                    yield Problem(_col_path(i, j), f"{node.id}.{col.name} may fall before or after {parent.id}.{end}, "
                                  f"the end of the interval {parent.id} declares: add an inequality with "
                                  f"{parent.id}.{end} ('<=' during it, '>=' after it)", "warning")


Rule = Callable[[_Ctx], Iterable[Problem]]
RULES: tuple[Rule, ...] = (
    rule_top_level, rule_nodes, rule_columns, rule_behaviours, rule_constraints, rule_targets, rule_defects,
    rule_cycles, rule_scenarios, rule_ignored_modifiers, rule_open_intervals,
)


def check_schema(schema: dsl.Schema, rules: tuple[Rule, ...] = RULES) -> list[Problem]:
    """Every cross-reference problem of ``schema`` (errors and warnings), in rule order."""
    ctx = _Ctx(schema)
    return [p for rule in rules for p in rule(ctx)]
