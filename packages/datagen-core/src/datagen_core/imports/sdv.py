"""SDV metadata (``METADATA_SPEC_VERSION`` ``SINGLE_TABLE_V1`` / ``MULTI_TABLE_V1``, or its ``tables`` shape):
tables, sdtypes, primary keys and relationships.

sdtypes: ``id`` is an integer key (text when the metadata gives a ``regex_format``, generated to match it when
it is simple: :mod:`.values`), ``numerical`` an int or a float by its ``computer_representation`` (an 8-bit
int within its range), ``latitude``/``longitude`` degrees, ``datetime`` a date or a timestamp by its ``datetime_format``,
``categorical`` a category (its values are not in the metadata), ``boolean`` a flag; any other sdtype is one of
SDV's Faker-backed PII types (``email``, ``phone_number``, ``first_name``…) and keeps that Faker method.

>>> tables = read({"METADATA_SPEC_VERSION": "MULTI_TABLE_V1", "tables": {"users": {"primary_key": "user_id",
...   "columns": {"user_id": {"sdtype": "id"}, "email": {"sdtype": "email", "pii": True}}}},
...   "relationships": []}, "meta")
>>> [(f.name, f.type, f.hint) for f in tables[0].fields]
[('user_id', 'int', None), ('email', 'string', 'email')]
"""

from __future__ import annotations

from typing import Any

from .layout import Field, Table
from .values import faker_method


def read(doc: dict[str, Any], stem: str) -> list[Table]:
    raw = doc.get("tables")
    if not isinstance(raw, dict):  # a single-table metadata: the columns at the top level
        raw = {stem: doc}
    tables = []
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            continue
        columns: dict[str, Any] = spec["columns"] if isinstance(spec.get("columns"), dict) else {}
        pk = spec.get("primary_key")
        fields = [_field(str(c), v if isinstance(v, dict) else {}, str(c) == pk) for c, v in columns.items()]
        tables.append(Table(str(name), fields, pk=pk if isinstance(pk, str) else None))
    by_name = {t.name: t for t in tables}
    for rel in doc.get("relationships") or []:
        if not isinstance(rel, dict):
            continue
        child = by_name.get(str(rel.get("child_table_name")))
        if child is not None:
            child.fks.append((str(rel.get("child_foreign_key")), str(rel.get("parent_table_name")),
                              str(rel.get("parent_primary_key"))))
    return tables


_BYTE_MAX = {"int8": 127.0, "uint8": 255.0}


def _field(name: str, spec: dict[str, Any], key: bool) -> Field:
    sdtype = str(spec.get("sdtype", "categorical"))
    if sdtype == "id":
        regex = spec.get("regex_format")
        return Field(name, "string" if regex else "int", required=key, unique=key,
                     pattern=regex if isinstance(regex, str) else None)
    if sdtype == "numerical":
        rep = str(spec.get("computer_representation", "Float"))
        if not rep.lower().startswith(("int", "uint")):
            return Field(name, "float")
        return Field(name, "int", high=_BYTE_MAX.get(rep.lower()))  # an 8-bit count stays in its range
    if sdtype in ("latitude", "longitude"):  # degrees, as numbers
        edge = 90.0 if sdtype == "latitude" else 180.0
        return Field(name, "float", low=-edge, high=edge)
    if sdtype == "datetime":
        fmt = str(spec.get("datetime_format", "%Y-%m-%d %H:%M:%S"))
        return Field(name, "datetime" if any(x in fmt for x in ("%H", "%I", "%M", "%S", "%f")) else "date")
    if sdtype == "boolean":
        return Field(name, "bool")
    if sdtype == "categorical":
        return Field(name, "string", category=True)
    return Field(name, "string", hint=faker_method(sdtype) or ("ipv4" if sdtype.startswith("ipv4") else None))
