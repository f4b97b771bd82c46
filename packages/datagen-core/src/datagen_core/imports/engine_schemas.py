"""A BigQuery table schema or a Spark schema (JSON), read as the JSON Schema it amounts to (:mod:`.json_schema`
makes the tables), as an Avro schema is.

- **BigQuery**: what ``bq show --schema`` prints (a list of fields), the API's ``{"fields": [...]}``, or a whole
  table resource (``bq show --format=prettyjson``: ``schema.fields``, named by ``tableReference.tableId``). Types
  ``STRING`` (``maxLength``) and ``BYTES`` text, ``INTEGER``/``INT64``, ``FLOAT``/``FLOAT64``, ``NUMERIC`` and
  ``BIGNUMERIC`` (``scale``: its decimals), ``BOOLEAN``, ``DATE``, ``DATETIME``/``TIMESTAMP``; ``mode: REQUIRED``
  a column with no NULL; a ``RECORD`` (``STRUCT``) flattened into ``<field>_<subfield>`` columns, and a
  ``REPEATED`` one a child table with a key back to its row. ``TIME``, ``GEOGRAPHY``, ``JSON``, ``INTERVAL`` and
  repeated plain values are text (noted).
- **Spark**: ``df.schema.json()`` (``{"type": "struct", "fields": [...]}``, as Delta and Databricks store it).
  Types ``string``, ``varchar(n)``/``char(n)``, ``byte``/``short``/``integer``/``long``, ``float``/``double``,
  ``decimal(p,s)``, ``boolean``, ``date``, ``timestamp``/``timestamp_ntz``; ``nullable: false`` a column with no
  NULL; ``metadata.comment`` its description; a ``struct`` flattened and an ``array`` of structs a child table, as
  above; maps, binary and arrays of plain values are text.

>>> tables, notes = read_bigquery([{"name": "order_id", "type": "INTEGER", "mode": "REQUIRED"},
...     {"name": "total", "type": "NUMERIC", "precision": "10", "scale": "2"},
...     {"name": "items", "type": "RECORD", "mode": "REPEATED", "fields": [{"name": "sku", "type": "STRING"}]}], "orders")
>>> [(t.name, [(f.name, f.type, f.required, f.decimals) for f in t.fields]) for t in tables][0]
('orders', [('order_id', 'int', True, None), ('total', 'float', False, 2)])
>>> tables[1].name, tables[1].fks
('orders_items', [('orders_id', 'orders', 'order_id')])
>>> tables, _ = read_spark({"type": "struct", "fields": [{"name": "id", "type": "long", "nullable": False},
...     {"name": "at", "type": "timestamp", "nullable": True}, {"name": "fee", "type": "decimal(8,2)"}]}, "t")
>>> [(f.name, f.type, f.required, f.decimals) for f in tables[0].fields]
[('id', 'int', True, None), ('at', 'datetime', False, None), ('fee', 'float', False, 2)]
"""

from __future__ import annotations

import re
from typing import Any

from datagen_contracts.dsl.decode import bigquery_fields

from . import json_schema
from .layout import Table, length, mapping

_BQ = {"STRING": {"type": "string"}, "BYTES": {"type": "string"}, "INTEGER": {"type": "integer"},
       "INT64": {"type": "integer"}, "FLOAT": {"type": "number"}, "FLOAT64": {"type": "number"},
       "NUMERIC": {"type": "number"}, "BIGNUMERIC": {"type": "number"}, "DECIMAL": {"type": "number"},
       "BIGDECIMAL": {"type": "number"}, "BOOLEAN": {"type": "boolean"}, "BOOL": {"type": "boolean"},
       "DATE": {"type": "string", "format": "date"}, "DATETIME": {"type": "string", "format": "date-time"},
       "TIMESTAMP": {"type": "string", "format": "date-time"}}
