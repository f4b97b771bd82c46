"""The working state of one chunk of one table while its columns are generated in declared order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from datagen_contracts import dsl

from .output.store import KeptTable, as_numpy
from .rng import stream

#: rows per chunk — part of the output format: changing it changes the data for a given seed
CHUNK_ROWS = 65_536


@dataclass
class ChunkJob:
    schema: dsl.Schema
    seed: int
    table: str
    chunk: int
    start: int  # first entity row, or first primary-parent row
    stop: int
    timeframe: tuple[int, int]
    primary: KeptTable | None = None  # the primary parent's rows [start, stop)
    tables: dict[str, KeptTable] = field(default_factory=dict)
    #: mean exposure of all primary parents (:func:`mean_exposure`), when children accrue over their life
    exposure: float | None = None
    total: int = 0  # an entity table's rows (all chunks)



@dataclass
class Frame:
    schema: dsl.Schema
    node: dsl.Node
    seed: int
    chunk: int
    n: int
    timeframe: tuple[int, int]
    global_index: np.ndarray | None = None  # entity rows: their global row numbers
    total_rows: int = 0  # entity tables: rows of the whole table (creation times are stratified over them)
    parent_idx: np.ndarray | None = None  # fact rows: index into the primary-parent slice
    primary: KeptTable | None = None
    tables: dict[str, KeptTable] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # numpy arrays, or pyarrow arrays for strings
    nulls: dict[str, np.ndarray] = field(default_factory=dict)
    bounds: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # time columns: [lo, hi]
    drop: np.ndarray | None = None  # rows that cannot exist (empty time window after the parent's creation)
    picks: dict[str, np.ndarray] = field(default_factory=dict)  # sampled row of each other table, per row
    #: lookups with ``on``: (table, keys) -> (matching row per row, no-match mask), shared by the table's lookups
    keyed_picks: dict[tuple, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    slugs: dict[str, pa.Array] = field(default_factory=dict)  # name parts for emails: "first", "last"
    prefilled: dict[str, Any] = field(default_factory=dict)  # columns set by a behaviour (funnel, states)
    seq_deferred: list[str] = field(default_factory=list)
    #: self-lookups the engine resolves across chunks: column -> (uniform per row, target start, step, nullable)
    self_refs: dict[str, tuple] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)  # unique templates of a fact, filled by the engine
    event_column: str | None = None
    time_column: str | None = None  # the table's creation column: the rows' own time for references
    notes: list[str] = field(default_factory=list)  # what the engine could not do as declared (warnings)

    def rng(self, *parts: object) -> np.random.Generator:
        return stream(self.seed, self.node.id, *parts, self.chunk)

    def mark_drop(self, mask: np.ndarray) -> None:
        self.drop = mask if self.drop is None else (self.drop | mask)

    def numeric(self, name: str) -> np.ndarray:
        return as_numpy(self.values[name])

    def parent_created(self) -> np.ndarray | None:
        if self.primary is None or self.primary.created is None or self.parent_idx is None:
            return None
        return self.primary.created[self.parent_idx]

    def parent_values(self, column: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The primary parent row's ``column`` per row (numbers/times), and where it is null."""
        if self.primary is None or self.parent_idx is None or column not in self.primary.columns:
            return None
        from .output.store import take

        values = np.asarray(take(self.primary.columns[column], self.parent_idx))
        nulls = self.primary.nulls.get(column)
        return values, (np.zeros(self.n, bool) if nulls is None else np.asarray(nulls)[self.parent_idx])

    def is_unique(self, column: str) -> bool:
        """The column is this table's primary key or declared in ``constraints.unique``."""
        return column == self.node.pk or f"{self.node.id}.{column}" in self.schema.constraints.unique

    def row_ids(self) -> np.ndarray:
        """A number per row that no other row of the table shares: the global row for entities, else
        ``chunk·10⁹ + position`` (a chunk never holds 10⁹ rows)."""
        if self.global_index is not None:
            return self.global_index.astype(np.int64)
        return np.arange(self.n, dtype=np.int64) + np.int64(self.chunk) * 10**9

    def first_time_column(self) -> str | None:
        for col in self.node.columns:
            if col.type in ("datetime", "date") and col.name in self.values:
                return col.name
        return None
