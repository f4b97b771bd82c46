"""Generation of one chunk of one table — a pure function of (schema, seed, table, chunk, parent data), so it
runs the same in this process or any worker, and chunks can be written in order whatever finished first.

A chunk is ``CHUNK_ROWS`` rows of an entity, or the children of a fixed block of primary-parent rows of a fact
(the block size derives from the schema alone, so it never depends on the machine or the worker count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen_contracts import dsl
from datagen_contracts.dsl import infer_segment_column

from .arrays import from_numpy, indices, strings, to_numpy
from .behaviours.attribution import money_column, run_touchpoints
from .columns.intervals import ordered_pairs
from .columns.lookups import pick_rows
from .columns.modifiers import apply_modifier, finish_numeric, value_multipliers
from .columns.order import column_order
from .columns.references import creation_column
from .columns.values import GENERATORS
from .errors import required
from .fact_rows import event_column, fact_rows, thin_rows
from .frame import ChunkJob, Frame
from .output.store import as_numpy, shared
from .row_order import enforce_pair, keep_rows, reorder, time_order, time_referenced
from .timestamps import DAY


@dataclass
class Piece:
    """One chunk of one output table; sequences/refs are completed by the engine in chunk order."""

    name: str
    columns: dict[str, Any]
    nulls: dict[str, np.ndarray]
    n: int
    deferred: list[str] = field(default_factory=list)  # sequence columns holding the local row number
    refs: dict[str, str] = field(default_factory=dict)  # column -> table whose deferred pk it references
    #: self-lookup column -> (uniform per row, row number per row, target start, step, nullable): resolved across
    #: chunks by the engine (``references.EarlierRows``)
    self_refs: dict[str, tuple] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)  # column -> unique template to fill with row numbers
    created: np.ndarray | None = None
    fanout_mult: np.ndarray | None = None
    value_mult: np.ndarray | None = None
    segment: np.ndarray | None = None
    decay: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)  # what could not be done as declared (generation warnings)


def generate_chunk(job: ChunkJob) -> list[Piece]:
    schema, node = job.schema, job.schema.table(job.table)
    tables = {k: shared(v) for k, v in job.tables.items()}  # spilled columns mapped here, in the worker
    frame = Frame(schema, node, job.seed, job.chunk, 0, job.timeframe, primary=job.primary, tables=tables)
    frame.event_column = event_column(node)
    if node.kind == "vocab":
        frame.n = max(len(c.generator.enum_list.values) for c in node.columns if c.generator.enum_list)
        frame.global_index = np.arange(frame.n)
    elif node.parents:
        frame.parent_idx = fact_rows(job, node, frame)
        frame.n = len(frame.parent_idx)
    else:
        frame.global_index = np.arange(job.start, job.stop, dtype=np.int64)
        frame.n = len(frame.global_index)
        frame.total_rows = job.total
    frame.time_column = creation_column(node)
    pairs = ordered_pairs(schema, node)
    for col in column_order(node):
        frame.values[col.name] = _column(col, frame)
        if col.name == frame.time_column:
            for table in time_referenced(node):  # rows exist before they are referenced (may move this time)
                frame.picks[table] = pick_rows(frame, table, frame.rng("pick", table))
        touched = {col.name}  # the pairs it completes, then those downstream of a column they redrew (upstream first)
        for pair in pairs:
            if touched & {pair.early, pair.late} and pair.early in frame.values and pair.late in frame.values:
                enforce_pair(frame, pair)
                touched |= {pair.early, pair.late}
    frame.values = {c.name: frame.values[c.name] for c in node.columns}
    keep = None if frame.drop is None else ~frame.drop
    thin = thin_rows(node, job, frame)
    if thin is not None:
        keep = thin if keep is None else keep & thin
    if keep is not None and not keep.all():
        frame.values = {k: keep_rows(v, keep) for k, v in frame.values.items()}
        frame.nulls = {k: v[keep] for k, v in frame.nulls.items()}
        frame.parent_idx = frame.parent_idx[keep] if frame.parent_idx is not None else None
        if frame.global_index is not None:  # entity rows stay contiguous: never dropped (no parents)
            frame.global_index = frame.global_index[keep]
        frame.n = int(keep.sum())
    _null_rates(node, frame)
    _room_for_touches(job, node, frame)
    order = time_order(node, frame)
    piece = Piece(node.id, frame.values, frame.nulls, frame.n, deferred=frame.seq_deferred, notes=frame.notes)
    piece.templates = frame.templates
    piece.self_refs = {c: (reorder(u if keep is None else u[keep], order), frame.global_index, *rest)
                       for c, (u, *rest) in frame.self_refs.items()}
    _describe_rows(node, frame, piece)
    pieces = [piece]
    if node.attribution_chain is not None:
        pieces.append(_touchpoints(job, node, frame))
    return pieces


def _column(col: dsl.Column, frame: Frame) -> Any:
    if col.name in frame.prefilled and col.generator.sequence is None:
        v = frame.prefilled[col.name]
    else:
        v = GENERATORS[col.generator.kind](col, frame)
    for k, mod in enumerate(col.modifiers):
        v = apply_modifier(mod, col, v, frame, k)
    if col.type in ("int", "float", "bool") and not isinstance(v, pa.Array | pa.ChunkedArray):
        is_key = col.generator.lookup is not None or col.generator.sequence is not None
        v = np.asarray(v)
        if not is_key or v.dtype.kind == "f":
            v = value_multipliers(col, frame, v.astype(np.float64)) if col.type != "bool" else v
            v = finish_numeric(col, frame, np.asarray(v, dtype=np.float64)) if col.type != "bool" else v.astype(bool)
        else:
            v = v.astype(np.int64) if col.type == "int" else v
    cap = col.constraints.max_length if col.constraints is not None else None
    if cap and col.type == "string" and col.generator.lookup is None and col.name not in frame.templates:
        v = cut_text(v, cap)  # a lookup copies its parent's values; a unique template is filled later, whole
    return v


def cut_text(v: Any, chars: int) -> Any:
    """Text values cut to ``chars`` characters (a declared ``max_length``), in the form they came in."""
    if isinstance(v, pa.ChunkedArray):
        v = v.combine_chunks()
    if isinstance(v, pa.DictionaryArray):
        return pa.DictionaryArray.from_arrays(v.indices, pc.utf8_slice_codeunits(v.dictionary, 0, chars))
    if isinstance(v, pa.Array):
        return pc.utf8_slice_codeunits(v, 0, chars)
    arr = np.asarray(v)
    if arr.dtype.kind == "U":
        return arr.astype(f"<U{chars}")
    return pc.utf8_slice_codeunits(pa.array(arr, pa.string()), 0, chars)


def _null_rates(node: dsl.Node, frame: Frame) -> None:
    for col in node.columns:
        if col.nullable and col.null_rate and col.name != node.pk:
            mask = frame.rng(col.name, "nulls").random(frame.n) < col.null_rate
            frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | mask
        if col.present_if:  # NULL wherever a condition column holds none of its listed values (or is NULL)
            absent = np.zeros(frame.n, bool)
            for other, allowed in col.present_if.items():
                values = frame.values[other]
                text_values = values if isinstance(values, pa.Array | pa.ChunkedArray) else from_numpy(np.asarray(values))
                hit = pc.is_in(pc.cast(text_values, pa.string()), value_set=strings([str(v).lower() if isinstance(v, bool) else str(v) for v in allowed]))
                absent |= ~(to_numpy(hit) == True) | frame.nulls.get(other, np.zeros(frame.n, bool))  # noqa: E712
            frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | absent


def _describe_rows(node: dsl.Node, frame: Frame, piece: Piece) -> None:
    """Per-row facts later tables need: creation time and segment multipliers."""
    created_col = creation_column(node)
    if created_col is not None:
        piece.created = frame.numeric(created_col).astype(np.int64)
    elif frame.primary is not None and frame.primary.created is not None:
        piece.created = frame.primary.created[frame.parent_idx]
    sb = node.segment_behavior
    seg_col = infer_segment_column(node) if sb is not None else None
    if sb is not None and seg_col is not None and seg_col in frame.values:
        seg = as_numpy(frame.values[seg_col]).astype(object)
        piece.segment = seg
        fan, val, decay = np.ones(frame.n), np.ones(frame.n), np.zeros(frame.n)
        for name, eff in (sb.behaviors or {}).items():
            fan[seg == name] = eff.fanout_multiplier
            val[seg == name] = eff.value_multiplier
            decay[seg == name] = eff.decay_rate or 0.0
        piece.fanout_mult, piece.value_mult = fan, val
        piece.decay = decay if any(e.decay_rate for e in (sb.behaviors or {}).values()) else None


def _room_for_touches(job: ChunkJob, node: dsl.Node, frame: Frame) -> None:
    """A conversion made the instant its parent appeared has no room for the touches it must have before it
    (``min_touches``): it happens a second later (a day for a date), when the window allows — before anything
    reads the row's time."""
    ac, event, created = node.attribution_chain, frame.event_column, frame.parent_created()
    if ac is None or ac.min_touches <= 0 or not event or created is None:
        return
    conv_t = frame.numeric(event).astype(np.int64)
    lower = np.maximum(created, job.timeframe[0])
    tight = conv_t <= lower
    if not tight.any():
        return
    step = DAY if required(node.column(event), event).type == "date" else 1_000_000
    moved = lower + step
    fits = tight & (moved <= job.timeframe[1])
    frame.values[event] = np.where(fits, moved, conv_t)
    if (tight & ~fits).any():
        frame.notes.append(f"{int((tight & ~fits).sum())} {node.id} rows converted at the window's end keep fewer "
                           f"than {ac.min_touches} touches: no room before them")


