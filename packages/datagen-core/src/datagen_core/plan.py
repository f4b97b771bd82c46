"""Expected rows and bytes per table before generating — pure arithmetic over the schema, no sampling.

``make_plan`` walks the tables in dependency order and multiplies expected counts: an entity has ``rows``
(default 1000) × scale, a vocab table one row per ``enum_list`` value, a fact one expected fanout per row of its
primary parent. Expectations are exact where the DSL fixes the distribution (a clamped Poisson is summed over
its pmf, a funnel is a sum of cumulative products, a state model is a Markov chain propagated period by period)
and documented approximations where it does not (vintage multipliers averaged over an entity's life, table
``effect`` modifiers as the time-weighted mean of their factor — :mod:`datagen_core.plan_effects` —, string widths per
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

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.dsl import (
    clamped_poisson_mean,
    dependencies,
    infer_segment_column,
    parse_timestamp,
    parse_weights_kind,
)

from .behaviours.attribution import money_column

if TYPE_CHECKING:
    from .plan_effects import TableEffects
from .behaviours.vintage import curve_value  # the engine's own curve: plan predicts what generation does

DEFAULT_ENTITY_ROWS = 1000
#: above this many rows in total, the plan warns and suggests a --scale
WARN_ROWS = 1_000_000_000
#: the total the suggested --scale aims at
SUGGESTED_ROWS = 10_000_000
#: on-disk bytes / raw bytes of a column in datagen-core's parquet output (zstd, dictionary pages), by
#: (type, generator) — measured over the 17 conformance datasets at seed 42. Random floats do not compress;
#: low-cardinality choices and repeated FK values almost vanish.
COMPRESSION: dict[tuple[str, str], float] = {
    ("int", "sequence"): 0.36, ("int", "lookup"): 0.12, ("int", "choice"): 0.06, ("int", "distribution"): 0.1,
    ("float", "distribution"): 1.0, ("float", "expression"): 1.0, ("float", "lookup"): 0.15,
    ("float", "choice"): 0.05, ("datetime", "datetime_series"): 0.3, ("date", "datetime_series"): 0.3,
    ("datetime", "choice"): 0.05, ("datetime", "lookup"): 0.15, ("date", "lookup"): 0.15,
    ("string", "choice"): 0.02, ("string", "faker"): 0.2, ("string", "lookup"): 0.05, ("bool", "choice"): 0.1,
}
#: fixed bytes of a parquet file (footer, schema, page headers, statistics): per file + per column
FILE_OVERHEAD = 2048
COLUMN_OVERHEAD = 800
#: for a (type, generator) pair not measured above
DEFAULT_COMPRESSION: dict[str, float] = {"int": 0.4, "float": 1.0, "datetime": 0.5, "date": 0.5, "string": 0.3,
                                         "bool": 0.1}

FIXED_WIDTHS = {"int": 8, "float": 8, "datetime": 8, "date": 4, "bool": 1}
#: average length in bytes of a faker method's strings (plus a 4-byte offset per value, added below)
FAKER_LENGTHS: dict[str, float] = {
    "address": 34, "bothify": 10, "city": 9, "color": 6, "company": 16, "company_suffix": 4, "country": 10,
    "country_code": 2, "currency_code": 3, "date_of_birth": 10, "domain_name": 14, "email": 24, "first_name": 6,
    "iban": 22, "ipv4": 13, "job": 18, "language_code": 2, "last_name": 7, "latitude": 10, "locale": 5,
    "longitude": 10, "name": 14, "numerify": 10, "paragraph": 320, "phone_number": 14, "postcode": 5,
    "sentence": 60, "slug": 20, "state": 9, "street_address": 20, "text": 200, "url": 28, "user_agent": 110,
    "user_name": 10, "uuid4": 36, "word": 7, "zipcode": 5,
}
STRING_OFFSET = 4
DEFAULT_STRING_LENGTH = 12
#: on-disk bytes per row of a touchpoint table (id, conversion fk, parent fk, channel, time, position, credit),
#: measured on the engine's output
TOUCHPOINT_ROW_BYTES = 20.0
_SECONDS = {"day": 86_400.0, "week": 7 * 86_400.0, "month": 30.4375 * 86_400.0, "year": 365.25 * 86_400.0}


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
            "compression": "per column type and generator (datagen_core.plan.COMPRESSION)",
            "warnings": list(self.warnings),
            "suggested_scale": self.suggested_scale,
        }


# ------------------------------------------------------------------------------------------- distributions


def fanout_mean(fanout: dsl.Fanout | None, multiplier: float = 1.0) -> float:
    """Expected children per parent row: clamped Poisson(λ·m), or the uniform integer mean × m."""
    if fanout is None:
        return 1.0 * multiplier
    if fanout.distribution == "uniform":
        lo, hi = fanout.min or 0, fanout.max if fanout.max is not None else fanout.min or 0
        return (lo + hi) / 2.0 * multiplier
    if fanout.distribution != "poisson" or fanout.dormant:  # a mixture of mean λ; its clamps are not modelled
        lam = (fanout.lam or 0.0) * multiplier
        return min(max(lam, fanout.min or 0), fanout.max) if fanout.max is not None else max(lam, fanout.min or 0)
    return clamped_poisson_mean((fanout.lam or 0.0) * multiplier, fanout.min, fanout.max)


def describe_fanout(fanout: dsl.Fanout | None) -> str:
    if fanout is None:
        return "1"
    if fanout.distribution == "uniform":
        return f"uniform[{fanout.min},{fanout.max}]"
    shape = {"negative_binomial": f", k={fanout.dispersion or 1.0:g}", "lognormal": f", σ={fanout.sigma or 1.0:g}",
             "zipf": f", a={fanout.exponent or 2.5:g}"}.get(fanout.distribution, "")
    text = f"{fanout.distribution}({_num(fanout.lam or 0)}{shape})"
    if fanout.dormant:
        text += f" with {fanout.dormant:.0%} dormant"
    if fanout.min is not None or fanout.max is not None:
        lo = "" if fanout.min is None else fanout.min
        hi = "" if fanout.max is None else fanout.max
        text += f" clamp[{lo},{hi}]"
    return text


def choice_shares(choice: dsl.ChoiceGen) -> dict[str, float]:
    """The share of each listed choice (weights, ``weights_kind`` or uniform); {} for ``choices_ref``."""
    if choice.choices is None:
        return {}
    n = len(choice.choices)
    w = np.ones(n)
    if choice.weights is not None:
        w = np.asarray(choice.weights, dtype=np.float64)
    elif choice.weights_kind is not None and (parsed := parse_weights_kind(choice.weights_kind)) is not None:
        kind, params = parsed
        ranks = np.arange(1, n + 1, dtype=np.float64)
        if kind == "zipf":
            w = 1.0 / ranks ** params[0]
        elif kind == "head_tail":
            h, alpha = params
            n_head = max(1, n // 5)
            w = np.zeros(n)
            w[:n_head] = h / n_head
            if n > n_head:
                tail = 1.0 / np.arange(1, n - n_head + 1, dtype=np.float64) ** alpha
                w[n_head:] = (1.0 - h) * tail / tail.sum()
    total = w.sum()
    shares: dict[str, float] = {}
    for value, weight in zip(choice.choices, w / total if total > 0 else w, strict=True):
        shares[str(value)] = shares.get(str(value), 0.0) + float(weight)
    return shares


def segment_shares(parent: dsl.Node) -> tuple[dict[str, float], bool]:
    """Shares of the parent's segments, and whether they are known (a choice column or ``segments``)."""
    sb = parent.segment_behavior
    if sb is None:
        return {}, False
    column = parent.column(infer_segment_column(parent) or "")
    if column is not None and column.generator.choice is not None and column.generator.choice.choices:
        return choice_shares(column.generator.choice), True
    if sb.segments:
        total = sum(s.base_probability for s in sb.segments.values()) or 1.0
        return {k: s.base_probability / total for k, s in sb.segments.items()}, True
    names = list(sb.behaviors or {})
    return ({k: 1.0 / len(names) for k in names} if names else {}), False


