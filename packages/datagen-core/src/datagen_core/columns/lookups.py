"""``lookup`` columns: the primary parent's value (an exact FK copy), a row of another table, or another row of
the same table — always a row that already existed at the referencing row's time (see ``references``).

The referencing row's time is its table's creation column, generated before any lookup (chunks reorders it
first). A row whose time precedes every candidate gets the earliest-created candidate and its time is moved up to
that candidate's creation (snapped to the column's ``freq``) when that stays inside the row's window; otherwise a
fact row is not generated and an entity row keeps the earliest candidate; both are counted in the generation
warnings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from datagen_contracts import dsl

from ..arrays import fixed_width
from ..behaviours.runs import cummax_per_parent
from ..errors import GenerationError, required
from ..frame import Frame
from ..output.store import KeptTable, as_numpy, take
from ..timestamps import DAY, ceil_to, freq_step
from .order import self_lookup_mode
from .references import KeyedRowsByTime, KeyIndex


def gen_lookup(col: dsl.Column, frame: Frame) -> Any:
    spec = required(col.generator.lookup, "lookup")
    table, _, column = spec.from_.partition(".")
    node = frame.node
    if table == node.id:
        return _self_lookup(col, frame, column)
    if node.parents and table == node.parents[0] and not spec.on:
        return take(required(frame.primary, "the primary parent's rows").columns[column],
                    required(frame.parent_idx, "the parent index"))
    other = frame.tables[table]
    if other.n == 0:
        return _nothing_to_reference(col, frame, table)
    if spec.on:
        key = (table, tuple(sorted(spec.on.items())))
        if key not in frame.keyed_picks:  # lookups with the same table and keys read the same row
            rows = _matching_rows(col, frame, other, table, spec.on)
            missing = rows < 0
            if missing.any():
                rows = np.where(missing, pick_rows(frame, table, frame.rng(col.name, "fallback")), rows)
            frame.keyed_picks[key] = (rows, missing)
        rows, missing = frame.keyed_picks[key]
        if col.nullable and missing.any():
            frame.nulls[col.name] = missing
    else:
        if table not in frame.picks:
            frame.picks[table] = pick_rows(frame, table, frame.rng("pick", table))
        rows = frame.picks[table]
    out = take(other.columns[column], rows)
    if column in other.nulls:
        frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | other.nulls[column][rows]
    return out


def _nothing_to_reference(col: dsl.Column, frame: Frame, table: str) -> Any:
    """A lookup into a table without rows (``rows: 0``, or a fact none of whose parents had children): null where
    the column is nullable; else a fact row is not generated (counted in a warning) and an entity is an error."""
    everything = np.ones(frame.n, dtype=bool)
    if col.nullable:
        frame.nulls[col.name] = everything
    elif frame.parent_idx is not None:
        frame.mark_drop(everything)
        note = f"{frame.n} rows not generated: {table} has no rows to reference"
        if note not in frame.notes:  # once per chunk, whatever the number of lookups into the table
            frame.notes.append(note)
    else:
        raise GenerationError(f"{frame.node.id}.{col.name}: {table} has no rows to reference (give {table} rows, "
                              f"or declare {col.name} nullable)")
    if col.type == "string":
        return fixed_width(np.zeros((frame.n, 0), dtype=np.uint8))
    return np.zeros(frame.n, dtype=np.float64 if col.type == "float" else bool if col.type == "bool" else np.int64)


def row_time(frame: Frame) -> np.ndarray | None:
    """The referencing rows' own time (their creation column), when it is generated already."""
    name = frame.time_column
    return None if name is None or name not in frame.values else frame.numeric(name).astype(np.int64)


def pick_rows(frame: Frame, table: str, rng: np.random.Generator) -> np.ndarray:
    """One row of ``table`` per row of the chunk, created at or before the row's time when both have one."""
    other = frame.tables[table]
    t = row_time(frame)
    if t is None or other.created is None or other.n == 0:
        return other.sample_rows(rng, frame.n)
    rows, none_yet = other.sample_rows_before(rng, t)
    if none_yet.any():
        raise_time(frame, other.created[rows], none_yet, table)
    return rows


def _matching_rows(col: dsl.Column, frame: Frame, other: KeptTable, table: str, on: dict[str, str]) -> np.ndarray:
    """A random row of ``other`` whose ``on`` columns equal this row's (and created by the row's time); -1 when
    no row has the keys."""
    local = [as_numpy(frame.values[k]) for k in on]
    lk = local[0] if len(on) == 1 else _joined(local)
    columns = tuple(on.values())
    rk = other.index(("keys", columns), lambda: _joined([as_numpy(other.columns[v]) for v in columns])
                     if len(columns) > 1 else as_numpy(other.columns[columns[0]]))
    text = rk.dtype.kind in "OUS" or lk.dtype.kind in "OUS"
    lk = lk.astype(str) if text else lk

    def remote_keys() -> np.ndarray:
        return rk.astype(str) if text else rk

    rng = frame.rng(col.name, "on")
    t = row_time(frame)
    if t is not None and other.created is not None:
        created = other.created
        by_time = other.index(("on-time", columns, text), lambda: KeyedRowsByTime(remote_keys(), created))
        rows, none_yet = by_time.sample(rng, lk, t)
        if none_yet.any():
            raise_time(frame, other.created[np.maximum(rows, 0)], none_yet, table)
        return rows
    index = other.index(("on", columns, text), lambda: KeyIndex(remote_keys()))
    a, b = index.ranges(lk)
    found = b > a
    pick = a + (rng.random(len(lk)) * np.maximum(b - a, 1)).astype(np.int64)
    return np.where(found, index.order[np.minimum(pick, len(index.order) - 1)], -1)