def _touchpoints(job: ChunkJob, node: dsl.Node, frame: Frame) -> Piece:
    ac, pk = required(node.attribution_chain, "attribution_chain"), required(node.pk, "the conversion's key")
    conv_t = frame.numeric(frame.event_column).astype(np.int64) if frame.event_column else np.full(frame.n, job.timeframe[1])
    created = frame.parent_created()
    lower = np.maximum(created if created is not None else np.full(frame.n, job.timeframe[0]), job.timeframe[0])
    conv, channel, t, pos, credit = run_touchpoints(ac, frame.rng("__touchpoints__"), conv_t, lower)
    name = required(node.touchpoint_table, "the touchpoint table")
    parent_fk = next((c.name for c in node.columns if c.generator.lookup
                      and c.generator.lookup.from_.partition(".")[0] == node.parents[0]), None)
    deferred_pk = pk in frame.seq_deferred
    key = conv if deferred_pk else as_numpy(frame.values[pk])[conv]
    cols: dict[str, Any] = {"touchpoint_id": np.arange(len(conv), dtype=np.int64), pk: key}
    if parent_fk is not None and parent_fk != pk:
        cols[parent_fk] = as_numpy(frame.values[parent_fk])[conv]
    cols["channel"] = strings(ac.channels).take(indices(channel))
    cols["touched_at"] = t
    cols["touch_position"] = pos
    cols["attribution_credit"] = np.round(credit, 6)
    nulls = {}
    money = money_column(node)
    if money is not None:
        value = frame.numeric(money).astype(np.float64)
        cols[f"attributed_{money}"] = value[conv] * credit
        decimals = dsl.money_decimals(required(node.column(money), money))
        if decimals is not None:  # shares of an amount in cents are cents that still add up to it
            cols[f"attributed_{money}"] = _split_rounded(cols[f"attributed_{money}"], conv, value, decimals)
        if money in frame.nulls:
            nulls[f"attributed_{money}"] = frame.nulls[money][conv]
    return Piece(name, cols, nulls, len(conv), deferred=["touchpoint_id"],
                 refs={pk: node.id} if deferred_pk else {}, created=t)


def _split_rounded(shares: np.ndarray, owner: np.ndarray, total: np.ndarray, decimals: int) -> np.ndarray:
    """``shares`` rounded to ``decimals``, the rounding residue of each owner's total put on its last share, so
    the rounded shares of an owner still add up to its (rounded) total.

    >>> _split_rounded(np.array([1/3, 1/3, 1/3]), np.array([0, 0, 0]), np.array([1.0]), 2).tolist()
    [0.33, 0.33, 0.34]
    """
    out = np.round(shares, decimals)
    if not len(out):
        return out
    residue = np.round(total - np.bincount(owner, weights=out, minlength=len(total)), decimals)
    last = len(owner) - 1 - np.unique(owner[::-1], return_index=True)[1]  # the last share of each owner
    owners = owner[last]
    out[last] = np.round(out[last] + residue[owners], decimals)
    return out
