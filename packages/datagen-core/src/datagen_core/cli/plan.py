"""``datagen plan SCHEMA [--scale F] [--json]``: expected rows and bytes per table, before generating."""

from __future__ import annotations

import json

import click

from ._options import say
from .check import load_schema_or_exit


@click.command()
@click.argument("schema_path", metavar="SCHEMA", type=click.Path(dir_okay=False))
@click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply entity row counts by F.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON on stdout.")
def plan(schema_path: str, scale: float, as_json: bool) -> None:
    """Expected rows, bytes per table and peak memory (pure arithmetic: instant even for billions of rows).

    Warns when the total passes a billion rows and suggests a --scale that brings it to about ten million, and
    when the memory estimate passes generate's default budget (a quarter of this machine's RAM).
    """
    from .. import budget
    from ..plan import format_bytes, make_plan

    if not scale > 0:
        raise click.BadParameter(f"must be a positive number, got {scale}", param_hint="--scale")
    schema = load_schema_or_exit(schema_path)
    result = make_plan(schema, scale)
    memory = budget.estimate(schema, scale, result)
    over = budget.memory_problem(schema, scale, budget.default_budget(), result)
    problems = [p.message for p in budget.sequence_problems(schema, scale, result)]
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "memory_bytes": memory.total, "memory": {
            "time_samplers": memory.slot_bytes, "chunks": memory.chunk_bytes, "kept_parent_keys": memory.kept_bytes},
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
            f"chunks {format_bytes(memory.chunk_bytes)}, kept parent keys {format_bytes(memory.kept_bytes)})")
    for warning in result.warnings + ([over] if over else []):
        say(f"warning: {warning}", err=True)
    for problem in problems:
        say(f"error: {problem}", err=True)
