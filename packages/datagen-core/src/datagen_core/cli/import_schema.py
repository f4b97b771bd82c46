"""``datagen import FILE -o schema.json``: a DSL schema from SDV metadata, a Frictionless Data Package or Table
Schema, dbt properties, a Snowfakery recipe, a JSON Schema or OpenAPI document, SQL DDL, a Prisma schema, DBML,
an Avro, BigQuery or Spark schema, or a folder of such files (:mod:`datagen_core.imports`). Every choice the source left open is printed, so the user
knows what to edit; ``--json`` prints them for machines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from datagen_contracts.errors import ContractError
from datagen_contracts.text import printable

from ..errors import DatagenError
from ._options import say
from .check import InputError

_DATE = r"\d{4}-\d{2}-\d{2}"


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("schema.json"), show_default=True,
              help="Where to write the DSL schema.")
@click.option("--rows", default=1000, show_default=True, type=click.IntRange(1),
              help="Rows of each table with no parent (children follow their fanout), unless the source counts them.")
@click.option("--timeframe", default="2024-01-01:2024-12-31", show_default=True, metavar="START:END",
              help="The window of every generated time.")
@click.option("--name", help="The dataset's name (default: the source's name or file name).")
@click.option("--dialect", metavar="NAME",
              help="SQL DDL only: the SQL dialect (postgres, mysql, tsql, snowflake, bigquery, oracle, sqlite, duckdb…; "
                   "default: the first of these that reads the file).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
@click.option("--json", "as_json", is_flag=True, help="Print {format, output, tables, notes} as JSON on stdout.")
def import_schema(source: Path, output: Path, rows: int, timeframe: str, name: str | None, dialect: str | None,
                  overwrite: bool, as_json: bool) -> None:
    """Write the DSL schema that SOURCE describes: SDV metadata (single or multi table), a Frictionless Data
    Package or Table Schema, dbt properties (schema.yml) or a dbt project's target/manifest.json (with the
    catalog.json beside it, if any), a data contract (ODCS v3 or the Data Contract Specification), a Snowfakery
    recipe, a JSON Schema or an OpenAPI/Swagger document (each object schema a table), SQL DDL (CREATE TABLE
    statements: a schema dump, migrations), a Prisma schema (schema.prisma: each model a table), DBML
    (dbdiagram.io: each Table a table), an Avro record schema (.avsc), a BigQuery table schema (bq show --schema)
    or a Spark schema (df.schema.json()). SOURCE may be a folder: each schema file in it (one per table, in any of
    these formats) adds its tables, and a column named after another file's table (customer_id, customers) refers
    to its key.

    Tables, keys, foreign keys, types, allowed values, ranges and formats come from SOURCE. What it does not say —
    row counts, distributions, the values of a category — is chosen plainly and listed, one line each, for you
    to edit before generating. Exit 0 written, 2 unreadable or not one of these formats, or OUTPUT exists.

    Example: datagen import metadata.json -o schema.json && datagen generate schema.json -o out/
    """
    from datagen_contracts.files import write_atomic

    from ..imports import import_schema as read

    start, _, end = timeframe.partition(":")
    if not (re.fullmatch(_DATE, start) and re.fullmatch(_DATE, end) and start < end):
        raise InputError(f"--timeframe must be START:END dates (2024-01-01:2024-12-31), got {timeframe!r}")
    if output.exists() and not overwrite:
        raise InputError(f"{output} exists; pass --overwrite to replace it")
    try:
        got = read(source, rows=rows, timeframe=(start, end), name=name, dialect=dialect, skip=(output,))
    except (DatagenError, ContractError) as exc:
        raise InputError(str(exc)) from None
    try:
        write_atomic(output, (json.dumps(got.schema, indent=2, ensure_ascii=False) + "\n").encode())
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None
    tables = [n["id"] for n in got.schema["nodes"]]
    if as_json:
        click.echo(json.dumps({"format": got.format, "output": str(output), "tables": tables, "notes": got.notes}))
        return
    say(f"read {got.format} {source}: {len(tables)} table(s), wrote {output}", err=True)
    for note in got.notes:
        say(f"  to edit: {note}", err=True)
    click.echo(printable(f"next: datagen check {output} && datagen generate {output} -o out/"), err=True)
