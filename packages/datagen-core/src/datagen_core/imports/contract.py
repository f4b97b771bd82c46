"""Data contracts: the Open Data Contract Standard (ODCS v3: ``kind: DataContract``, tables under ``schema`` with
``properties``) and the Data Contract Specification (``dataContractSpecification``, tables under ``models`` with
``fields``).

A column's type is its logical type (else its physical type, read by sqlglot); ``required``, ``unique``,
``primaryKey`` carry over; allowed values come from ``enum`` or an ODCS ``validValues`` quality rule; ``minimum`` /
``maximum`` / ``pattern`` / ``format`` from the field or ODCS ``logicalTypeOptions``; a foreign key from a
Data Contract Specification ``references: table.column``, an ODCS ``relationships`` entry, or the description
``references table.column`` that ``datapolisher export --format odcs`` writes.

>>> (t,) = read({"kind": "DataContract", "apiVersion": "v3.0.2", "schema": [{"name": "orders", "properties": [
...     {"name": "id", "logicalType": "integer", "primaryKey": True},
...     {"name": "status", "logicalType": "string", "quality": [{"rule": "validValues", "validValues": ["a", "b"]}]},
...     {"name": "user_id", "logicalType": "integer", "relationships": [{"type": "foreignKey", "to": "users.id"}]}]}]})
>>> t.pk, [(f.name, f.type, f.enum) for f in t.fields], t.fks
('id', [('id', 'int', None), ('status', 'string', ['a', 'b']), ('user_id', 'int', None)], [('user_id', 'users', 'id')])
"""

from __future__ import annotations

import re
from typing import Any

from .dbt import declared_type
from .layout import Field, Table, length, mapping, number
from .values import FORMAT_METHODS

_LOGICAL = {"integer": "int", "long": "int", "int": "int", "bigint": "int", "number": "float", "decimal": "float",
            "numeric": "float", "double": "float", "float": "float", "boolean": "bool", "bool": "bool",
            "date": "date", "timestamp": "datetime", "timestamp_tz": "datetime", "timestamp_ntz": "datetime",
            "datetime": "datetime", "string": "string", "text": "string", "varchar": "string"}
_REFERENCES = re.compile(r"\breferences\s+([^\s.]+)\.(\S+)", re.IGNORECASE)


def read(doc: dict[str, Any]) -> list[Table]:
    if "dataContractSpecification" in doc:
        models = mapping(doc.get("models"))
        return [_table(str(name), m.get("description"), [{"name": k, **v} for k, v in mapping(m.get("fields")).items()
                                                          if isinstance(v, dict)])
                for name, m in models.items() if isinstance(m, dict)]
    return [_table(str(o["name"]), o.get("description"), [p for p in o.get("properties") or [] if isinstance(p, dict)])
            for o in doc.get("schema") or [] if isinstance(o, dict) and isinstance(o.get("name"), str)]


def _table(name: str, description: Any, props: list[dict[str, Any]]) -> Table:
    t = Table(name, [], description=description if isinstance(description, str) else None)
    for p in props:
        if not isinstance(p.get("name"), str):
            continue
        opts = {**mapping(p.get("logicalTypeOptions")), **p}
        f = Field(p["name"], _type(p), required=bool(p.get("required")),
                  unique=bool(p.get("unique") or p.get("primaryKey") or p.get("primary")),
                  description=p.get("description") if isinstance(p.get("description"), str) else None,
                  hint=FORMAT_METHODS.get(str(opts.get("format") or "").lower()),
                  pattern=opts.get("pattern") if isinstance(opts.get("pattern"), str) else None,
                  max_length=length(opts.get("maxLength", opts.get("maxlength"))),
                  low=number(opts.get("minimum")), high=number(opts.get("maximum")))
        f.enum = _values(p)
        if (p.get("primaryKey") or p.get("primary")) and t.pk is None:
            t.pk = f.name
        if (target := _target(p)) is not None:
            t.fks.append((f.name, *target))
        t.fields.append(f)
    return t


def _type(p: dict[str, Any]) -> str:
    logical = str(p.get("logicalType") or p.get("type") or "").lower()
    if logical in _LOGICAL:
        return _LOGICAL[logical]
    physical = str(p.get("physicalType") or "").strip()
    return declared_type(physical.split("[")[0]) if physical else "string"  # arrow's timestamp[us] → timestamp


def _values(p: dict[str, Any]) -> list[Any] | None:
    if isinstance(p.get("enum"), list) and p["enum"]:
        return list(p["enum"])
    for rule in p.get("quality") or []:
        if isinstance(rule, dict) and isinstance(rule.get("validValues"), list) and rule["validValues"]:
            return list(rule["validValues"])
    return None


def _target(p: dict[str, Any]) -> tuple[str, str] | None:
    """(table, column) a field references, from whichever of the three places says it."""
    refs = [p.get("references")] + [r.get("to") for r in p.get("relationships") or [] if isinstance(r, dict)]
    for ref in refs:
        if isinstance(ref, str) and "." in ref:
            table, _, column = ref.rpartition(".")
            return table, column
    said = _REFERENCES.search(str(p.get("description") or ""))
    return (said.group(1), said.group(2)) if said else None
