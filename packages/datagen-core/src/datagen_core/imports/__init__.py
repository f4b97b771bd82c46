"""``datagen import FILE``: a DSL schema from a schema written for another tool — SDV metadata, a Frictionless
Data Package or Table Schema, dbt properties (``schema.yml``) or manifest, a data contract (ODCS or the Data
Contract Specification, :mod:`.contract`), a Snowfakery recipe, a JSON Schema or the schemas of an OpenAPI document
(:mod:`.json_schema`), SQL DDL (``CREATE TABLE`` statements,
:mod:`.ddl`), a Prisma schema (:mod:`.prisma`), DBML (:mod:`.dbml`), an Avro schema (:mod:`.avro`), a BigQuery
table schema or a Spark schema (:mod:`.engine_schemas`). The source says what tables, keys, types and allowed values there are; what it cannot say (row counts, distributions, a category's values) is chosen plainly
and listed in :attr:`Imported.notes`. The result passes the contracts' loader, so ``datagen generate`` runs it.

>>> import json, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "metadata.json"
>>> _ = p.write_text(json.dumps({"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "primary_key": "id",
...                              "columns": {"id": {"sdtype": "id"}, "age": {"sdtype": "numerical"}}}))
>>> got = import_schema(p)
>>> got.format, [n["id"] for n in got.schema["nodes"]], len(got.notes)
('SDV metadata', ['metadata'], 1)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen_contracts.dsl import loads_schema
from datagen_contracts.dsl.decode import IMPORTABLE, foreign_format, parse_document

from ..errors import DatagenError
from . import (
    avro,
    contract,
    dbml,
    dbt,
    ddl,
    engine_schemas,
    frictionless,
    json_schema,
    prisma,
    sdv,
    snowfakery,
)
from .json_schema import link_by_name
from .layout import Table, build

#: what ``datagen import`` reads, by the name :func:`foreign_format` gives it
READERS = IMPORTABLE


@dataclass
class Imported:
    format: str
    schema: dict[str, Any]
    notes: list[str] = field(default_factory=list)


#: the files of a folder ``datagen import`` reads, each one table or more (a warehouse's per-table schemas)
SUFFIXES = (".json", ".yaml", ".yml", ".avsc", ".sql", ".ddl", ".prisma", ".dbml")


def import_schema(path: str | Path, *, rows: int = 1000, timeframe: tuple[str, str] = ("2024-01-01", "2024-12-31"),
                  name: str | None = None, dialect: str | None = None, skip: tuple[Path, ...] = ()) -> Imported:
    """Read ``path`` (JSON, YAML or SQL) and return the DSL schema it describes; :class:`DatagenError` when the file
    is not one of :data:`READERS`. ``dialect`` names the SQL dialect of DDL (sqlglot's names; default: the first
    of :data:`.ddl.DIALECTS` that reads it).

    A folder is read file by file (:data:`SUFFIXES`, in name order: one schema per table, as ``bq show --schema``
    or a Spark job writes them; not the files of ``skip``: the schema written there before), and a column named
    after another file's table (``customer_id`` → ``customers``) refers to its key — as in a source of several
    tables that declares no foreign key at all."""
    path = Path(path)
    if path.is_dir():
        return _folder(path, rows=rows, timeframe=timeframe, name=name, dialect=dialect, skip=skip)
    kind, tables, notes, title = _read(path, timeframe, dialect)
    if len(tables) > 1 and not any(t.fks for t in tables):  # a warehouse's DDL often declares no foreign key
        notes += _linked({t.name: t for t in tables}, "the source declares none")
    schema, built = build(name or title, tables, rows=rows, timeframe=timeframe, source=f"{kind} {path.name}")
    loads_schema(json.dumps(schema), source=f"the schema imported from {path}")  # SchemaError: a bug of ours
    return Imported(kind, schema, notes + built)


def _folder(path: Path, *, rows: int, timeframe: tuple[str, str], name: str | None,
            dialect: str | None, skip: tuple[Path, ...]) -> Imported:
    skipped = {p.resolve() for p in skip}
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                   and not p.name.startswith(".") and p.resolve() not in skipped)
    if not files:
        raise DatagenError(f"{path}: a folder with no schema file in it (datagen import reads "
                           f"{', '.join(SUFFIXES)} files, each one table or more)")
    tables: dict[str, Table] = {}
    origin: dict[str, str] = {}
    kinds: list[str] = []
    notes: list[str] = []
    for f in files:
        kind, found, said, _ = _read(f, timeframe, dialect)
        kinds += [kind] if kind not in kinds else []
        notes += said
        for t in found:
            if t.name in tables:
                raise DatagenError(f"{path}: table {t.name!r} is in both {origin[t.name]} and {f.name}; "
                                   "keep one of them")
            tables[t.name], origin[t.name] = t, f.name
    notes += _linked(tables, "across the files")
    kind = f"{len(files)} files ({', '.join(kinds)})"
    schema, built = build(name or path.name, list(tables.values()), rows=rows, timeframe=timeframe,
                          source=f"{kind} in {path.name}")
    loads_schema(json.dumps(schema), source=f"the schema imported from {path}")
    return Imported(kind, schema, notes + built)


def _linked(tables: dict[str, Table], why: str) -> list[str]:
    """Foreign keys from column names (``customer_id`` → ``customers``' key) where the source cannot say them: a
    note each, to check."""
    return [f"{link}: a foreign key by the column's name ({why}); check it" for link in link_by_name(tables)]


def _read(path: Path, timeframe: tuple[str, str], dialect: str | None) -> tuple[str, list[Table], list[str], str]:
    """(what the file is, its tables, the notes of what was read loosely, the dataset's name it gives)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatagenError(f"cannot read {path}: {exc.strerror or exc}") from None
    text = data.decode("utf-8", errors="replace")
    for detect, reader, suffix, what, unit in ((prisma.is_prisma, prisma.read, ".prisma", "Prisma schema", "model"),
                                               (dbml.is_dbml, dbml.read, ".dbml", "DBML", "Table")):
        if path.suffix.lower() == suffix or (not text.lstrip().startswith(("{", "[")) and detect(text)):
            found, loose = reader(text)
            if not found:
                raise DatagenError(f"{path}: {'empty' if not text.strip() else f'no {unit} in it'}; "
                                   f"datagen import reads the tables of a {what} ({unit} users {{ … }})")
            return what, found, loose, path.stem
    if path.suffix.lower() in (".sql", ".ddl") or (not text.lstrip().startswith(("{", "[")) and ddl.is_ddl(text)):
        if b"\x00" in data[:65536]:
            raise DatagenError(f"{path}: not a text file (it holds NUL bytes); SQL DDL is text")
        if not ddl.is_ddl(text):
            raise DatagenError(f"{path}: {'empty' if not text.strip() else 'no CREATE TABLE statement in it'}; "
                               "datagen import reads SQL DDL (CREATE TABLE …)")
        found, skipped, used = ddl.read(text, dialect)
        if not found:
            raise DatagenError(f"{path}: SQL with no CREATE TABLE of columns in it")
        return f"SQL DDL ({used})", found, skipped, path.stem
    raw = parse_document(data, str(path))
    what = foreign_format(raw) or ""
    kind = next((r for r in READERS if what.startswith(r)), None)
    if kind is None or not isinstance(raw, dict | list):
        said = f"it is {what}" if what else "its shape is none of them"
        raise DatagenError(f"{path}: datagen import reads {', '.join(READERS[:-1])} or {READERS[-1]}; {said}")
    stem = path.stem
    notes: list[str] = []
    if kind == "a BigQuery table schema":
        tables, notes = engine_schemas.read_bigquery(raw, stem)
        raw = {"name": tables[0].name if tables else stem}
    elif kind == "a Spark schema":
        tables, notes = engine_schemas.read_spark(raw, stem)
        raw = {}
    elif isinstance(raw, list):
        tables, notes = snowfakery.read(raw, end=timeframe[1])
        raw = {}
    elif kind == "SDV metadata":
        tables = sdv.read(raw, stem)
    elif kind == "a dbt properties file":
        tables = dbt.read(raw)
    elif kind == "a dbt manifest":
        catalog = _beside(path, "catalog.json")
        tables = dbt.read_manifest(raw, catalog)
        notes.append("column types and the columns no test names: from catalog.json beside it" if catalog else
                     "no catalog.json beside it (dbt docs generate writes one): only documented or tested columns, "
                     "types from data_type or the column's name")
        raw = {"name": (raw.get("metadata") or {}).get("project_name") or stem}
    elif kind in ("a JSON Schema", "an OpenAPI document"):
        tables, notes = json_schema.read(raw, stem)
        info = raw["info"] if isinstance(raw.get("info"), dict) else {}
        raw = {"name": info.get("title") or (raw.get("title") if not tables or raw.get("title") != tables[0].name
                                              else None) or stem}
    elif kind == "an Avro schema":
        tables, notes = avro.read(raw, stem)
        raw = {"name": raw.get("name") or stem}
    elif kind == "a data contract":
        tables = contract.read(raw)
        info = raw["info"] if isinstance(raw.get("info"), dict) else {}
        raw = {"name": raw.get("name") or info.get("title") or raw.get("id") or stem}
    else:
        tables = frictionless.read(raw, stem, path.parent)
    if not tables:
        raise DatagenError(f"{path}: {kind.removeprefix('an ').removeprefix('a ')} with no table in it")
    return kind.removeprefix("an ").removeprefix("a "), tables, notes, str(raw.get("name") or raw.get("title") or stem)


def _beside(path: Path, name: str) -> dict[str, Any] | None:
    """The JSON object in the file ``name`` next to ``path`` (a dbt catalog beside its manifest), if any."""
    other = path.parent / name
    try:
        doc = json.loads(other.read_bytes())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
