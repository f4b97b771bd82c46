"""Rules across tables: constraints, targets, defects, cycles, scenarios, ignored modifiers and
open intervals."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..paths import child, did_you_mean
from ..text import write_stamp
from .base import DEFECT_KINDS
from .generators import (
    AddModifier,
    ClampModifier,
    EffectModifier,
    JitterModifier,
    MultiplyModifier,
    OutliersModifier,
    SeasonalityModifier,
    TrendModifier,
)
from .interpret import dependencies
from .rule_context import PATTERN_LENGTHS, Ctx, col_path, node_path
from .rules_columns import regex_problems, weights_problems


def rule_constraints(ctx: Ctx) -> Iterator[Problem]:
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
        yield from regex_problems(p.regex, f"$.constraints.pattern[{k}].regex")
    for k, e in enumerate(c.enum):
        yield from ctx.ref(e.attr, f"$.constraints.enum[{k}].attr")
        if (e.values is None) == (e.enum_ref is None):
            yield Problem(f"$.constraints.enum[{k}]", "give exactly one of 'values' and 'enum_ref'")
        if e.enum_ref is not None:
            yield from ctx.ref(e.enum_ref, f"$.constraints.enum[{k}].enum_ref")


def _comparable_kind(ctx: Ctx, ref: str) -> str | None:
    """``number``, ``time`` or the column's type (``string``, ``bool``) for an inequality side; None when the
    side lives in a derived table (touchpoints), whose columns the rules do not see."""
    table, _, column = ref.partition(".")
    node = ctx.nodes.get(table)
    col = node.column(column) if node is not None else None
    if col is None:
        return None
    return {"int": "number", "float": "number", "date": "time", "datetime": "time"}.get(col.type, col.type)


def rule_targets(ctx: Ctx) -> Iterator[Problem]:
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
                    yield from weights_problems(inf.weights, PATTERN_LENGTHS[inf.dimension], child(ipath, "weights"), f"{inf.dimension} slots")
            if inf.kind == "effect" and inf.table is not None and inf.table not in ctx.nodes:
                yield Problem(child(ipath, "table"), f"unknown table {inf.table!r}{did_you_mean(inf.table, list(ctx.nodes))}")


def rule_defects(ctx: Ctx) -> Iterator[Problem]:
    for k, d in enumerate(ctx.schema.defects):
        path = f"$.defects[{k}]"
        if d.kind not in DEFECT_KINDS:
            yield Problem(child(path, "kind"), f"unknown defect kind {d.kind!r}{did_you_mean(d.kind, DEFECT_KINDS)}")
        if not 0 <= d.rate <= 1:
            yield Problem(child(path, "rate"), f"must be between 0 and 1, got {d.rate}")
        if "." in d.target:
            yield from ctx.ref(d.target, child(path, "target"))
        elif d.target not in ctx.nodes:
            yield Problem(child(path, "target"), f"unknown table {d.target!r}{did_you_mean(d.target, list(ctx.nodes))}")


def rule_cycles(ctx: Ctx) -> Iterator[Problem]:
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


def rule_scenarios(ctx: Ctx) -> Iterator[Problem]:
    for name, param in ctx.schema.parameters.items():
        if param.choices is not None and param.default not in param.choices:
            yield Problem(child(child("$.parameters", name), "default"), f"{param.default!r} is not one of {param.choices}")
    for name, sc in ctx.schema.scenarios.items():
        for k, exp in enumerate(sc.expect):
            if "table" in exp.params and exp.params["table"] not in ctx.nodes:
                t = str(exp.params["table"])
                yield Problem(child(child(child(child("$.scenarios", name), "expect"), k), "params"), f"unknown table {t!r}{did_you_mean(t, list(ctx.nodes))}")


#: modifiers that change numbers; on a time they act only as sampling weights (seasonality, effect)
_NUMERIC_MODIFIERS = (MultiplyModifier, AddModifier, ClampModifier, JitterModifier, TrendModifier,
                      OutliersModifier, SeasonalityModifier, EffectModifier)
_TIME_MODIFIERS = (SeasonalityModifier, EffectModifier)


def rule_ignored_modifiers(ctx: Ctx) -> Iterator[Problem]:
    """A numeric modifier on a string/bool column, or one that is not a sampling weight on a date/datetime
    column, changes nothing: say so instead of ignoring it silently."""
    for i, node in enumerate(ctx.schema.nodes):
        for j, col in enumerate(node.columns):
            for k, mod in enumerate(col.modifiers):
                tag = type(mod).__struct_config__.tag
                path = child(child(col_path(i, j), "modifiers"), k)
                if col.type in ("string", "bool") and isinstance(mod, _NUMERIC_MODIFIERS):
                    yield Problem(path, f"{tag!r} changes numbers; {col.name!r} is a {col.type} column, so it has no effect", "warning")
                elif col.type in ("date", "datetime") and isinstance(mod, _NUMERIC_MODIFIERS) and not isinstance(mod, _TIME_MODIFIERS):
                    yield Problem(path, f"{tag!r} does not apply to a {col.type} column (use time_jitter, seasonality or effect); it has no effect", "warning")


def rule_open_intervals(ctx: Ctx) -> Iterator[Problem]:
    """A warning for an obvious contradiction the schema leaves possible: a parent declares an interval (its own
    ``start < end`` inequality, a ticket's ``opened_at`` … ``closed_at``) and a child's event times are bound to
    neither side of its end — messages would be sent after their ticket closed as often as before. One warning per
    child table and end, naming its columns; a write stamp (``updated_at >= created_at``) ends no interval."""
    ineqs = [(q.left.partition("."), q.op, q.right.partition(".")) for q in ctx.schema.constraints.inequalities]
    for i, node in enumerate(ctx.schema.nodes):
        parent = ctx.nodes.get(node.parents[0]) if node.parents else None
        if parent is None:
            continue
        times = {c.name for c in parent.columns if c.type in ("date", "datetime")}
        ends = {(r[2] if op in ("<", "<=") else lt[2]) for lt, op, r in ineqs
                if lt[0] == r[0] == parent.id and op in ("<", "<=", ">", ">=") and {lt[2], r[2]} <= times}
        events = [c.name for c in node.columns if c.type in ("date", "datetime") and c.after_parent
                  and (c.generator.datetime_series or c.generator.diffusion_curve)]
        for end in sorted(e for e in ends if not write_stamp(e)):
            loose = [c for c in events if not any({(lt[0], lt[2]), (r[0], r[2])} == {(node.id, c), (parent.id, end)}
                                                   for lt, _, r in ineqs)]
            if loose:
                yield Problem(node_path(i), f"{node.id}.{', '.join(loose)} may fall before or after {parent.id}.{end}, "
                              f"the end of the interval {parent.id} declares: add an inequality with {parent.id}.{end} "
                              "('<=' during it, '>=' after it)", "warning")
