"""Frictionless Data: a Data Package (``resources``, each with its Table Schema) or one Table Schema (``fields``).

Field types map to DSL types (``integer``/``year`` int, ``number`` float, ``boolean``, ``date``, ``datetime``;
``time``, ``duration``, ``object``, ``array``, ``geopoint``… text); ``constraints`` carry ``required``,
``unique``, ``enum``, ``minimum``/``maximum``, ``pattern`` (kept as the column's constraints); a string's ``format`` (email, uri, uuid) names its Faker method;
``primaryKey`` and ``foreignKeys`` (``resource: ""`` is the table itself) become keys and lookups. A resource
whose ``path`` names CSV or parquet files beside the descriptor gives its row count (a path leaving that folder
is not read).

>>> (t,) = read({"fields": [{"name": "id", "type": "integer"}, {"name": "mail", "type": "string",
...   "format": "email"}], "primaryKey": "id"}, "people", None)
>>> t.name, t.pk, [(f.name, f.type, f.hint) for f in t.fields]
('people', 'id', [('id', 'int', None), ('mail', 'string', 'email')])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .layout import Field, Table, length, number
from .values import FORMAT_METHODS

_TYPES = {"integer": "int", "year": "int", "number": "float", "boolean": "bool", "date": "date", "datetime": "datetime"}


def read(doc: dict[str, Any], stem: str, folder: Path | None) -> list[Table]:
    if isinstance(doc.get("resources"), list):
        out = []
        for i, res in enumerate(doc["resources"]):
            if isinstance(res, dict):
                schema: dict[str, Any] = res["schema"] if isinstance(res.get("schema"), dict) else {}
                name = str(res.get("name") or f"resource_{i}")
                out.append(_table(schema, name, _rows(res.get("path"), folder, res.get("dialect")), res.get("description")))
        return out
    return [_table(doc, stem, None, doc.get("description"))]


def _table(schema: dict[str, Any], name: str, rows: int | None, description: Any) -> Table:
    fields = [_field(f) for f in schema.get("fields") or [] if isinstance(f, dict) and "name" in f]
    pk = schema.get("primaryKey")
    pk = pk[0] if isinstance(pk, list) and len(pk) == 1 else pk if isinstance(pk, str) else None
    t = Table(name, fields, pk=pk, rows=rows, description=description if isinstance(description, str) else None)
    for fk in schema.get("foreignKeys") or []:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            continue
        cols, ref = _one(fk.get("fields")), fk["reference"]
        target, target_cols = str(ref.get("resource") or name), _one(ref.get("fields"))
        if cols and target_cols:  # a composite key is left as plain columns
            t.fks.append((cols, target, target_cols))
    return t


def _one(v: Any) -> str | None:
    return v if isinstance(v, str) else v[0] if isinstance(v, list) and len(v) == 1 else None


def _field(f: dict[str, Any]) -> Field:
    c: dict[str, Any] = f["constraints"] if isinstance(f.get("constraints"), dict) else {}
    kind = _TYPES.get(str(f.get("type", "string")), "string")
    low, high = c.get("minimum"), c.get("maximum")
    return Field(str(f["name"]), kind, required=bool(c.get("required")), unique=bool(c.get("unique")),
                 enum=c.get("enum") if isinstance(c.get("enum"), list) and c.get("enum") else None,
                 low=number(low), high=number(high), hint=FORMAT_METHODS.get(str(f.get("format"))) if kind == "string" else None,
                 pattern=c.get("pattern") if isinstance(c.get("pattern"), str) else None,
                 max_length=length(c.get("maxLength")),
                 description=f.get("description") if isinstance(f.get("description"), str) else None)


def _rows(path: Any, folder: Path | None, dialect: Any = None) -> int | None:
    """Data rows of the resource's CSV or parquet files (a list of parts summed), when every file lies inside the
    descriptor's folder; None otherwise."""
    paths = path if isinstance(path, list) else [path]
    if folder is None or not paths or not all(isinstance(p, str) for p in paths):
        return None
    total = 0
    for p in paths:
        file = (folder / p).resolve()
        if not file.is_relative_to(folder.resolve()) or not file.is_file():
            return None
        if file.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            try:
                total += pq.ParquetFile(file).metadata.num_rows  # from the footer
            except Exception:  # pyarrow raises several types for a damaged file: no count then
                return None
        elif file.suffix.lower() == ".csv":
            count = csv_records(file, dialect if isinstance(dialect, dict) else {})
            if count is None:
                return None
            total += count
        else:
            return None
    return total


def csv_records(file: Path, dialect: dict[str, Any]) -> int | None:
    """Records of a CSV file after its header, counted by pyarrow's parser: a quoted value may hold line breaks,
    blank lines are not records. None when the file does not parse (rows of another width, bad encoding)."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pcsv

    delimiter = str(dialect.get("delimiter") or ",")[:1]
    quote = str(dialect.get("quoteChar") or '"')[:1]
    try:
        with file.open(newline="", encoding="utf-8", errors="replace") as fh:
            header = next(csv.reader(fh, delimiter=delimiter, quotechar=quote), None)
        if not header:
            return None
        first = header[0]
        reader = pcsv.open_csv(
            file, parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char=quote, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(include_columns=[first], column_types={first: pa.string()}))
        return sum(batch.num_rows for batch in reader)
    except (OSError, ValueError, csv.Error, pa.ArrowException):
        return None
