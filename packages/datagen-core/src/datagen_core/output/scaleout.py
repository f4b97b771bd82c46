"""Generation spread over worker processes or a Dask cluster, each worker writing its own files.

A table is made in two rounds of tasks:

1. **one task per chunk**: the chunk is generated and its pieces pickled into the staging directory; the task
   returns only its row count and, for a fact numbered in time order (:mod:`time_ranks`), how many of its rows fall
   in each time slice;
2. **one task per output file** — the table's file, or each part of a partitioned table: consecutive chunks up to
   ``--partition-rows`` rows, the rule the one-process writer follows — reads its chunks back, completes their keys
   from the row offset (and time ranks) the client derived from round 1, writes the file and returns what later
   tables keep of it (numbers; arrays past a size stay as files in the staging directory). With a URI output
   (:mod:`destination`) the worker also uploads the file it wrote.

The client sends chunk jobs (the schema, the seed, the chunk's primary-parent rows, paths of spilled columns) and
receives counts and kept columns; no table's values travel back. Both rounds run the code the one-process engine
runs, in the same order, so every file is byte-identical for any worker count or executor. Workers must see the
staging directory at the same path (one machine, or a shared filesystem for a Dask cluster).

The one-process engine runs the same two rounds for a fact numbered in time order: round 1 on its generation
threads, round 2 (:func:`write_planned`) on ``PART_THREADS`` threads, one output file each.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from datagen_contracts import dsl

from ..chunks import generate_chunk
from ..errors import GenerationError
from ..frame import ChunkJob
from .dataset import file_facts
from .destination import Destination, upload
from .executors import depth
from .sink import SPILL_DIR, table_sink
from .stage import Stage
from .store import KeptTable, SpilledCol, Spool, as_numpy, for_workers, share
from .tables import FileFacts, TableFacts, table_facts
from .time_ranks import TimeRanks
from .writer import file_name, new_part, part_name


@dataclass
class ChunkFacts:
    """What round 1 returns for one chunk."""

    rows: int
    slices: np.ndarray | None = None  # the time slices its rows fall in (sorted, distinct)
    counts: np.ndarray | None = None  # rows per slice


def spill_chunk(job: ChunkJob, stage: Stage, key: str, rank_column: str | None, buckets: int,
                needed: bool = True) -> ChunkFacts:
    """Round 1 (in a worker): generate one chunk, pickle its pieces as ``key`` of the staging; return its counts.
    What round 2 never reads is not spilled: the row numbers of deferred sequences (the sink numbers the rows)
    and, for a table no other reads, the rows' creation times and segment factors."""
    pieces = generate_chunk(job)
    for piece in pieces:
        if piece.name == job.table:
            piece.columns = {c: None if c in piece.deferred else v for c, v in piece.columns.items()}
            if not needed:
                piece.created = piece.fanout_mult = piece.value_mult = piece.segment = piece.decay = None
    stage.dump(key, pieces)
    fact = pieces[0]
    if rank_column is None:
        return ChunkFacts(fact.n)
    counts = np.bincount(TimeRanks(rank_column, job.timeframe, buckets).slices(
        as_numpy(fact.columns[rank_column]), fact.nulls.get(rank_column)))  # no sort: slices are small ints
    slices = np.flatnonzero(counts)
    return ChunkFacts(fact.n, slices, counts[slices])


@dataclass
class PartJob:
    """Round 2: write the chunks ``spills`` (keys of the staging, in order) as the file ``path`` (relative to the
    dataset)."""

    schema: dsl.Schema
    table: str
    stage: Stage
    path: str
    offset: int  # the table row the file starts at
    spills: list[str]
    keep: set[str]
    needed: bool
    rank_column: str | None = None
    buckets: int = 0
    timeframe: tuple[int, int] = (0, 0)
    seen: np.ndarray | None = None  # time ranks given out before this file (see TimeRanks.seen)
    publish: Destination | None = None  # a URI output's Destination: the worker uploads the file it wrote


@dataclass
class PartFacts:
    rows: int
    kept: KeptTable
    notes: dict[str, int | None] = field(default_factory=dict)
    file: FileFacts | None = None
    arrow: pa.Schema | None = None


