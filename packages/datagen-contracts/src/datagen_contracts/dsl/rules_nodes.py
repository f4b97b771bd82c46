"""Rules over tables: top level, nodes and fanouts, behaviours and the fact blocks."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..paths import child, did_you_mean
from .interpret import infer_segment_column, parse_timestamp
from .nodes import Node
from .rule_context import FREQUENCY, MAX_ROWS, Ctx, col_path, node_path


def rule_top_level(ctx: Ctx) -> Iterator[Problem]:
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
    if s.timeframe.freq is not None and not FREQUENCY.match(s.timeframe.freq):
        yield Problem("$.timeframe.freq", f"unknown frequency {s.timeframe.freq!r} (e.g. 'H', 'D', 'M', '15min')")
    if not s.nodes:
        yield Problem("$.nodes", "a schema needs at least one node")


def rule_nodes(ctx: Ctx) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, node in enumerate(ctx.schema.nodes):
        path = node_path(i)
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
                yield Problem(child(col_path(i, j), "name"), f"duplicate column {col.name!r} in table {node.id!r}")
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


def _fanout(node: Node, path: str) -> Iterator[Problem]:
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


def rule_behaviours(ctx: Ctx) -> Iterator[Problem]:
    children: dict[str, list[Node]] = {}
    for node in ctx.schema.nodes:
        for parent in dict.fromkeys(node.parents):
            children.setdefault(parent, []).append(node)
    for i, node in enumerate(ctx.schema.nodes):
        path = node_path(i)
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


def _facts(ctx: Ctx, node: Node, path: str) -> Iterator[Problem]:
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
        for name, state in sm.states.items():
            spath = child(child(mpath, "states"), name)
            if not 0 <= state.transition_prob_per_period <= 1:
                yield Problem(child(spath, "transition_prob_per_period"), f"must be between 0 and 1, got {state.transition_prob_per_period}")
            for nxt, p in state.next_states.items():
                if nxt not in sm.states:
                    yield Problem(child(child(spath, "next_states"), nxt), f"unknown state {nxt!r}{did_you_mean(nxt, list(sm.states))}")
                if p < 0:
                    yield Problem(child(child(spath, "next_states"), nxt), f"probability must be >= 0, got {p}")
            if not state.terminal and state.transition_prob_per_period > 0 and not state.next_states:
                yield Problem(spath, "a state that transitions needs 'next_states' (or 'terminal': true)")
            if state.next_states and sum(state.next_states.values()) <= 0:
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