def _joined(columns: list[np.ndarray]) -> np.ndarray:
    """Several key columns as one text key per row."""
    return np.array(["\x1f".join(map(str, t)) for t in zip(*columns, strict=True)], dtype=object)


def raise_time(frame: Frame, need: np.ndarray, rows: np.ndarray, table: str) -> None:
    """Move the time of ``rows`` up to ``need`` (the referenced row's creation) where the window allows it."""
    name = required(frame.time_column, "the creation column")
    col = required(frame.node.column(name), "the creation column")
    t = frame.numeric(name).astype(np.int64)
    lo_hi = frame.bounds.get(name)
    hi = lo_hi[1] if lo_hi is not None else np.full(frame.n, frame.timeframe[1], dtype=np.int64)
    new = np.maximum(t, need)
    step = freq_step(col.generator.datetime_series.freq) if col.generator.datetime_series else None
    if col.type == "date" and (step is None or (step[0] == "fixed" and step[1] < DAY)):
        step = ("fixed", DAY)
    if name in frame.prefilled and frame.parent_idx is not None:
        _shift_runs(frame, name, t, need, rows, hi, table)
        return
    if step is not None:
        new = ceil_to(new, step)
    movable = rows & (new <= hi) & (name not in frame.prefilled)
    frame.values[name] = np.where(movable, new, t)
    stuck = rows & ~movable
    if stuck.any():
        if frame.parent_idx is not None and name not in frame.prefilled:
            frame.mark_drop(stuck)
            note = f"{int(stuck.sum())} rows not generated: no {table} row existed before the end of their {name} window"
        else:
            note = f"{int(stuck.sum())} rows reference the earliest {table} row although it was created after their {name}"
        frame.notes.append(note)


def _shift_runs(frame: Frame, name: str, t: np.ndarray, need: np.ndarray, rows: np.ndarray, hi: np.ndarray,
                table: str) -> None:
    """A funnel's or state model's time moves up to ``need`` together with every later row of the same parent
    (rows come ordered by parent, then time), so stage and transition times still increase; rows pushed past their
    window's end are not generated — the funnel or lifecycle is cut there, as when it runs out of time."""
    shift = cummax_per_parent(np.where(rows, np.maximum(need - t, 0), 0), required(frame.parent_idx, "the parent index"))
    if required(frame.node.column(name), name).type == "date":  # whole days stay whole days
        shift = ceil_to(shift, ("fixed", DAY))
    frame.values[name] = t + shift
    cut = t + shift > hi
    if cut.any():
        frame.mark_drop(cut)
        frame.notes.append(f"{int(cut.sum())} rows not generated: moved after the first {table} row, their {name} "
                           "left the window")


def _self_lookup(col: dsl.Column, frame: Frame, column: str) -> np.ndarray:
    """Another row of the same table (e.g. manager_id, reply_to_id): never the row itself, never a cycle; with
    ``on`` keys, a row whose keys match. With a creation time, any row created earlier (ties broken by row
    number), in any chunk; without one, an earlier row number. The engine resolves it once it knows every row
    (``order.self_lookup_mode``: from this chunk's uniform numbers, ``references.EarlierRows``), except in an
    entity whose self-lookup another column of the row reads: then within the chunk. The first row (of its key)
    has none: null when nullable, else the next one."""
    target = frame.node.column(column)
    if target is None or target.generator.sequence is None:  # ``limits`` reports it before generating
        raise GenerationError(f"{frame.node.id}.{col.name}: a self-lookup must read the table's sequence key")
    seq = target.generator.sequence
    u = frame.rng(col.name).random(frame.n)
    mode = self_lookup_mode(frame.schema, frame.node, col)
    if mode != "chunk":  # the engine writes the values once it knows every row; these stand in
        frame.self_refs[col.name] = (u, seq.start, seq.step, col.nullable, mode)
        return np.full(frame.n, seq.start, dtype=np.int64)
    i, t = required(frame.global_index, "an entity chunk's row numbers"), row_time(frame)
    if t is None:
        j = (u * np.maximum(i, 1)).astype(np.int64)
        first = i == 0
        nxt = np.ones(frame.n, dtype=np.int64)
    else:
        order = np.lexsort((i, t))
        rank = np.empty(frame.n, dtype=np.int64)
        rank[order] = np.arange(frame.n)
        j = i[order[(u * rank).astype(np.int64)]]
        first = rank == 0
        nxt = np.full(frame.n, i[order[min(1, frame.n - 1)]])
    if first.any():
        if col.nullable:
            frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | first
        else:
            j = np.where(first, nxt, j)
    return seq.start + j * seq.step
