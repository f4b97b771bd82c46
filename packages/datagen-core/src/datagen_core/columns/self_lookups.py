"""Self-lookups resolved over the whole table (``columns.order.self_lookup_mode``): a first pass over the table's
chunks collects every row's creation time and ``on`` keys; then, as the engine assembles the chunks in order,
each self-lookup is drawn from the chunk's own uniform numbers — so the result is the same whatever the workers.

>>> import numpy as np
>>> from datagen_core.chunks import Piece
>>> piece = Piece("t", {"boss": np.zeros(3, np.int64)}, {}, 3,
...               self_refs={"boss": (np.array([0.5, 0.5, 0.5]), None, 1, 1, True, "rows")})
>>> cols = dict(piece.columns)
>>> resolve_self_lookups(piece, cols, 0, {})
>>> cols["boss"].tolist(), piece.nulls["boss"].tolist()  # earlier row numbers; the first row has none
([2, 1, 2], [True, False, False])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from datagen_contracts import dsl

from ..chunks import Piece
from ..errors import required
from ..output.store import as_numpy
from .order import column_order, self_lookups_deferred
from .references import EarlierRows, creation_column


def first_pass(schema: dsl.Schema, node: dsl.Node, pieces: Iterable[Piece]) -> dict[str, EarlierRows]:
    """Every row of ``node`` (its pieces in chunk order), per self-lookup column resolved over the table."""
    columns = [required(node.column(c), c) for c in self_lookups_deferred(schema, node)]
    times: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    keys: dict[str, tuple[list[Any], list[Any]]] = {c.name: ([], []) for c in columns}
    offset = 0
    for piece in pieces:
        refs = next(iter(piece.self_refs.values()), None)
        if refs is not None:
            times.append(piece.created if piece.created is not None else np.zeros(piece.n, np.int64))
            rows.append(offset + np.arange(piece.n, dtype=np.int64) if refs[1] is None else refs[1])
            for col in columns:
                on = required(col.generator.lookup, "lookup").on or {}
                keys[col.name][0].append(_key(piece, list(on.values())))
                keys[col.name][1].append(_key(piece, list(on)))
        offset += piece.n
    t = np.concatenate(times) if times else np.zeros(0, np.int64)
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    timed = _timed(node)
    out = {}
    for col in columns:
        remote, local = keys[col.name]
        keyed = bool(required(col.generator.lookup, "lookup").on) and bool(remote)
        out[col.name] = EarlierRows(t if col.name in timed else np.zeros(len(r), np.int64), r,
                                    np.concatenate(remote) if keyed else None, np.concatenate(local) if keyed else None)
    return out


def resolve_self_lookups(piece: Piece, cols: dict[str, Any], offset: int, earlier: dict[str, EarlierRows]) -> None:
    """Write the self-lookups of one piece into ``cols`` (its nulls into the piece): ``offset`` is the table's row
    count before the piece (a fact's row numbers), ``earlier`` the first pass."""
    for c, (u, rows, start, step, nullable, mode) in piece.self_refs.items():
        rows = offset + np.arange(piece.n, dtype=np.int64) if rows is None else rows
        if mode == "table":
            j, none = earlier[c].pick(u, rows)
        else:  # an earlier row number; the first row gets the next one
            j, none = (u * rows).astype(np.int64), rows == 0
            j = np.where(none, 1, j)
        cols[c] = start + j * step
        if nullable and none.any():
            piece.nulls[c] = piece.nulls.get(c, np.zeros(piece.n, bool)) | none


def _timed(node: dsl.Node) -> set[str]:
    """Columns generated after the table's creation column (a self-lookup among them orders by time)."""
    order = [c.name for c in column_order(node)]
    created = creation_column(node)
    return {c for c in order if created in order and order.index(created) < order.index(c)}


def _key(piece: Piece, names: list[str]) -> np.ndarray:
    """One comparable key per row of ``piece`` from its columns ``names`` (joined as text when several)."""
    if not names:
        return np.zeros(piece.n, np.int64)
    parts = [as_numpy(piece.columns[n]) for n in names]
    if len(parts) == 1:
        return parts[0].astype(str) if parts[0].dtype.kind == "O" else parts[0]
    return np.array(["\x1f".join(map(str, row)) for row in zip(*parts, strict=True)], dtype=object).astype(str)
