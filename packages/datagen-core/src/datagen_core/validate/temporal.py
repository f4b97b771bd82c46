"""Temporal checks: children at or after their parent's creation, funnel stages and state sequences in time
order per parent, attribution touchpoints between the converting entity's creation and the conversion."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from datagen_contracts import dsl

from .reading import ValidationContext, count
from .report import Check, category, result, skipped
from .values import comparable


def _parent_link(ctx: ValidationContext, child: str, parent: str) -> tuple[str, str, str] | None:
    """(child column, parent table, parent column) of the FK from ``child`` to ``parent``."""
    for table, column, ptable, pcol, _ in ctx.foreign_keys():
        if table == child and ptable == parent:
            return column, ptable, pcol
    return None


@category("temporal")
def check_after_parent(ctx: ValidationContext) -> Iterator[Check]:
    """Every fact time column the schema says follows its parent (``after_parent``, not a lookup) ≥ its primary
    parent's creation time."""
    for claim in ctx.said.after_parent:
        table, column, parent = claim.table, claim.column, claim.parent
        target = f"{table}.{column}"
        created = ctx.creation_column(parent)
        if created is None:
            yield skipped("temporal", "after_parent", target, f"parent {parent!r} has no creation time column")
            continue
        link = _parent_link(ctx, table, parent)
        if link is None:
            yield skipped("temporal", "after_parent", target, f"no foreign key from {table!r} to {parent!r}")
            continue
        fk_col, _, pk_col = link
        skip = next((s for t, c in ((table, column), (table, fk_col), (parent, created), (parent, pk_col))
                     if (s := ctx.missing("temporal", "after_parent", t, c, target=target)) is not None), None)
        if skip is not None:
            yield skip
            continue
        n, rows = count_before_parent(ctx, table, fk_col, column, parent, pk_col, created)
        yield result("temporal", "after_parent", target, n == 0, measured=n, expected=0, rows=rows,
                     failing_rows=n, message=f"vs {parent}.{created} via {fk_col}")


def count_before_parent(ctx: ValidationContext, table: str, fk_col: str, time_col: str, parent: str,
                        pk_col: str, created: str, *, after: bool = False) -> tuple[int, int]:
    """Rows of ``table`` whose ``time_col`` is strictly before the parent's ``created`` (joined on the FK);
    with ``after=True``, strictly after it instead."""
    par = ctx.scan(parent).select(pl.col(pk_col).alias("__k"), pl.col(created).alias("__p"))
    par = par.group_by("__k").agg(pl.col("__p").min())
    child = ctx.scan(table).select(pl.col(fk_col).alias("__k"), pl.col(time_col).alias("__l"))
    child = child.with_columns(pl.col("__k").cast(ctx.polars_type(parent, pk_col), strict=False))
    frame = child.join(par, on="__k", how="inner").select(pl.col("__l"), pl.col("__p").alias("__r"))
    left, right = comparable(pl.col("__l"), pl.col("__r"), frame)
    wrong = (left > right) if after else (left < right)
    return count(frame, (left.is_not_null() & right.is_not_null() & wrong).sum()), ctx.rows(table)


def _label_column(node: dsl.Node, labels: set[str], *, previous: bool = False) -> str | None:
    """The string column holding stage/state names: a choice over a subset of ``labels`` (``prev*`` = previous)."""
    for col in node.columns:
        ch = col.generator.choice
        if col.type != "string" or ch is None or ch.choices is None:
            continue
        if {str(c) for c in ch.choices if c not in ("", None)} <= labels and col.name.lower().startswith("prev") == previous:
            return col.name
    return None


def _sequence_frame(ctx: ValidationContext, node: dsl.Node, label: str, extra: list[str]) -> tuple[pl.LazyFrame, str, str] | None:
    link = _parent_link(ctx, node.id, node.parents[0]) if node.parents else None
    time_col = next((c.name for c in node.columns if c.type in ("datetime", "date")), None)
    needed = [label, *extra, *([link[0]] if link else []), *([time_col] if time_col else [])]
    if link is None or time_col is None or not all(ctx.has(node.id, c) for c in needed):
        return None
    frame = ctx.scan(node.id).select(pl.col(link[0]).alias("__p"), pl.col(time_col).alias("__t"),
                                     *[pl.col(c) for c in dict.fromkeys([label, *extra])])
    return frame, link[0], time_col


