"""One output table being written: chunk pieces in, the parquet file (or parts) out, plus what later tables keep
of it (keys, creation times, segments; spilled to ``SPILL_DIR`` past a size) and the notes of what could not be
done as declared. Sequence keys are completed here, in chunk order: row numbers from the table's offset, or —
a fact numbered in time order across chunks — ranks from :mod:`time_ranks`."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pyarrow as pa

from datagen_contracts import dsl

from ..chunks import Piece
from ..columns.faker_pools import template, template_capacity
from ..columns.references import EarlierRows
from ..columns.self_lookups import resolve_self_lookups
from ..errors import GenerationError
from .stage import Stage
from .store import SPILL_DIR, KeptTable, SeqCol, Spool, as_numpy
from .time_ranks import TimeRanks
from .writer import TableWriter, arrow_schema, column_kinds, dictionary_columns, file_name, to_arrow

__all__ = ["SPILL_DIR", "TableSink", "table_sink"]


class TableSink:
    """Writes one output table and collects what later tables keep of it."""

    def __init__(self, staging: Path, name: str, kinds: Sequence[tuple[str, str, bool]], keep: set[str],
                 seqs: dict[str, tuple[int, int]], keep_rows: bool = False, dictionary: list[str] | None = None,
                 background: Executor | None = None, part_rows: int | None = None, *, path: str | None = None,
                 offset: int = 0, stage: Stage | None = None) -> None:
        """``path`` (relative to ``staging``): one part file of the table written by a worker, whose first row is
        row ``offset`` of the table (see ``scaleout``); else the table's own file or folder of parts. ``stage``:
        the run's staging, when the kept columns spilled here may be read in other processes."""
        self.name, self.kinds, self.keep, self.seqs, self.keep_rows = name, kinds, keep, seqs, keep_rows
        self.pk: str | None = None  # the key column, when the table has several sequences
        self.staging, stem = staging, Path(file_name(name)).stem
        target = path or (file_name(name) if part_rows is None else stem)
        self.writer = TableWriter(staging / target, arrow_schema(kinds), dictionary, background, part_rows)
        self.offset = self.first = offset
        if path is not None:  # this part's kept columns spill beside the other parts', never onto them
            stem = f"{stem}.{Path(path).stem}"
        spill = staging / SPILL_DIR
        self.parts = {c: Spool(spill / f"{stem}.{i}.col", stage=stage) for i, c in enumerate(sorted(keep))}
        self.null_parts = {c: Spool(spill / f"{stem}.{i}.nulls", stage=stage) for i, c in enumerate(sorted(keep))}
        self.extra = {k: Spool(spill / f"{stem}.{k}", stage=stage)
                      for k in ("created", "fanout_mult", "value_mult", "segment", "decay")}
        self.notes: dict[str, int | None] = {}
        self.earlier: dict[str, EarlierRows] = {}  # self-lookups: every row of the table (a first pass)
        self.ranks: TimeRanks | None = None  # a fact numbered in time order across chunks (see time_ranks)
        self.last_ranks: np.ndarray | None = None  # the latest chunk's rows' ranks

    def ids(self, offset: int, rows: np.ndarray) -> np.ndarray:
        """The key of each of the latest chunk's ``rows`` (that chunk starting at row ``offset``)."""
        start, step = self.pk_seq()
        rows = np.asarray(rows, dtype=np.int64)
        return start + (offset + rows if self.last_ranks is None else self.last_ranks[rows]) * step

    def add(self, piece: Piece, ref_offsets: dict[str, int], sinks: dict[str, TableSink]) -> None:
        cols = dict(piece.columns)
        if self.ranks is not None:
            self.last_ranks = self.ranks.assign(as_numpy(cols[self.ranks.column]), piece.nulls.get(self.ranks.column))
        for c in piece.deferred:
            start, step = self.seqs[c]
            last = start + (self.offset + piece.n - 1) * step  # Python ints: exact, never wraps
            if not -(2**63) <= last < 2**63:
                raise GenerationError(f"{self.name}.{c}: the sequence (start {start}, step {step}) passes the int64 "
                                      f"range at row {self.offset + piece.n:,}; lower its start or step")
            cols[c] = (SeqCol(start + self.offset * step, step, piece.n) if self.last_ranks is None
                       else start + self.last_ranks * step)
        for c, text_ in piece.templates.items():  # a fact's unique template: the table's row numbers
            cols[c] = template(text_, self.offset + np.arange(piece.n, dtype=np.int64), None, True)
            if self.offset + piece.n > template_capacity(text_):
                piece.notes.append(f"{c}: the template {text_!r} has fewer combinations than rows: values repeat")
        resolve_self_lookups(piece, cols, self.offset, self.earlier)
        for c, table in piece.refs.items():
            cols[c] = sinks[table].ids(ref_offsets[table], cols[c])
        arrays = []
        for name, kind, _ in self.kinds:
            v = cols[name]
            arrays.append(to_arrow(v.values() if isinstance(v, SeqCol) else v, kind, piece.nulls.get(name)))
        self.writer.write(pa.Table.from_arrays(arrays, schema=self.writer.schema))
        for c in self.keep:
            self.parts[c].append(cols[c])
            self.null_parts[c].append(piece.nulls.get(c, np.zeros(piece.n, bool)))
        for note in piece.notes:  # "<count> rows ...": summed over chunks; any other note is kept once
            count, _, text = note.partition(" ")
            if count.isdigit():
                self.notes[text] = (self.notes.get(text) or 0) + int(count)
            else:
                self.notes[note] = None
        for key, spool in self.extra.items():
            value = getattr(piece, key) if self.keep_rows else None
            if value is not None:
                spool.append(value)
        self.offset += piece.n

    def relative_path(self) -> str:
        """The table's file, or its directory of parts, relative to the dataset directory."""
        return self.writer.path.relative_to(self.staging).as_posix()

    def relative_files(self) -> tuple[str, ...]:
        return tuple(f.relative_to(self.staging).as_posix() for f in self.writer.files)

    def pk_seq(self) -> tuple[int, int]:
        return next(iter(self.seqs.values())) if len(self.seqs) == 1 else self.seqs[str(self.pk)]

    def finish(self) -> KeptTable:
        self.writer.close()
        rows = self.offset - self.first
        kept = KeptTable(self.name, rows)
        for c in self.keep:
            kept.columns[c] = self.parts[c].finish()
            nulls = self.null_parts[c]
            if nulls.any_true:
                kept.nulls[c] = nulls.finish()
        for key, spool in self.extra.items():
            if spool.parts_count and spool.rows == rows:
                setattr(kept, key, spool.finish())
        self.parts.clear()
        return kept


def table_sink(staging: Path, node: dsl.Node, keep: set[str], needed: bool, background: Executor | None = None,
               part_rows: int | None = None, *, path: str | None = None, offset: int = 0,
               stage: Stage | None = None) -> TableSink:
    """The sink of a node's own table (its touchpoint table, if any, has another)."""
    seqs = {c.name: (c.generator.sequence.start, c.generator.sequence.step) for c in node.columns if c.generator.sequence}
    sink = TableSink(staging, node.id, column_kinds(node), keep if needed else set(), seqs, needed,
                     dictionary_columns(node), background, part_rows, path=path, offset=offset, stage=stage)
    sink.pk = node.pk
    return sink
