"""``datagen import FILE``: a DSL schema from a schema written for another tool — SDV metadata, a Frictionless
Data Package or Table Schema, dbt properties (``schema.yml``) or manifest, a data contract (ODCS or the Data
Contract Specification, :mod:`.contract`), a Snowfakery recipe, a JSON Schema or the schemas of an OpenAPI document
(:mod:`.json_schema`), SQL DDL (``CREATE TABLE`` statements,
:mod:`.ddl`), a Prisma schema (:mod:`.prisma`), DBML (:mod:`.dbml`), an Avro schema (:mod:`.avro`). The source says what tables, keys, types and allowed values there are; what it cannot say (row counts, distributions, a category's values) is chosen plainly
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
from . import avro, contract, dbml, dbt, ddl, frictionless, json_schema, prisma, sdv, snowfakery
from .layout import build

#: what ``datagen import`` reads, by the name :func:`foreign_format` gives it
READERS = IMPORTABLE


@dataclass
class Imported:
    format: str
    schema: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def import_schema(path: str | Path, *, rows: int = 1000, timeframe: tuple[str, str] = ("2024-01-01", "2024-12-31"),
                  name: str | None = None, dialect: str | None = None) -> Imported:
    """Read ``path`` (JSON, YAML or SQL) and return the DSL schema it describes; :class:`DatagenError` when the file
    is not one of :data:`READERS`. ``dialect`` names the SQL dialect of DDL (sqlglot's names; default: the first
    of :data:`.ddl.DIALECTS` that reads it)."""
    path = Path(path)
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
            schema, built = build(name or path.stem, found, rows=rows, timeframe=timeframe, source=f"{what} {path.name}")
            loads_schema(json.dumps(schema), source=f"the schema imported from {path}")
            return Imported(what, schema, loose + built)
    if path.suffix.lower() in (".sql", ".ddl") or (not text.lstrip().startswith(("{", "[")) and ddl.is_ddl(text)):
        if b"\x00" in data[:65536]:
            raise DatagenError(f"{path}: not a text file (it holds NUL bytes); SQL DDL is text")
        if not ddl.is_ddl(text):
            raise DatagenError(f"{path}: {'empty' if not text.strip() else 'no CREATE TABLE statement in it'}; "
                               "datagen import reads SQL DDL (CREATE TABLE …)")
        found, skipped, used = ddl.read(text, dialect)
        if not found:
            raise DatagenError(f"{path}: SQL with no CREATE TABLE of columns in it")
        schema, built = build(name or path.stem, found, rows=rows, timeframe=timeframe, source=f"SQL DDL {path.name}")
        loads_schema(json.dumps(schema), source=f"the schema imported from {path}")
        return Imported(f"SQL DDL ({used})", schema, skipped + built)
    raw = parse_document(data, str(path))
    what = foreign_format(raw) or ""
    kind = next((r for r in READERS if what.startswith(r)), None)
    if kind is None or not isinstance(raw, dict | list):
        said = f"it is {what}" if what else "its shape is none of them"
        raise DatagenError(f"{path}: datagen import reads {', '.join(READERS[:-1])} or {READERS[-1]}; {said}")
    stem = path.stem
    notes: list[str] = []
    if isinstance(raw, list):
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
    title = name or str(raw.get("name") or raw.get("title") or stem)
    schema, built = build(title, tables, rows=rows, timeframe=timeframe, source=f"{kind} {path.name}")
    loads_schema(json.dumps(schema), source=f"the schema imported from {path}")  # SchemaError: a bug of ours
    return Imported(kind.removeprefix("an ").removeprefix("a "), schema, notes + built)


def _beside(path: Path, name: str) -> dict[str, Any] | None:
    """The JSON object in the file ``name`` next to ``path`` (a dbt catalog beside its manifest), if any."""
    other = path.parent / name
    try:
        doc = json.loads(other.read_bytes())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
