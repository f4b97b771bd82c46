"""``generate``: a DSL schema → one parquet file per table + ``.metadata.json``, streamed chunk by chunk.

>>> import tempfile, pathlib, json
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "s.json").write_text(json.dumps({"version": "1.0", "metadata": {"name": "demo"}, "constraints": {},
...   "timeframe": {"start": "2024-01-01", "end": "2024-12-31"}, "nodes": [{"id": "user", "rows": 100,
...   "pk": "user_id", "columns": [{"name": "user_id", "type": "int", "generator": {"sequence": {}}}]}]}))
>>> result = generate(d / "s.json", d / "out", seed=1)
>>> result.rows, sorted(p.name for p in (d / "out").iterdir())
({'user': 100}, ['.metadata.json', 'user.parquet'])
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from datagen_contracts import dsl
from datagen_contracts.dsl import dependencies
from datagen_contracts.errors import SchemaError
from datagen_contracts.staging import OutputBusyError, output_lock, staging_path

from .behaviours.attribution import money_column
from .chunks import Piece, generate_chunk
from .columns.intervals import implied_pairs
from .columns.order import self_lookups_deferred
from .columns.self_lookups import first_pass
from .errors import DatagenError, GenerationError, OutputExistsError, PlanTooLargeError, required
from .fact_rows import mean_exposure, parents_per_chunk
from .frame import CHUNK_ROWS, ChunkJob
from .output import destination
from .output.executors import depth
from .output.scaleout import GEN_THREADS, ordered, spread_chunks, write_planned
from .output.sink import SPILL_DIR, TableSink, table_sink
from .output.stage import Stage, clean_up
from .output.store import KeptTable, for_workers
from .output.tables import TableFacts, parent_fk, table_facts
from .output.time_ranks import TimeRanks, buckets_for, replay_chunks, spill_chunks, time_column_to_rank
from .output.writer import file_name
from .planning.limits import engine_problems
from .planning.needs import full_tables_for, generation_order, kept_columns
from .timestamps import to_us

MAX_ROWS = 50_000_000
#: a table planned above this many rows is written as a directory of parts of at most this many rows
PARTITION_ROWS = 25_000_000
MAX_BYTES = 5 * 1024**3
Progress = Callable[[str, int, float], None]


@dataclass
class GenerateResult:
    output: Path | str  # the directory, or the URI it was published to
    rows: dict[str, int]
    duration_seconds: float
    metadata: Any = None
    warnings: list[str] = field(default_factory=list)
    #: start/end pairs the engine inferred from column names and kept ordered ("t.start_at < t.end_at")
    inferred_pairs: list[str] = field(default_factory=list)
    #: with a URI output, the files the workers uploaded themselves (the client uploads the rest)
    published: list[str] = field(default_factory=list)


def entity_rows(node: dsl.Node, scale: float) -> int:
    rows = 1000 if node.rows is None else node.rows
    return 0 if rows == 0 else max(1, round(rows * scale))


def check_size(schema: dsl.Schema, scale: float, plan: Any = None) -> None:
    """Refuse a plan over 50M rows or 5 GB (``--yes`` skips this)."""
    from .planning.plan import make_plan

    plan = plan if plan is not None else make_plan(schema, scale)
    if plan.total_rows > MAX_ROWS or plan.total_bytes > MAX_BYTES:
        factor = min(MAX_ROWS / max(plan.total_rows, 1), MAX_BYTES / max(plan.total_bytes, 1))
        raise PlanTooLargeError(
            f"this schema would generate about {plan.total_rows:,} rows (~{plan.total_bytes / 1e9:.1f} GB) at scale "
            f"{scale:g}, over the guard of {MAX_ROWS:,} rows / 5 GB; try --scale {scale * factor:.2g} "
            "(or --yes to generate anyway)"
        )


def generate(
    schema: str | os.PathLike[str] | dsl.Schema,
    output: str | os.PathLike[str],
    *,
    seed: int = 42,
    scale: float = 1.0,
    workers: int = 1,
    executor: Executor | None = None,
    overwrite: bool = False,
    scenario: str | None = None,
    overrides: dict[str, Any] | None = None,
    yes: bool = False,
    max_memory: int | None = None,
    progress: Progress | None = None,
    schema_path: str | None = None,
    partition_rows: int | None = PARTITION_ROWS,
    staging_dir: str | os.PathLike[str] | None = None,
) -> GenerateResult:
    """Generate a dataset into ``output`` (written to a temporary sibling, renamed into place on success).

    ``output`` may be a URI (``s3://bucket/run``, ``gs://…``, ``file://…``, any fsspec scheme): the dataset is then
    assembled under ``staging_dir`` (default: the system's temporary directory; for a Dask cluster a directory
    every worker sees) and published there, ``.metadata.json`` last (:mod:`output.destination`).

    A table the plan expects to have more than ``partition_rows`` rows is written as a directory of part files
    of at most that many rows each (``None`` or 0: every table one file)."""
    started = time.perf_counter()
    if isinstance(schema, dsl.Schema):
        loaded, source = schema, schema_path
    else:
        source = str(schema)
        loaded = dsl.load_schema(schema, scenario=scenario, overrides=overrides)
    problems = engine_problems(loaded)
    if problems:
        raise SchemaError(problems, source)
    warnings = [str(w) for w in dsl.lint_schema(loaded)]
    inferred = [p.text(n.id) for n in loaded.nodes for p in implied_pairs(loaded, n)]
    if scale <= 0:
        raise DatagenError(f"--scale must be > 0, got {scale}")
    from .planning import budget
    from .planning.plan import make_plan

    plan = make_plan(loaded, scale)  # one plan for the bounds below
    if not yes:
        check_size(loaded, scale, plan)
    overflow = budget.sequence_problems(loaded, scale, plan)
    if overflow:
        raise SchemaError(overflow, source)
    too_big = budget.memory_problem(loaded, scale, budget.default_budget() if max_memory is None else max_memory,
                                    plan)
    if too_big is not None:  # refused before anything is allocated
        raise PlanTooLargeError(too_big)
    if partition_rows is not None and partition_rows < 0:
        raise DatagenError(f"--partition-rows must be >= 0, got {partition_rows}")
    parts = {t.name: partition_rows for t in plan.tables if partition_rows and t.rows > partition_rows}
    build = partial(_generate_into, loaded, source=source, seed=seed, scale=scale, workers=workers,
                    executor=executor, scenario=scenario, overrides=overrides, progress=progress, started=started,
                    warnings=warnings, inferred=inferred, parts=parts, partition_rows=partition_rows or 0)
    if staging_dir is not None and not (isinstance(output, str) and destination.is_uri(output)):
        raise DatagenError("--staging-dir is for a URI --output (s3://…); a directory output is staged beside it")
    if isinstance(output, str) and destination.is_uri(output):
        return destination.build_and_publish(build, output, overwrite, staging_dir)
    out = Path(output)
    if out.exists() and not overwrite:
        raise OutputExistsError(f"output directory {out} already exists (use --overwrite to replace it)")
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with output_lock(out.absolute()):  # a second run into the same output fails clearly; dead runs' staging goes
            if out.exists() and not overwrite:
                raise OutputExistsError(f"output directory {out} already exists (use --overwrite to replace it)")
            staging = staging_path(parent / out.name)
            staging.mkdir()
            result = build(staging)
            try:
                _replace(staging, out, overwrite)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            result.output = out
            return result
    except OutputBusyError as exc:
        raise OutputExistsError(str(exc)) from None
    except OSError as exc:
        raise DatagenError(f"cannot write the output directory {out}: {exc.strerror or exc}") from None


def _generate_into(loaded: dsl.Schema, staging: Path, *, source: str | None, seed: int, scale: float,
                   workers: int, executor: Executor | None, scenario: str | None,
                   overrides: dict[str, Any] | None, progress: Progress | None, started: float,
                   warnings: list[str], inferred: list[str], parts: dict[str, int],
                   partition_rows: int = 0, publish: destination.Destination | None = None,
                   shared: destination.Destination | None = None) -> GenerateResult:
    """The whole dataset, ``.metadata.json`` included, in the fresh directory ``staging`` (removed on failure);
    with ``publish`` and no defects to inject, workers also upload the files they write. ``shared``: object storage
    standing in for ``staging`` where workers share no filesystem with this process (:mod:`output.stage`)."""
    from .output import dataset

    own_executor = None
    try:
        if executor is None and workers > 1:
            # multiprocessing costs start-up time: imported only when asked for
            from concurrent.futures import ProcessPoolExecutor

            executor = own_executor = ProcessPoolExecutor(max_workers=workers)
        stage = Stage(str(staging), shared)
        facts = write_tables(loaded, stage, seed, scale, executor, progress, parts,
                             None if loaded.defects else publish)  # defects rewrite files after they are written
        defects = []
        if loaded.defects:
            from .defects import inject_defects

            defects = inject_defects(staging, loaded, seed, facts)
            facts = {t: replace(f, written={}) for t, f in facts.items()}  # the files changed: measured again
        duration = time.perf_counter() - started
        meta = dataset.build_metadata(loaded, staging, facts, seed=seed, scale=scale, source=source,
                                      partition_rows=partition_rows,
                                      scenario=scenario, overrides=overrides, defects=defects, duration=duration)
        dataset.write_metadata(meta, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if shared is not None:
            clean_up(Stage(str(staging), shared), executor)
        if own_executor is not None:
            own_executor.shutdown(cancel_futures=True)
    warnings += [note for f in facts.values() for note in f.notes]
    return GenerateResult(staging, {t.name: t.rows for t in facts.values()}, time.perf_counter() - started, meta,
                          warnings, inferred, [f for t in facts.values() if t.published for f in t.all_files])


def _replace(staging: Path, out: Path, overwrite: bool) -> None:
    if out.exists():
        if not overwrite:
            raise OutputExistsError(f"output directory {out} already exists (use --overwrite to replace it)")
        old = staging_path(out, "old")
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)


def _jobs(schema: dsl.Schema, node: dsl.Node, seed: int, scale: float, kept: dict[str, KeptTable],
          timeframe: tuple[int, int]) -> Iterator[ChunkJob]:
    tables = {t: kept[t] for t in full_tables_for(schema, node)}  # mapped where the chunk runs
    if node.kind == "vocab":
        yield ChunkJob(schema, seed, node.id, 0, 0, 0, timeframe, None, tables)
        return
    if not node.parents:
        n = entity_rows(node, scale)
        for c, a in enumerate(range(0, n, CHUNK_ROWS)):
            yield ChunkJob(schema, seed, node.id, c, a, min(a + CHUNK_ROWS, n), timeframe, None, tables, total=n)
        return
    primary = kept[node.parents[0]]
    step = parents_per_chunk(node, schema)
    exposure = mean_exposure(node, schema, primary, timeframe)
    for c, a in enumerate(range(0, primary.n, step)):
        yield ChunkJob(schema, seed, node.id, c, a, min(a + step, primary.n), timeframe, primary.slice(a, a + step),
                       tables, exposure)


def _run(jobs: Iterator[ChunkJob], executor: Executor | None) -> Iterator[list[Piece]]:
    """Results in chunk order; with an executor at most a few chunks in flight (bounded memory)."""
    if executor is None:
        for job in jobs:
            yield generate_chunk(job)
        return
    yield from ordered(executor, generate_chunk, ((job,) for job in jobs), depth(executor))


def write_tables(schema: dsl.Schema, stage: Stage, seed: int, scale: float, executor: Executor | None,
                 progress: Progress | None, parts: dict[str, int] | None = None,
                 publish: destination.Destination | None = None) -> dict[str, TableFacts]:
    """Every table in dependency order. In one process (``executor`` None) chunks are generated by
    ``GEN_THREADS`` threads, results taken in chunk order. A fact numbered in time order (see time_ranks) — with an
    executor, every table its workers write — is written by its second round, run from a thread of its own while
    the next tables are generated; a table that reads it waits for it. With
    ``publish`` (a :class:`~.output.destination.Destination`), workers upload the files they write."""
    timeframe = (to_us(schema.timeframe.start), to_us(schema.timeframe.end))
    keep = kept_columns(schema)
    deps = dependencies(schema)
    # a table nobody reads (a leaf fact) keeps nothing in memory: that is what keeps RSS flat with --scale
    read_by_others = set().union(*deps.values())
    kept: dict[str, KeptTable] = {}
    facts: dict[str, TableFacts] = {}
    names: list[str] = []
    replays: dict[str, Future[None]] = {}
    # one process: chunks are generated by a few threads (numpy releases the GIL in its array loops), in order
    threads = ThreadPoolExecutor(max_workers=GEN_THREADS, thread_name_prefix="datagen-gen") \
        if executor is None and GEN_THREADS > 1 else None
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="datagen-writer") as background, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="datagen-replay") as replayer:
            for name in generation_order(schema):
                for dep in sorted(deps[name] & replays.keys()):
                    replays.pop(dep).result()
                node = schema.table(name)
                names += [name] + ([node.touchpoint_table] if node.touchpoint_table else [])
                replay = _write_table(schema, node, stage, seed, scale, executor, progress, timeframe,
                                      keep[name], name in read_by_others, kept, facts, background, parts or {},
                                      publish, threads)
                if replay is not None:
                    replays[name] = replayer.submit(replay)
            for name in list(replays):
                replays.pop(name).result()
    finally:
        if threads is not None:
            threads.shutdown(cancel_futures=True)
        shutil.rmtree(Path(stage.local) / SPILL_DIR, ignore_errors=True)  # kept columns spilled (see store.Spool)
    return {t: facts[t] for t in names}  # in generation order, whichever table finished first


def _write_table(schema: dsl.Schema, node: dsl.Node, stage: Stage, seed: int, scale: float,
                 executor: Executor | None, progress: Progress | None, timeframe: tuple[int, int], keep: set[str],
                 needed: bool, kept: dict[str, KeptTable], facts: dict[str, TableFacts],
                 background: Executor, parts: dict[str, int], publish: destination.Destination | None = None,
                 threads: Executor | None = None) -> Callable[[], None] | None:
    """Generate one table (and its touchpoint table) chunk by chunk into its file; record what others read.
    A fact numbered in time order is only generated and spilled here: the returned call writes it. ``threads``
    generates the chunks in the one-process engine (None: this thread)."""
    name, staging = node.id, Path(stage.local)
    t0 = time.perf_counter()
    chunk_count = -(-kept[node.parents[0]].n // parents_per_chunk(node, schema)) if node.parents else 1
    column = time_column_to_rank(schema, node) if chunk_count > 1 else None
    if executor is not None and node.touchpoint_table is None and not self_lookups_deferred(schema, node):
        # workers write this table's files (see scaleout): round 1 here, round 2 by the returned call, which runs
        # while the next tables' chunks are generated
        report = None if progress is None else lambda n: progress(name, n, time.perf_counter() - t0)
        try:
            plan = spread_chunks(schema, node, stage, executor, depth(executor),
                                 _jobs(schema, node, seed, scale, kept, timeframe), column, buckets_for(chunk_count),
                                 timeframe, parts.get(name), keep, needed, report, publish)
        except (KeyError, ValueError, IndexError, TypeError, pa.ArrowException) as exc:
            raise GenerationError(f"table {name!r}: {type(exc).__name__}: {exc}") from exc
        if progress is not None:
            progress(name, -1, time.perf_counter() - t0)
        return partial(write_planned, plan, schema, node, kept, facts, executor, publish is not None)
    if column and node.touchpoint_table is None and not self_lookups_deferred(schema, node):
        # one process, a fact numbered in time order: its chunks are generated and spilled here; the returned call
        # writes its files — each part by a thread of its own, so a partitioned table's encoding uses every core
        report = None if progress is None else lambda n: progress(name, n, time.perf_counter() - t0)
        try:
            plan = spread_chunks(schema, node, stage, threads, depth(threads) if threads else 1,
                                 _jobs(schema, node, seed, scale, kept, timeframe),
                                 column, buckets_for(chunk_count), timeframe, parts.get(name), keep, needed, report)
        except (KeyError, ValueError, IndexError, TypeError, pa.ArrowException) as exc:
            raise GenerationError(f"table {name!r}: {type(exc).__name__}: {exc}") from exc
        if progress is not None:
            progress(name, -1, time.perf_counter() - t0)
        return partial(write_planned, plan, schema, node, kept, facts)
    sinks = {name: table_sink(staging, node, keep, needed, background, parts.get(name), stage=stage)}
    tp = node.touchpoint_table
    if tp is not None:
        pk = required(node.pk, "the conversion's key")
        kinds = [("touchpoint_id", "int", False), (pk, required(node.column(pk), pk).type, True)]
        kinds += [(fk, required(node.column(fk), fk).type, True) for fk in parent_fk(node)]
        kinds += [("channel", "string", True), ("touched_at", "datetime", True),
                  ("touch_position", "int", True), ("attribution_credit", "float", True)]
        if (money := money_column(node)) is not None:
            kinds.append((f"attributed_{money}", "float", True))
        sinks[tp] = TableSink(staging, tp, kinds, set(), {"touchpoint_id": (1, 1)},
                               dictionary=["channel"], background=background, part_rows=parts.get(tp), stage=stage)
        sinks[tp].pk = "touchpoint_id"

    def fill(chunk_pieces: Iterable[list[Piece]], report: bool) -> None:
        try:
            for pieces in chunk_pieces:
                offsets = {t: s.offset for t, s in sinks.items()}
                for piece in pieces:
                    sinks[piece.name].add(piece, offsets, sinks)
                if report and progress is not None:
                    progress(name, sinks[name].offset, time.perf_counter() - t0)
            for t, sink in sinks.items():
                kept[t] = sink.finish()
                if executor is not None:  # chunks of later tables run elsewhere: workers map one copy (store.shared)
                    kept[t] = for_workers(kept[t], stage)
                facts[t] = table_facts(schema, node, t, sink.offset, sink.notes, sink.relative_path(),
                                       sink.relative_files())
        except (KeyError, ValueError, IndexError, TypeError, pa.ArrowException) as exc:
            raise GenerationError(f"table {name!r}: {type(exc).__name__}: {exc}") from exc

    try:
        if self_lookups_deferred(schema, node):
            jobs = _jobs(schema, node, seed, scale, kept, timeframe)
            sinks[name].earlier = first_pass(schema, node, (p[0] for p in _run(jobs, executor or threads)))
        chunk_pieces = _run(_jobs(schema, node, seed, scale, kept, timeframe), executor or threads)
        replay = None
        if column:
            # several chunks: ids in time order over the table
            ranks = sinks[name].ranks = TimeRanks(column, timeframe, buckets_for(chunk_count))
            spill = staging / SPILL_DIR / f"{Path(file_name(name)).stem}.chunks"
            spill_chunks(chunk_pieces, ranks, name, spill,
                         None if progress is None else lambda n: progress(name, n, time.perf_counter() - t0))
            replay = partial(fill, replay_chunks(spill), False)
        else:
            fill(chunk_pieces, True)
    except (KeyError, ValueError, IndexError, TypeError, pa.ArrowException) as exc:
        raise GenerationError(f"table {name!r}: {type(exc).__name__}: {exc}") from exc
    if progress is not None:
        progress(name, -1, time.perf_counter() - t0)
    return replay