def _stage_order(ctx: ValidationContext, node: dsl.Node, sc: dsl.StageConfig) -> Check:
    names = [st.stage_name for st in sc.stages]
    label = _label_column(node, set(names))
    built = _sequence_frame(ctx, node, label, []) if label else None
    if label is None or built is None:
        return skipped("temporal", "stage_order", node.id, "no stage-name column, time column or parent key")
    frame, fk, time_col = built
    rank = pl.col(label).replace_strict(names, list(range(len(names))), default=-1, return_dtype=pl.Int64)
    ordered = frame.with_columns(rank.alias("__r")).sort(["__p", "__r", "__t"])
    same = pl.col("__p") == pl.col("__p").shift(1)
    bad = (pl.col("__r") < 0) | (~same.fill_null(False) & (pl.col("__r") != 0)) | (
        same.fill_null(False) & ((pl.col("__r") != pl.col("__r").shift(1) + 1) | (pl.col("__t") <= pl.col("__t").shift(1))))
    n = count(ordered, bad.sum())
    return result("temporal", "stage_order", f"{node.id}.{label}", n == 0, measured=n, expected=0,
                  rows=ctx.rows(node.id), failing_rows=n, message=f"per {fk}, by {time_col}")


def _state_sequence(ctx: ValidationContext, node: dsl.Node, sm: dsl.StateTransitionModel) -> Check:
    states = set(sm.states)
    label = _label_column(node, states)
    prev = _label_column(node, states, previous=True)
    built = _sequence_frame(ctx, node, label, [prev] if prev else []) if label else None
    if label is None or built is None:
        return skipped("temporal", "state_sequence", node.id, "no state column, time column or parent key")
    frame, fk, time_col = built
    terminal = [k for k, v in sm.states.items() if v.terminal]
    ordered = frame.sort(["__p", "__t"])
    same = (pl.col("__p") == pl.col("__p").shift(1)).fill_null(False)
    bad = (~pl.col(label).is_in(list(states))) | (~same & (pl.col(label) != sm.initial_state)) | (
        same & ((pl.col("__t") <= pl.col("__t").shift(1)) | pl.col(label).shift(1).is_in(terminal)))
    if prev:
        bad = bad | (same & (pl.col(prev).fill_null("") != pl.col(label).shift(1).fill_null("")))
    n = count(ordered, bad.fill_null(True).sum())
    return result("temporal", "state_sequence", f"{node.id}.{label}", n == 0, measured=n, expected=0,
                  rows=ctx.rows(node.id), failing_rows=n, message=f"per {fk}, by {time_col}")


@category("temporal")
def check_sequences(ctx: ValidationContext) -> Iterator[Check]:
    """Funnel stages: per parent, stages 0…k each once, times increasing with the stage. State models: per parent
    in time order, the first row is the initial state, each ``previous`` state is the row before's state, times
    increase, and no row follows a terminal state."""
    for node in ctx.schema.nodes:
        if node.stage_config is not None:
            yield _stage_order(ctx, node, node.stage_config)
        if node.state_transition_model is not None:
            yield _state_sequence(ctx, node, node.state_transition_model)


@category("temporal")
def check_touchpoints(ctx: ValidationContext) -> Iterator[Check]:
    """Attribution touchpoints: at or before their conversion, at or after the converting entity's creation.

    The touchpoint table's columns come from ``.metadata.json`` (its time column and foreign keys); without
    metadata the checks are skipped.
    """
    for node in ctx.schema.nodes:
        tp = node.touchpoint_table
        if tp is None or node.attribution_chain is None:
            continue
        meta = ctx.metadata.table(tp) if ctx.metadata is not None else None
        if meta is None or ctx.table(tp) is None:
            yield skipped("temporal", "touchpoint_order", tp, "touchpoint table or its .metadata.json entry is missing")
            continue
        time_col = meta.created_at_column or (meta.time_columns[0] if meta.time_columns else None)
        if time_col is None or not ctx.has(tp, time_col):
            yield skipped("temporal", "touchpoint_order", tp, "no time column declared for the touchpoint table")
            continue
        for fk in meta.foreign_keys:
            parent, created = fk.references_table, ctx.creation_column(fk.references_table)
            name = "before_conversion" if parent == node.id else "after_parent"
            target = f"{tp}.{time_col}" + (f"->{parent}" if name == "after_parent" else "")
            if created is None or not ctx.has(parent, created) or not ctx.has(tp, fk.column) \
                    or not ctx.has(parent, fk.references_column):
                yield skipped("temporal", name, target, f"no creation time on {parent!r}")
                continue
            n, rows = count_before_parent(ctx, tp, fk.column, time_col, parent, fk.references_column, created,
                                          after=name == "before_conversion")
            yield result("temporal", name, target, n == 0, measured=n, expected=0, rows=rows, failing_rows=n,
                         message=f"vs {parent}.{created} via {fk.column}")
