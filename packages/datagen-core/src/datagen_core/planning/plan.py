"""Expected rows and bytes per table before generating — pure arithmetic over the schema, no sampling.

``make_plan`` walks the tables in dependency order and multiplies expected counts: an entity has ``rows``
(default 1000) × scale, a vocab table one row per ``enum_list`` value, a fact one expected fanout per row of its
primary parent. Expectations are exact where the DSL fixes the distribution (a clamped Poisson is summed over
its pmf, a funnel is a sum of cumulative products, a state model is a Markov chain propagated period by period)
and documented approximations where it does not (vintage multipliers averaged over an entity's life, table
``effect`` modifiers as the time-weighted mean of their factor — :mod:`datagen_core.planning.effects` —, string widths per
generator). It runs in milliseconds even for a schema that would produce billions of rows.

>>> from datagen_contracts.dsl import loads_schema
>>> schema = loads_schema(b'''{"version": "1.0", "metadata": {"name": "demo"}, "constraints": {},
...   "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
...   "nodes": [{"id": "user", "rows": 5000, "pk": "id", "columns": [
...               {"name": "id", "type": "int", "generator": {"sequence": {}}}]},
...             {"id": "event", "kind": "fact", "parents": ["user"], "pk": "id",
...              "fanout": {"distribution": "poisson", "lambda": 8, "min": 0, "max": 50},
...              "columns": [{"name": "id", "type": "int", "generator": {"sequence": {}}}]}]}''')
>>> plan = make_plan(schema, scale=1.0)
>>> [(t.name, t.rows) for t in plan.tables], plan.total_rows
([('user', 5000), ('event', 40000)], 45000)
>>> plan.tables[1].how
'5000 × poisson(8) clamp[0,50]'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from datagen_contracts import dsl
from datagen_contracts.dsl import (
    dependencies,
    parse_timestamp,
)

from ..behaviours.attribution import money_column

if TYPE_CHECKING:
    from .effects import TableEffects
from .means import (
    SECONDS_PER_UNIT,
    describe_fanout,
    fanout_mean,
    funnel_mean,
    segment_shares,
    state_model_mean,
    vintage_fanout_multiplier,
    window_of,
)
from .widths import COLUMN_OVERHEAD, FILE_OVERHEAD, TOUCHPOINT_ROW_BYTES, disk_width

DEFAULT_ENTITY_ROWS = 1000
#: above this many rows in total, the plan warns and suggests a --scale
WARN_ROWS = 1_000_000_000
#: the total the suggested --scale aims at
SUGGESTED_ROWS = 10_000_000


@dataclass(frozen=True)
class TablePlan:
    """One table of a plan: expected rows, estimated bytes on disk, and how the rows come about."""

    name: str
    rows: int
    bytes: int
    how: str
    kind: str = "entity"
    row_bytes: float = 0.0  # estimated on-disk bytes per row

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "rows": self.rows, "bytes": self.bytes, "how": self.how}


@dataclass(frozen=True)
class Plan:
    """Expected size of a generation run; ``tables`` in generation order."""

    scale: float
    tables: list[TablePlan]
    warnings: list[str] = field(default_factory=list)
    suggested_scale: float | None = None

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def total_bytes(self) -> int:
        return sum(t.bytes for t in self.tables)

    def table(self, name: str) -> TablePlan | None:
        return next((t for t in self.tables if t.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "tables": [t.to_dict() for t in self.tables],
            "total_rows": self.total_rows,
            "total_bytes": self.total_bytes,
            "compression": "per column type and generator (datagen_core.planning.widths.COMPRESSION)",
            "warnings": list(self.warnings),
            "suggested_scale": self.suggested_scale,
        }


# ---------------------------------------------------------------------------------------------------- plan


def _order(schema: dsl.Schema) -> list[dsl.Node]:
    deps = dependencies(schema)
    done: dict[str, dsl.Node] = {}
    nodes = {n.id: n for n in schema.nodes}

    def visit(name: str, trail: frozenset[str]) -> None:
        if name in done or name not in nodes or name in trail:
            return
        for d in sorted(deps.get(name, ())):
            visit(d, trail | {name})
        done[name] = nodes[name]

    for node in schema.nodes:
        visit(node.id, frozenset())
    return list(done.values())


def _segment_mean(parent: dsl.Node | None, multipliers: dict[str, float], expectation: Any) -> tuple[float, str]:
    """E over the parent's segments of ``expectation(multiplier)``, and a note for ``how``."""
    if parent is None or not multipliers:
        return expectation(1.0), ""
    shares, known = segment_shares(parent)
    if not shares:
        shares, known = {k: 1.0 / len(multipliers) for k in multipliers}, False
    value = sum(share * expectation(multipliers.get(seg, 1.0)) for seg, share in shares.items())
    return value, "segments" + ("" if known else " (equal shares assumed)")