_SPARK = {"string": {"type": "string"}, "binary": {"type": "string"}, "byte": {"type": "integer"},
          "short": {"type": "integer"}, "integer": {"type": "integer"}, "long": {"type": "integer"},
          "float": {"type": "number"}, "double": {"type": "number"}, "boolean": {"type": "boolean"},
          "date": {"type": "string", "format": "date"}, "timestamp": {"type": "string", "format": "date-time"},
          "timestamp_ntz": {"type": "string", "format": "date-time"}}
_DECIMAL = re.compile(r"decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)", re.IGNORECASE)
_CHARS = re.compile(r"(?:var)?char\(\s*(\d+)\s*\)", re.IGNORECASE)


def read_bigquery(doc: Any, stem: str) -> tuple[list[Table], list[str]]:
    """The tables of a BigQuery table schema, and the notes of what was read loosely."""
    fields, name = bigquery_fields(doc) or ([], None)
    notes: list[str] = []
    schema = {"title": name or stem, **_bq_record(fields, name or stem, notes)}
    if isinstance(doc, dict) and isinstance(doc.get("description"), str):
        schema["description"] = doc["description"]
    tables, more = json_schema.read(schema, stem)
    return tables, notes + more


def _bq_record(fields: list[Any], where: str, notes: list[str]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required = []
    for f in fields:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            continue
        kind, mode = str(f.get("type") or "STRING").upper(), str(f.get("mode") or "NULLABLE").upper()
        if kind in ("RECORD", "STRUCT"):
            sub = f.get("fields")
            spec = _bq_record(sub if isinstance(sub, list) else [], f"{where}.{f['name']}", notes)
        else:
            spec = dict(_BQ.get(kind, {"type": "string"}))
            if kind not in _BQ:
                notes.append(f"{where}.{f['name']}: BigQuery type {kind} generated as text")
            if length(f.get("maxLength")) and kind == "STRING":
                spec["maxLength"] = length(f.get("maxLength"))
            scale = str(f.get("scale", ""))
            if spec["type"] == "number" and scale.isdigit() and int(scale) <= 12:
                spec["multipleOf"] = 10.0 ** -int(scale)
        if mode == "REPEATED":
            spec = {"type": "array", "items": spec}
        if isinstance(f.get("description"), str):
            spec["description"] = f["description"]
        props[f["name"]] = spec
        if mode == "REQUIRED":
            required.append(f["name"])
    return {"type": "object", "properties": props, "required": required}


def read_spark(doc: Any, stem: str) -> tuple[list[Table], list[str]]:
    """The tables of a Spark schema (``StructType`` as JSON), and the notes of what was read loosely."""
    notes: list[str] = []
    schema = {"title": stem, **_spark_type(doc, stem, notes)}
    tables, more = json_schema.read(schema, stem)
    return tables, notes + more


def _spark_type(t: Any, where: str, notes: list[str]) -> dict[str, Any]:
    if isinstance(t, str):
        name = t.strip().lower()
        if name in _SPARK:
            return dict(_SPARK[name])
        if m := _DECIMAL.fullmatch(name):
            scale = int(m.group(2))
            return {"type": "number", **({"multipleOf": 10.0 ** -scale} if scale <= 12 else {})}
        if m := _CHARS.fullmatch(name):
            return {"type": "string", "maxLength": int(m.group(1))}
        notes.append(f"{where}: Spark type {t} generated as text")
        return {"type": "string"}
    if not isinstance(t, dict):
        return {"type": "string"}
    if t.get("type") == "struct":
        props, required = {}, []
        for f in t.get("fields") or []:
            if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                continue
            spec = _spark_type(f.get("type"), f"{where}.{f['name']}", notes)
            comment = mapping(f.get("metadata")).get("comment")
            props[f["name"]] = {**spec, **({"description": comment} if isinstance(comment, str) else {})}
            if f.get("nullable") is False:
                required.append(f["name"])
        return {"type": "object", "properties": props, "required": required}
    if t.get("type") == "array":
        return {"type": "array", "items": _spark_type(t.get("elementType"), where, notes)}
    notes.append(f"{where}: a Spark {t.get('type')} generated as text")
    return {"type": "string"}