# ------------------------------------------------------------------------------------------------ vintage




def column_window(col: dsl.Column, timeframe: tuple[datetime, datetime]) -> tuple[datetime, datetime] | None:
    """The window a generated time column draws from: its explicit ``within``, else the timeframe (None when
    the explicit window does not parse).

    >>> col = dsl.Column(name="t", type="datetime", generator=dsl.Generator(datetime_series=dsl.DatetimeSeriesGen(
    ...     within=dsl.Window(start="2024-03-01", end="2024-04-01"))))
    >>> column_window(col, (datetime(2024, 1, 1), datetime(2025, 1, 1)))[0]
    datetime.datetime(2024, 3, 1, 0, 0)
    """
    gen = col.generator.datetime_series or col.generator.diffusion_curve
    if gen is not None and isinstance(gen.within, dsl.Window):
        a, b = parse_timestamp(gen.within.start), parse_timestamp(gen.within.end)
        return (a, b) if a is not None and b is not None else None
    return timeframe


def _window_of(node: dsl.Node, column_name: str, timeframe: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
    col = node.column(column_name)
    window = None if col is None else column_window(col, timeframe)
    return window if window is not None and window[0] < window[1] else timeframe


def vintage_fanout_multiplier(parent: dsl.Node, timeframe: tuple[datetime, datetime]) -> float | None:
    """The fanout multiplier of the parent's vintage curves, averaged over each entity's life.

    An entity created at ``c`` (uniform over its created-at window) has children from ``c`` to the timeframe
    end; its multiplier is the curve's mean over that life, and the plan uses the mean over entities.
    """
    vb = parent.vintage_behavior
    if vb is None:
        return None
    curves = []
    for mult in vb.age_based_multipliers.values():
        targets = [mult.applies_to] if isinstance(mult.applies_to, str) else mult.applies_to
        if "fanout" in targets or "all" in targets:
            curves.append(mult)
    if not curves:
        return None
    c_start, c_end = _window_of(parent, vb.created_at_column, timeframe)
    end = timeframe[1]
    created = np.linspace(c_start.timestamp(), min(c_end, end).timestamp(), 41)
    fractions = (np.arange(60) + 0.5) / 60  # midpoints along each life
    means = []
    for c in created:
        life = max(end.timestamp() - c, 0.0)
        total = np.ones_like(fractions)
        for mult in curves:
            age = fractions * life / _SECONDS[mult.time_unit]
            total = total * curve_value(mult.curve, age)
        means.append(float(total.mean()))
    return float(np.mean(means))


# ------------------------------------------------------------------------------------------ funnels, states


def funnel_mean(stages: dsl.StageConfig, multiplier: float = 1.0) -> float:
    """Expected rows per parent: stage 0 is always reached, stage i with min(1, rate_i·m) after stage i-1."""
    total, reach = 0.0, 1.0
    for i, stage in enumerate(stages.stages):
        if i > 0:
            reach *= min(1.0, max(0.0, stage.transition_rate * multiplier))
        total += reach
    return total


def _is_churn_state(name: str, state: dsl.State) -> bool:
    return state.terminal or "churn" in name.lower()


def state_model_mean(model: dsl.StateTransitionModel, periods: float, churn_multiplier: float = 1.0) -> float:
    """Expected rows per parent: the initial state plus the expected transitions.

    Each period a non-terminal state ``s`` moves with probability ``p_s`` to a next state drawn from
    ``next_states`` (the weight of churn states — terminal or named ``*churn*`` — scaled by the churn
    multiplier, then renormalized), at most ``max_transitions`` times. A parent created uniformly in the
    timeframe has between 0 and ``periods`` periods left, so the expectation is averaged over that range.
    """
    names = list(model.states)
    index = {n: i for i, n in enumerate(names)}
    n, cap = len(names), max(model.max_transitions, 0)
    move = np.zeros((n, n))
    stay = np.ones(n)
    for name, st in model.states.items():
        if st.terminal or not st.next_states:
            continue
        weights = {k: v * (churn_multiplier if k in model.states and _is_churn_state(k, model.states[k]) else 1.0)
                   for k, v in st.next_states.items() if k in index}
        total = sum(weights.values())
        if total <= 0:
            continue
        p = st.transition_prob_per_period
        for k, v in weights.items():
            move[index[name], index[k]] += p * v / total
        stay[index[name]] = 1.0 - p
    # dist[s, t]: probability of being in state s after t transitions
    dist = np.zeros((n, cap + 1))
    dist[index[model.initial_state], 0] = 1.0
    whole = int(min(max(periods, 0.0), 10_000))
    expected = [0.0]
    for _ in range(whole):
        moved = move.T @ dist  # (n, cap+1): transitions made this period
        new = dist * stay[:, None]
        new[:, 1:] += moved[:, :-1]
        new[:, cap] += dist[:, cap] * (1.0 - stay)  # at the cap no further transition is made
        dist = new
        expected.append(float((dist * np.arange(cap + 1)).sum()))
    return 1.0 + float(np.mean(expected))


# --------------------------------------------------------------------------------------------------- bytes


def column_width(schema: dsl.Schema, col: dsl.Column, _seen: frozenset[str] = frozenset()) -> float:
    """Raw bytes per value of ``col`` (string widths estimated from the generator)."""
    if col.type in FIXED_WIDTHS:
        width = float(FIXED_WIDTHS[col.type])
    else:
        width = STRING_OFFSET + _string_length(schema, col, _seen)
    if col.nullable and col.null_rate:
        width *= 1.0 - col.null_rate
    return width


def _string_length(schema: dsl.Schema, col: dsl.Column, seen: frozenset[str]) -> float:
    g = col.generator
    if g.faker is not None:
        if g.faker.text:
            return float(len(g.faker.text))
        return float(FAKER_LENGTHS.get(g.faker.method, DEFAULT_STRING_LENGTH))
    if g.choice is not None and g.choice.choices:
        return sum(len(str(v)) * s for v, s in choice_shares(g.choice).items())
    if g.enum_list is not None and g.enum_list.values:
        return float(np.mean([len(str(v)) for v in g.enum_list.values]))
    ref = (g.lookup.from_ if g.lookup is not None else None) or (g.choice.choices_ref if g.choice else None)
    if ref and ref not in seen:
        table, _, name = ref.partition(".")
        other = schema.node(table)
        other_col = other.column(name) if other is not None else None
        if other_col is not None:
            return column_width(schema, other_col, seen | {ref}) - (STRING_OFFSET if other_col.type == "string" else 0)
    if g.sequence is not None:
        return 7.0
    if g.datetime_series is not None or g.diffusion_curve is not None:
        return 19.0
    return float(DEFAULT_STRING_LENGTH)


def compression(col: dsl.Column) -> float:
    """The on-disk share of a column's raw bytes (see ``COMPRESSION``)."""
    return COMPRESSION.get((col.type, col.generator.kind), DEFAULT_COMPRESSION[col.type])


def row_width(schema: dsl.Schema, node: dsl.Node) -> float:
    """Raw bytes per row."""
    return sum(column_width(schema, c) for c in node.columns)


def disk_width(schema: dsl.Schema, node: dsl.Node) -> float:
    """Estimated on-disk bytes per row (raw width × the column's compression)."""
    return sum(column_width(schema, c) * compression(c) for c in node.columns)


# ---------------------------------------------------------------------------------------------------- plan


def _num(x: float) -> str:
    return f"{x:g}"


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
    from .plan_effects import table_effects  # it builds on this module's helpers

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
        return rows, f"{base:,} rows" + ("" if scale == 1 else f" × scale {_num(scale)}")
    parent_name = node.parents[0]
    parent = schema.node(parent_name)
    parent_rows = expected.get(parent_name, 0.0)
    head = f"{_fmt_rows(parent_rows)} × "
    if node.stage_config is not None:
        sc = node.stage_config
        mults = {k: v.transition_multiplier for k, v in (sc.segment_variation or {}).items()}
        per, note = _segment_mean(parent, mults, lambda m: funnel_mean(sc, m))
        return parent_rows * per, head + f"funnel {len(sc.stages)} stages (E {per:.2f})" + _note(note)
    if node.state_transition_model is not None:
        sm = node.state_transition_model
        c_start, _ = _window_of(parent, parent.vintage_behavior.created_at_column, timeframe) \
            if parent is not None and parent.vintage_behavior else timeframe
        periods = (timeframe[1] - max(c_start, timeframe[0])).total_seconds() / _SECONDS[sm.period_unit]
        mults = {k: v.churn_multiplier for k, v in (sm.segment_variation or {}).items()}
        per, note = _segment_mean(parent, mults, lambda m: state_model_mean(sm, periods, m))
        text = f"states ≤{sm.max_transitions} transitions over ≤{periods:.0f} {sm.period_unit}s (E {per:.2f})"
        return parent_rows * per, head + text + _note(note)
    fanout = node.fanout
    mults: dict[str, float] = {}
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