def make_plan(schema: dsl.Schema, scale: float = 1.0) -> Plan:
    """Expected rows and bytes of every table of ``schema`` generated at ``scale`` (no data is touched)."""
    if not scale > 0 or math.isinf(scale):
        raise ValueError(f"scale must be a positive number, got {scale}")
    tf_start = parse_timestamp(schema.timeframe.start) or datetime(1970, 1, 1)
    tf_end = parse_timestamp(schema.timeframe.end) or tf_start
    timeframe = (tf_start, tf_end)
    expected: dict[str, float] = {}
    tables: list[TablePlan] = []
    for node in _order(schema):
        rows, how = _expected_rows(schema, node, scale, expected, timeframe)
        expected[node.id] = rows
        width = disk_width(schema, node)
        tables.append(_table(node.id, node.kind, rows, width, how, len(node.columns)))
        if node.attribution_chain is not None and node.touchpoint_table:
            ac = node.attribution_chain
            touches = (ac.min_touches + ac.max_touches) / 2.0
            trows = rows * touches
            expected[node.touchpoint_table] = trows
            how_tp = f"{_fmt_rows(rows)} conversions × touches uniform[{ac.min_touches},{ac.max_touches}]"
            money = money_column(node) is not None  # attributed_<money column>: a random float, 8 bytes
            tables.append(_table(node.touchpoint_table, "touchpoint", trows, TOUCHPOINT_ROW_BYTES + 8.0 * money,
                                 how_tp, 7 + money))
    plan = Plan(scale=scale, tables=tables)
    total = plan.total_rows
    if total > WARN_ROWS:
        suggested = float(f"{scale * SUGGESTED_ROWS / total:.2g}")
        plan.warnings.append(
            f"this schema would generate {total:,} rows (~{_fmt_bytes(plan.total_bytes)}); "
            f"--scale {suggested:g} brings it to about {SUGGESTED_ROWS:,}"
        )
        plan = Plan(scale=scale, tables=tables, warnings=plan.warnings, suggested_scale=suggested)
    return plan


def _table(name: str, kind: str, rows: float, width: float, how: str, n_columns: int) -> TablePlan:
    n = round(rows)
    overhead = FILE_OVERHEAD + COLUMN_OVERHEAD * n_columns
    return TablePlan(name=name, kind=kind, rows=n, bytes=round(n * width) + overhead, how=how,
                     row_bytes=width)


def _expected_rows(
    schema: dsl.Schema, node: dsl.Node, scale: float, expected: dict[str, float],
    timeframe: tuple[datetime, datetime],
) -> tuple[float, str]:
    """Expected rows of ``node`` (and how they come about), table effects included."""
    from .effects import table_effects  # it builds on this module's helpers

    effects = table_effects(schema, node, timeframe, expected)
    rows, how = _rows_before_effects(schema, node, scale, expected, timeframe, effects)
    if effects is None:
        return rows, how
    if effects.kept != 1.0 or effects.oversampling != 1.0:
        how += f" × effects kept {effects.kept:.3f}"
    if effects.missed:
        how += f" (table effect of {', '.join(effects.missed)} not estimated)"
    return rows * effects.kept, how