def write_part(job: PartJob) -> PartFacts:
    """Round 2 (in a worker): complete the chunks' keys, write the file, return what later tables keep (and the
    file's rows, bytes and sha256: hashed here, in parallel, not by the client)."""
    node, stage = job.schema.table(job.table), job.stage
    root = stage.root()
    written = root / job.path
    written.parent.mkdir(parents=True, exist_ok=True)  # a part's folder, in a worker's scratch directory
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="datagen-writer") as background:
        sink = table_sink(root, node, job.keep, job.needed, background, path=job.path, offset=job.offset,
                          stage=stage)
        if job.seen is not None and job.rank_column is not None:
            sink.ranks = TimeRanks(job.rank_column, job.timeframe, job.buckets)
            sink.ranks.seen = job.seen
        sinks = {node.id: sink}
        for key in job.spills:
            pieces = stage.load(key)
            offsets = {node.id: sink.offset}
            for piece in pieces:
                sink.add(piece, offsets, sinks)
        kept = sink.finish()
    facts, arrow = file_facts(written), pq.read_schema(written)
    if job.publish is not None:
        upload(written, job.publish, job.path)
    elif stage.foreign:
        stage.put(job.path)  # the client fetches it: defects rewrite the files
    if stage.foreign:  # nothing stays on this machine but the parent columns downloaded for later chunks
        share(kept, move=True)
        written.unlink()
    for key in job.spills:  # only once the file is written: a task run again (a lost worker) finds them
        stage.drop(key)
    return PartFacts(sink.offset - job.offset, kept, sink.notes, facts, arrow)


def ordered(executor: Executor, fn: Callable[..., Any], calls: Iterable[tuple[Any, ...]], depth: int) -> Iterator[Any]:
    """``fn(*args)`` for each call on ``executor``, results in call order, at most ``depth`` in flight."""
    window: list[Future[Any]] = []
    for args in calls:
        window.append(executor.submit(fn, *args))
        if len(window) >= depth:
            yield window.pop(0).result()
    for fut in window:
        yield fut.result()


def merge_kept(name: str, parts: list[KeptTable], stage: Stage) -> KeptTable:
    """One table's kept columns from its files' (in order), spilled past a size like the one-process engine's."""
    out = KeptTable(name, sum(p.n for p in parts))
    spill = stage.root() / SPILL_DIR
    spill.mkdir(parents=True, exist_ok=True)

    def joined(key: str, values: list[Any]) -> Any:
        spool = Spool(spill / f"{Path(file_name(name)).stem}.{key}.merged", stage=stage)
        for v in values:
            spool.append(as_numpy(v) if isinstance(v, SpilledCol) else v)
        return spool.finish()

    columns = sorted(set().union(*(p.columns for p in parts)))
    for i, c in enumerate(columns):
        out.columns[c] = joined(f"{i}.col", [p.columns[c] for p in parts])
        if any(c in p.nulls for p in parts):
            out.nulls[c] = joined(f"{i}.nulls", [p.nulls.get(c, np.zeros(p.n, bool)) for p in parts])
    for key in ("created", "fanout_mult", "value_mult", "segment", "decay"):
        values = [getattr(p, key) for p in parts if p.n]
        if values and all(v is not None for v in values):
            setattr(out, key, joined(key, values))
    return out


def spill_key(stem: str, chunk: int) -> str:
    return f"{SPILL_DIR}/{stem}.c{chunk:06d}.pieces"


@dataclass
class SpreadTable:
    """A table written by workers: its rows, files (relative paths, in order), notes and kept columns."""

    rows: int
    path: str
    files: list[str]
    notes: dict[str, int | None]
    kept: KeptTable
    written: dict[str, FileFacts] = field(default_factory=dict)
    arrow: pa.Schema | None = None


@dataclass
class SpreadPlan:
    """Round 1's outcome: one job per output file (in order), the table's rows and where it lives."""

    name: str
    stage: Stage
    jobs: list[PartJob]
    rows: int
    path: str
    files: list[str]


