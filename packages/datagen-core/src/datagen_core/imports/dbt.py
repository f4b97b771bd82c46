"""dbt properties (``schema.yml``): ``models`` and ``sources``' ``tables``, their columns and tests.

A column's type is its ``data_type`` (``integer``, ``numeric``, ``timestamp``, ``varchar``…), else what its name
says (``*_id`` an integer, ``*_at`` a timestamp, ``*_date`` a date, ``is_*`` a flag, ``amount``/``price`` a
number). Tests (``tests`` or ``data_tests``) and model ``constraints`` carry the rest: ``unique`` + ``not_null``
(or a ``primary_key`` constraint) is the key, ``accepted_values`` the values, ``relationships`` a foreign key
(``to: ref('customers')``), ``dbt_utils.accepted_range`` the range.

>>> (t,) = read({"version": 2, "models": [{"name": "orders", "columns": [
...   {"name": "order_id", "data_tests": ["unique", "not_null"]},
...   {"name": "status", "data_tests": [{"accepted_values": {"values": ["placed", "shipped"]}}]},
...   {"name": "ordered_at"}]}]})
>>> t.pk, [(f.name, f.type, f.enum) for f in t.fields]
('order_id', [('order_id', 'int', None), ('status', 'string', ['placed', 'shipped']), ('ordered_at', 'datetime', None)])
"""

from __future__ import annotations

import re
from typing import Any

from .layout import Field, Table, words

_REF = re.compile(r"""(?:ref|source)\(\s*(?:['"][^'"]*['"]\s*,\s*)?['"]([^'"]+)['"]\s*\)""")
_TYPES = (("int", ("int", "integer", "bigint", "smallint", "tinyint", "int64", "int32", "long")),
          ("float", ("float", "double", "numeric", "decimal", "real", "number", "float64", "money")),
          ("bool", ("bool", "boolean")), ("datetime", ("timestamp", "datetime", "timestamptz", "timestamp_ntz",
                                                       "timestamp_tz", "timestamp_ltz")), ("date", ("date",)))


def read(doc: dict[str, Any]) -> list[Table]:
    specs = [m for m in doc.get("models") or [] if isinstance(m, dict)]
    for src in doc.get("sources") or []:
        if isinstance(src, dict):
            specs += [t for t in src.get("tables") or [] if isinstance(t, dict)]
    return [_table(m) for m in specs if isinstance(m.get("name"), str)]


def _table(m: dict[str, Any]) -> Table:
    t = Table(m["name"], [], description=m.get("description") if isinstance(m.get("description"), str) else None)
    keys: list[str] = []
    for c in m.get("columns") or []:
        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            continue
        tests = [*(c.get("tests") or []), *(c.get("data_tests") or [])]
        named = {x if isinstance(x, str) else next(iter(x), "") for x in tests if isinstance(x, str | dict)}
        args = {k: v for x in tests if isinstance(x, dict) for k, v in x.items()}
        kinds = {str(x.get("type")) for x in c.get("constraints") or [] if isinstance(x, dict)}
        f = Field(c["name"], _type(c), required="not_null" in named or "not_null" in kinds,
                  unique="unique" in named or "unique" in kinds or "primary_key" in kinds,
                  description=c.get("description") if isinstance(c.get("description"), str) else None)
        accepted = _args(args.get("accepted_values"))
        if isinstance(accepted.get("values"), list) and accepted["values"]:
            f.enum = accepted["values"]
        rng = _args(args.get("dbt_utils.accepted_range") or args.get("accepted_range"))
        f.low, f.high = _num(rng.get("min_value")), _num(rng.get("max_value"))
        rel = _args(args.get("relationships"))
        if isinstance(rel.get("to"), str) and (target := _REF.search(rel["to"])):
            t.fks.append((f.name, target.group(1), str(rel.get("field") or f.name)))
        if "primary_key" in kinds or (f.unique and f.required):
            keys.append(f.name)
        t.fields.append(f)
    for x in m.get("constraints") or []:  # model-level constraints (dbt ≥ 1.5)
        if isinstance(x, dict) and x.get("type") == "primary_key" and len(x.get("columns") or []) == 1:
            keys.insert(0, str(x["columns"][0]))
    t.pk = keys[0] if keys else None
    return t


def _args(v: Any) -> dict[str, Any]:
    """A test's arguments (dbt ≥ 1.10 nests them under ``arguments``)."""
    if not isinstance(v, dict):
        return {}
    return {**v, **v["arguments"]} if isinstance(v.get("arguments"), dict) else v


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _type(c: dict[str, Any]) -> str:
    declared = str(c.get("data_type") or "").lower().split("(")[0].strip()
    for kind, names in _TYPES:
        if declared in names or any(declared.startswith(n) for n in names if len(n) > 3):
            return kind
    if declared:
        return "string"
    toks = words(c["name"])
    last = toks[-1] if toks else ""
    if last in ("id", "key", "sk", "count", "qty", "quantity", "number", "num"):
        return "int"
    if last in ("at", "ts", "timestamp", "time", "datetime"):
        return "datetime"
    if last in ("date", "day", "dt"):
        return "date"
    if toks and toks[0] in ("is", "has", "was", "can", "should"):
        return "bool"
    if last in ("amount", "price", "total", "cost", "revenue", "value", "rate", "score", "balance", "fee", "tax"):
        return "float"
    return "string"