def _rows_before_effects(
    schema: dsl.Schema, node: dsl.Node, scale: float, expected: dict[str, float],
    timeframe: tuple[datetime, datetime], effects: TableEffects | None,
) -> tuple[float, str]:
    """Expected rows as the engine draws them before table effects thin them (a fanout oversampled)."""
    if node.kind == "vocab":
        values = next((c.generator.enum_list.values for c in node.columns if c.generator.enum_list), [])
        return float(len(values)), f"enum_list {len(values)} values"
    if node.kind != "fact" or not node.parents:
        base = node.rows if node.rows is not None else DEFAULT_ENTITY_ROWS
        rows = 0.0 if base == 0 else float(max(1, round(base * scale)))  # as the engine: never 0 unless declared
        return rows, f"{base:,} rows" + ("" if scale == 1 else f" × scale {scale:g}")
    parent_name = node.parents[0]
    parent = schema.table(parent_name)
    parent_rows = expected.get(parent_name, 0.0)
    head = f"{_fmt_rows(parent_rows)} × "
    if node.stage_config is not None:
        sc = node.stage_config
        mults: dict[str, float] = {k: v.transition_multiplier for k, v in (sc.segment_variation or {}).items()}
        per, note = _segment_mean(parent, mults, lambda m: funnel_mean(sc, m))
        return parent_rows * per, head + f"funnel {len(sc.stages)} stages (E {per:.2f})" + _note(note)
    if node.state_transition_model is not None:
        sm = node.state_transition_model
        c_start, _ = window_of(parent, parent.vintage_behavior.created_at_column, timeframe) \
            if parent is not None and parent.vintage_behavior else timeframe
        periods = (timeframe[1] - max(c_start, timeframe[0])).total_seconds() / SECONDS_PER_UNIT[sm.period_unit]
        mults = {k: v.churn_multiplier for k, v in (sm.segment_variation or {}).items()}
        per, note = _segment_mean(parent, mults, lambda m: state_model_mean(sm, periods, m))
        text = f"states ≤{sm.max_transitions} transitions over ≤{periods:.0f} {sm.period_unit}s (E {per:.2f})"
        return parent_rows * per, head + text + _note(note)
    fanout = node.fanout
    mults = {}
    if parent is not None and parent.segment_behavior is not None and parent.segment_behavior.behaviors:
        mults = {k: v.fanout_multiplier for k, v in parent.segment_behavior.behaviors.items()}
    over = effects.oversampling if effects is not None else 1.0
    per, note = _segment_mean(parent, mults, lambda m: fanout_mean(fanout, m * over))
    how = head + describe_fanout(fanout)
    if note:
        how += f" × {note} (E {per / over:.2f})"
    if over != 1.0:
        how += f" × effects oversampled {over:.3g}"
    accrues = any(c.after_parent and c.type in ("datetime", "date")
                  and (c.generator.datetime_series or c.generator.diffusion_curve) for c in node.columns)
    # children with their own event times accrue over the parent's life with the declared mean kept overall (the
    # curves shape when they happen, not how many); otherwise the curves scale the count
    vintage = vintage_fanout_multiplier(parent, timeframe) if parent is not None and not accrues else None
    if vintage is not None:
        per *= vintage
        how += f" × vintage {vintage:.2f}"
    return parent_rows * per, how


def _note(note: str) -> str:
    return f" × {note}" if note else ""


def _fmt_rows(rows: float) -> str:
    return f"{round(rows):,}" if rows >= 10_000 else f"{round(rows)}"


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PB"  # pragma: no cover


def format_bytes(n: float) -> str:
    """Human bytes: ``format_bytes(1536)`` → ``'1.5 KB'``."""
    return _fmt_bytes(n)
