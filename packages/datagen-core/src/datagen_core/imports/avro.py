"""An Avro schema (``.avsc``: a Kafka topic's records, a data lake's files): read as the JSON Schema it amounts to
(:mod:`.json_schema` makes the tables).

The record is a table; a nested record is flattened into ``<field>_<subfield>`` columns (it is embedded in each
row); an array of records makes a child table with a key back to its row; a named type used again by name is
the same definition. Types: ``int``/``long`` integers, ``float``/``double`` numbers, ``boolean``, ``string`` and
``bytes`` text; ``enum`` its symbols; a union with ``null`` an optional column (other unions are text, noted);
logical types ``date`` a date, ``timestamp-*`` a datetime, ``uuid`` UUIDs, ``decimal`` a number; ``fixed(n)`` text
of at most ``n`` characters; ``map`` and arrays of plain values are text. A field's ``doc`` is its description.

>>> doc = {"type": "record", "name": "Order", "fields": [
...     {"name": "order_id", "type": "long"},
...     {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
...     {"name": "placed", "type": {"type": "long", "logicalType": "timestamp-millis"}},
...     {"name": "note", "type": ["null", "string"], "default": None},
...     {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line",
...                                "fields": [{"name": "sku", "type": "string"}]}}}]}
>>> tables, notes = read(doc, "orders")
>>> [(t.name, [(f.name, f.type, f.required) for f in t.fields]) for t in tables][0]
('Order', [('order_id', 'int', True), ('status', 'string', True), ('placed', 'datetime', True), ('note', 'string', False)])
>>> tables[1].name, tables[1].fks
('Order_lines', [('Order_id', 'Order', 'order_id')])
"""

from __future__ import annotations

from typing import Any

from . import json_schema
from .layout import Table

_PRIMITIVE = {"boolean": "boolean", "int": "integer", "long": "integer", "float": "number", "double": "number",
              "string": "string", "bytes": "string", "null": "null"}
_LOGICAL = {"date": {"type": "string", "format": "date"}, "uuid": {"type": "string", "format": "uuid"},
            "timestamp-millis": {"type": "string", "format": "date-time"},
            "timestamp-micros": {"type": "string", "format": "date-time"},
            "local-timestamp-millis": {"type": "string", "format": "date-time"},
            "local-timestamp-micros": {"type": "string", "format": "date-time"}, "decimal": {"type": "number"}}


def read(doc: dict[str, Any], stem: str) -> tuple[list[Table], list[str]]:
    """The tables of an Avro record schema, and the notes of what was read loosely."""
    reader = _Reader()
    schema = reader.convert(doc)
    schema["title"] = str(doc.get("name") or stem)
    tables, notes = json_schema.read(schema, stem)
    return tables, reader.notes + notes


class _Reader:
    def __init__(self) -> None:
        self.named: dict[str, Any] = {}  # full and short names of the named types seen so far
        self.notes: list[str] = []

    def convert(self, t: Any, where: str = "", space: str = "") -> dict[str, Any]:
        """The JSON Schema of Avro type ``t``; ``space`` is the enclosing namespace (a named type's full name)."""
        if isinstance(t, str):
            if t in _PRIMITIVE:
                return {"type": _PRIMITIVE[t]}
            known = self.named.get(t) or self.named.get(f"{space}.{t}")
            if known is not None:
                return self.convert(known, where, space)
            self.notes.append(f"{where}: type {t!r} is not defined before it is used; generated as text")
            return {"type": "string"}
        if isinstance(t, list):  # a union
            members = [m for m in t if m != "null"]
            if len(members) == 1:
                spec = self.convert(members[0], where, space)
                if "null" in t:
                    spec = {**spec, "type": [spec["type"], "null"]} if isinstance(spec.get("type"), str) else \
                        {**spec, "nullable": True}
                return spec
            self.notes.append(f"{where}: a union of {len(members)} types; generated as text")
            return {"type": ["string", "null"] if "null" in t else "string"}
        if not isinstance(t, dict):
            return {"type": "string"}
        kind = t.get("type")
        if isinstance(t.get("name"), str) and kind in ("record", "enum", "fixed"):
            space = t["namespace"] if isinstance(t.get("namespace"), str) else space
            self.named[t["name"]] = self.named[f"{space}.{t['name']}" if space else t["name"]] = t
        logical = _LOGICAL.get(str(t.get("logicalType")))
        if logical is not None:
            return dict(logical)
        if kind == "record":
            fields = [f for f in t.get("fields") or [] if isinstance(f, dict) and isinstance(f.get("name"), str)]
            props = {f["name"]: {**self.convert(f.get("type"), f"{where or t.get('name')}.{f['name']}", space),
                                 **({"description": f["doc"]} if isinstance(f.get("doc"), str) else {})}
                     for f in fields}
            required = [f["name"] for f in fields if not _optional(f.get("type"))]
            return {"type": "object", "properties": props, "required": required,
                    **({"description": t["doc"]} if isinstance(t.get("doc"), str) else {})}
        if kind == "enum":
            return {"type": "string", "enum": [s for s in t.get("symbols") or [] if isinstance(s, str)]}
        if kind == "array":
            return {"type": "array", "items": self.convert(t.get("items"), where, space)}
        if kind == "fixed":  # so many bytes: text of at most that length
            return {"type": "string", **({"maxLength": t["size"]} if isinstance(t.get("size"), int) else {})}
        if kind == "map":
            return {"type": "string"}
        return self.convert(kind, where, space) if isinstance(kind, str | list | dict) else {"type": "string"}


def _optional(t: Any) -> bool:
    return isinstance(t, list) and "null" in t
