"""``datagen generate``: argument parsing and rendering only; the work is :func:`datagen_core.engine.generate`."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from ._options import UserError, parse_sets, say


@click.command()
@click.argument("schema", type=click.Path(dir_okay=False))
@click.option("--seed", type=int, default=42, show_default=True, help="Master seed: same seed, same data.")
@click.option("-o", "--output", "output", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Output directory (one .parquet per table + .metadata.json), or a URI to publish to: s3://, "
                   "gs://, hdfs://, file:// (pyarrow) or any fsspec scheme (the [fsspec] extra).")
@click.option("--staging-dir", metavar="DIR|URI", default=None, type=click.Path(file_okay=False),
              help="With a URI --output: where the dataset is assembled before it is published (default: the "
                   "system's temporary directory). With a Dask cluster, a directory every worker sees, or object "
                   "storage every worker reaches (s3://bucket/tmp) when they share no filesystem.")
@click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply every entity's row count.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Local processes generating and writing in parallel (same as --executor processes:N; 1: this "
                   "process alone, on two threads); the output is byte-identical for any value.")
@click.option("--executor", metavar="SPEC", default=None,
              help="processes:N (a local pool; processes:1 rehearses a cluster run on one worker process) or "
                   "dask://HOST:PORT (a Dask scheduler; the [dask] extra). Workers write "
                   "the files themselves: they must see the output's parent directory at the same path, or "
                   "publish to a URI --output with --staging-dir on a shared path or object storage.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output directory.")
@click.option("--scenario", default=None, help="A scenario of the schema (see `datagen scenarios SCHEMA`).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Set a schema parameter (repeatable).")
@click.option("--yes", is_flag=True, help="Generate even when the plan exceeds 50M rows or 5 GB.")
@click.option("--max-memory", metavar="SIZE",
              help="Refuse a run whose estimated peak memory passes SIZE (e.g. 8GB); default a quarter of the RAM.")
@click.option("--partition-rows", type=click.IntRange(min=0), default=None, metavar="N",
              help="Write a table planned above N rows as DIR/<table>/part-00000.parquet … of at most N rows each "
                   "(default 25,000,000; 0: one file per table). Every stage reads such folders.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
def generate(schema: str, seed: int, output: str, staging_dir: str | None, scale: float, workers: int,
             executor: str | None, overwrite: bool, scenario: str | None,
             sets: tuple[str, ...], yes: bool, max_memory: str | None, partition_rows: int | None, quiet: bool,
             as_json: bool) -> None:
    """Generate the dataset described by SCHEMA (DSL v1) into a directory of parquet files.

    The output is written beside its final place and renamed into it when complete; a URI output (s3://…) is
    assembled locally and published with its .metadata.json last, so no reader sees half a dataset.

    \b
    Exit codes: 0 ok; 2 usage or input error (bad schema, existing output without --overwrite, plan too large,
    unwritable output); 3 internal error.
    """
    from datagen_contracts.errors import ContractError

    from ..engine import PARTITION_ROWS
    from ..engine import generate as run
    from ..errors import DatagenError
    from ..output.executors import open_executor
    from ..planning.budget import parse_size

    overrides = parse_sets(sets)
    try:
        budget = None if max_memory is None else parse_size(max_memory)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-memory") from None
    if executor is not None and workers != 1:
        raise UserError("give --workers or --executor, not both")
    progress = None if quiet else _progress()
    try:
        spec = executor or (f"processes:{workers}" if workers > 1 else None)  # --workers 1: this process alone
        with open_executor(spec) as pool:
            result = run(schema, output, seed=seed, scale=scale, executor=pool, overwrite=overwrite,
                         scenario=scenario, overrides=overrides, yes=yes, progress=progress, max_memory=budget,
                         partition_rows=PARTITION_ROWS if partition_rows is None else partition_rows,
                         staging_dir=staging_dir)
    except (DatagenError, ContractError) as exc:
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        say("interrupted: no output written", err=True)
        sys.exit(130)
    if not quiet:
        if result.inferred_pairs:
            say("kept ordered (inferred from column names): " + ", ".join(result.inferred_pairs), err=True)
        for w in result.warnings:  # lint problems already read "warning: $.path: …"
            say(w if w.startswith("warning:") else f"warning: {w}", err=True)
        total = sum(result.rows.values())
        say(f"wrote {total:,} rows in {len(result.rows)} tables to {result.output} "
                   f"in {result.duration_seconds:.1f}s", err=True)
    if as_json:
        click.echo(json.dumps({
            "output": str(result.output), "seed": seed, "scale": scale, "scenario": scenario,
            "duration_seconds": round(result.duration_seconds, 3), "rows": result.rows,
            "total_rows": sum(result.rows.values()), "warnings": result.warnings,
            "inferred_pairs": result.inferred_pairs,
        }, indent=2))


#: seconds between two progress lines of one table when stderr is a log, not a terminal (and a tenth of it on one)
LOG_EVERY = 2.0


def _progress(clock: Callable[[], float] = time.monotonic):
    """Rows and rows/s of the table being written, on stderr: rewritten in place on a terminal (ten times a
    second at most); in a log, a line every ``LOG_EVERY`` seconds and the table's last count when it is done —
    not one line per chunk (a 60M-row run wrote over 900)."""
    tty = sys.stderr.isatty()
    every = LOG_EVERY / 20 if tty else LOG_EVERY
    state: dict[str, Any] = {"shown": -every, "last": None}

    def show(table: str, rows: int, seconds: float) -> None:
        rate = rows / seconds if seconds > 0 else 0.0
        say(f"  {table:<28} {rows:>12,} rows  {rate:>12,.0f} rows/s", err=True, nl=False)
        say("\r" if tty else "\n", err=True, nl=False)
        state["shown"], state["last"] = clock(), None

    def report(table: str, rows: int, seconds: float) -> None:
        if rows < 0:  # the table is done
            if state["last"] is not None:
                show(*state["last"])
            say("", err=True) if tty else None
            state["shown"] = -every
            return
        state["last"] = (table, rows, seconds)
        if clock() - state["shown"] >= every:
            show(table, rows, seconds)

    return report
