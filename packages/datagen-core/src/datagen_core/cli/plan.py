"""``datagen plan SCHEMA [--scale F] [--json]``: expected rows and bytes per table, before generating."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from ._options import say
from .check import load_schema_or_exit


@click.command()
@click.argument("schema_path", metavar="SCHEMA", type=click.Path(dir_okay=False))
@click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply entity row counts by F.")
@click.option("-o", "--output", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Where generate would write: its free space is checked against the planned bytes.")
@click.option("--partition-rows", type=click.IntRange(min=0), default=None, metavar="N",
              help="As for generate (default 25,000,000): tables above N rows are folders of parts.")
@click.option("--no-timing", is_flag=True, help="Skip the timed sample (no wall-time estimates).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON on stdout.")
def plan(schema_path: str, scale: float, output: str, partition_rows: int | None, no_timing: bool,
         as_json: bool) -> None:
    """Expected rows, bytes per table, peak memory, and wall time for 1, 2, 8 and 64 workers.

    Rows, bytes and memory are arithmetic (instant even for billions of rows). The wall times come from two samples
    (about 50,000 and 200,000 rows) generated and timed here (a second or two): each table's cost per row and
    fixed cost, extrapolated to the planned rows; with N workers a table spreads over at most as many workers as
    it has files. Each worker needs the time samplers and its
    chunks in memory; the client holds the parent keys.

    Warns when the total passes a billion rows and suggests a --scale that brings it to about ten million, when
    the memory estimate passes generate's default budget (a quarter of this machine's RAM), and when the planned
    bytes do not fit the free space where --output would be written.
    """
    from ..engine import PARTITION_ROWS
    from ..errors import DatagenError
    from ..output.destination import is_uri
    from ..planning import budget, estimates
    from ..planning.plan import format_bytes, make_plan

    if not scale > 0:
        raise click.BadParameter(f"must be a positive number, got {scale}", param_hint="--scale")
    schema = load_schema_or_exit(schema_path)
    result = make_plan(schema, scale)
    memory = budget.estimate(schema, scale, result)
    over = budget.memory_problem(schema, scale, budget.default_budget(), result)
    problems = [p.message for p in budget.sequence_problems(schema, scale, result)]
    parts = PARTITION_ROWS if partition_rows is None else partition_rows
    # a URI output is assembled in the temporary directory (generate --staging-dir) before it is published
    remote = is_uri(output)
    where = Path(tempfile.gettempdir()) if remote else Path(output)
    free = estimates.free_bytes(where)
    warnings = list(result.warnings) + ([over] if over else [])
    if free is not None and result.total_bytes > free:
        place = (f"in {where}, where the dataset is staged before it is published to {output} (see generate "
                 "--staging-dir)") if remote else f"where {output} would be written"
        warnings.append(f"the output (~{format_bytes(result.total_bytes)}) does not fit the {format_bytes(free)} free "
                        f"{place}")
    timing = None
    if not no_timing and not problems:
        try:
            timing = estimates.estimate(schema, result, parts)
        except DatagenError as exc:
            warnings.append(f"no wall-time estimate: the timed sample failed: {exc}")
    per_worker = memory.slot_bytes + memory.chunk_bytes
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "memory_bytes": memory.total, "memory": {
            "time_samplers": memory.slot_bytes, "chunks": memory.chunk_bytes, "kept_parent_keys": memory.kept_bytes},
            "memory_per_worker_bytes": per_worker, "free_bytes": free,
            "files": {t.name: estimates.files_of(t.rows, parts) for t in result.tables},
            "timing": None if timing is None else timing.to_dict(),
            "memory_budget": budget.default_budget(), "errors": problems}, indent=2))
    else:
        rows = [(t.name, f"{t.rows:,}", format_bytes(t.bytes), t.how) for t in result.tables]
        rows.append(("TOTAL", f"{result.total_rows:,}", format_bytes(result.total_bytes), ""))
        header = ("table", "rows", "bytes", "how")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
        for i, r in enumerate([header, *rows]):
            if i == len(rows):  # the totals line
                say("-" * (sum(widths) + 6))
            say(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip())
        say(f"memory  ~{format_bytes(memory.total)} peak (time samplers {format_bytes(memory.slot_bytes)}, "
            f"chunks {format_bytes(memory.chunk_bytes)}, kept parent keys {format_bytes(memory.kept_bytes)}); "
            f"with workers: ~{format_bytes(per_worker)} per worker, the parent keys in the client")
        if timing is not None:
            walls = ", ".join(f"{n} worker{'s' if n > 1 else ''} ~{_duration(s)}" for n, s in timing.wall.items())
            say(f"time    {walls} (from a timed sample of scale {timing.sample_scale:.3g}, "
                f"{timing.sample_seconds:.1f}s here)")
    for warning in warnings:
        say(f"warning: {warning}", err=True)
    for problem in problems:
        say(f"error: {problem}", err=True)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