def spread_chunks(schema: dsl.Schema, node: dsl.Node, stage: Stage, executor: Executor | None, depth: int,
                  jobs: Iterable[ChunkJob], rank_column: str | None, buckets: int, timeframe: tuple[int, int],
                  part_rows: int | None, keep: set[str], needed: bool,
                  progress: Callable[[int], None] | None = None, publish: Destination | None = None) -> SpreadPlan:
    """Round 1: every chunk generated and spilled (on ``executor``, or here when None). The client keeps per
    output file its chunks, rows and — for a time-ordered fact — a histogram of time slices, never per chunk."""
    stem, staging = Path(file_name(node.id)).stem, Path(stage.local)
    calls = ((job, stage, spill_key(stem, job.chunk), rank_column, buckets, needed) for job in jobs)
    results = (spill_chunk(*call) for call in calls) if executor is None else ordered(executor, spill_chunk, calls, depth)
    members: list[list[int]] = [[]]
    sizes = [0]
    hists = [np.zeros(buckets + 1, dtype=np.int64)] if rank_column is not None else []
    for c, facts in enumerate(results):
        if new_part(sizes[-1], facts.rows, part_rows):
            members.append([])
            sizes.append(0)
            hists += [np.zeros(buckets + 1, dtype=np.int64)] if hists else []
        members[-1].append(c)
        sizes[-1] += facts.rows
        if hists:
            hists[-1][facts.slices] += facts.counts
        if progress is not None:
            progress(sum(sizes))
    if part_rows is None:
        paths = [file_name(node.id)]
    else:
        (staging / stem).mkdir()
        paths = [f"{stem}/{part_name(i)}" for i in range(len(members))]
    seen = None
    if hists:
        ranks = TimeRanks(rank_column or "", timeframe, buckets)
        ranks.hist = np.sum(hists, axis=0)
        ranks.close_counts()
        seen = ranks.seen
    part_jobs, offset = [], 0
    for i, path in enumerate(paths):
        part_jobs.append(PartJob(schema, node.id, stage, path, offset, [spill_key(stem, c) for c in members[i]],
                                 keep, needed, rank_column, buckets, timeframe,
                                 None if seen is None else seen.copy(), publish))
        offset += sizes[i]
        if seen is not None:
            seen += hists[i]
    return SpreadPlan(node.id, stage, part_jobs, offset, paths[0] if part_rows is None else stem, paths)


def write_parts(plan: SpreadPlan, executor: Executor, depth: int) -> SpreadTable:
    """Round 2: each output file written by a task of its own; their kept columns joined in order."""
    written = list(ordered(executor, write_part, ((job,) for job in plan.jobs), depth))
    notes: dict[str, int | None] = {}
    for w in written:
        for text, count in w.notes.items():
            notes[text] = None if count is None else (notes.get(text) or 0) + count
    if plan.stage.shared is not None and not any(job.publish for job in plan.jobs):
        for rel in plan.files:  # defects rewrite the files here
            plan.stage.get(rel)
    kept = merge_kept(plan.name, [w.kept for w in written], plan.stage)
    return SpreadTable(plan.rows, plan.path, plan.files, notes, kept,
                       {rel: w.file for rel, w in zip(plan.files, written, strict=True) if w.file is not None},
                       written[0].arrow if written else None)


#: threads generating chunks, and writing a table's parts, in the one-process engine (any number: the same files)
GEN_THREADS = min(2, os.cpu_count() or 1)
PART_THREADS = max(1, min(4, os.cpu_count() or 1))


def write_planned(plan: SpreadPlan, schema: dsl.Schema, node: dsl.Node, kept: dict[str, KeptTable],
                  facts: dict[str, TableFacts], executor: Executor | None = None, published: bool = False) -> None:
    """Round 2 of a table :func:`spread_chunks` spilled: its files, its kept columns. On ``executor``'s workers
    (the engine runs this beside the next tables' round 1, so no worker idles between tables), or in this process
    on ``PART_THREADS`` threads, one output file each."""
    try:
        if executor is not None:
            done = write_parts(plan, executor, depth(executor))
        else:
            with ThreadPoolExecutor(max_workers=PART_THREADS, thread_name_prefix="datagen-part") as pool:
                done = write_parts(plan, pool, PART_THREADS)
    except (KeyError, ValueError, IndexError, TypeError, pa.ArrowException) as exc:
        raise GenerationError(f"table {node.id!r}: {type(exc).__name__}: {exc}") from exc
    kept[node.id] = done.kept if executor is None else for_workers(done.kept, plan.stage)  # see store.shared
    facts[node.id] = replace(table_facts(schema, node, node.id, done.rows, done.notes, done.path, tuple(done.files)),
                             published=published, written=done.written, arrow=done.arrow)
