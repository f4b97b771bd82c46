"""dbt properties (``schema.yml``): ``models`` and ``sources``' ``tables``, their columns and tests; or a whole
project at once from its ``target/manifest.json`` (:func:`read_manifest`), with the warehouse's own column list
and types from the ``catalog.json`` beside it (``dbt docs generate``).

A column's type is its ``data_type`` (``integer``, ``numeric``, ``timestamp``, ``varchar``…), else what its name
says (``*_id`` an integer, ``*_at`` a timestamp, ``*_date`` a date, ``is_*`` a flag, ``amount``/``price`` a
number). Tests (``tests`` or ``data_tests``) and model ``constraints`` carry the rest: ``unique`` + ``not_null``
(or a ``primary_key`` constraint) is the key, ``accepted_values`` the values, ``relationships`` a foreign key
(``to: ref('customers')``, or a ``foreign_key`` constraint of a model contract), ``dbt_utils.accepted_range`` the
range; dbt-expectations' ``expect_column_values_to_be_between`` / ``_be_in_set`` / ``_match_regex`` a range, the
values, a pattern.

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

from sqlglot import exp
from sqlglot.errors import SqlglotError

from .layout import Field, Table, mapping, number, words
from .sql_parts import dsl_type

_REF = re.compile(r"""(?:ref|source)\(\s*(?:['"][^'"]*['"]\s*,\s*)?['"]([^'"]+)['"]\s*\)""")
def declared_type(declared: str, warehouse: str | None = None) -> str:
    """A warehouse type's DSL type, read by sqlglot in the ``warehouse``'s dialect (the manifest's adapter) or the
    first dialect that knows it (``numeric(10,0)`` int, ``timestamp_ntz`` datetime, ``float64`` float); text when
    none does. A bare ``NUMBER`` is a whole number in Snowflake (``NUMBER(38,0)``), any number elsewhere.

    >>> [declared_type(t) for t in ("integer", "number(38,0)", "numeric(12,2)", "timestamp_tz", "float64", "geo")]
    ['int', 'int', 'float', 'datetime', 'float', 'string']
    >>> declared_type("NUMBER", "snowflake"), declared_type("NUMBER", "oracle"), declared_type("NUMBER")
    ('int', 'float', 'float')
    """
    for dialect in dict.fromkeys((warehouse, None, "bigquery", "snowflake", "postgres", "tsql")):
        try:
            return dsl_type(exp.DataType.build(declared, dialect=dialect), dialect or "", {})[0]
        except (SqlglotError, ValueError):
            continue
    return "string"


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
        f = Field(c["name"], _type(c, m.get("warehouse")), required="not_null" in named or "not_null" in kinds,
                  unique="unique" in named or "unique" in kinds or "primary_key" in kinds,
                  description=c.get("description") if isinstance(c.get("description"), str) else None)
        accepted = _args(args.get("accepted_values"))
        in_set = _args(args.get(f"{_EXPECT}_be_in_set")).get("value_set")
        if isinstance(accepted.get("values"), list) and accepted["values"]:
            f.enum = accepted["values"]
        elif isinstance(in_set, list) and in_set:
            f.enum = in_set
        rng = _args(args.get("dbt_utils.accepted_range") or args.get("accepted_range")
                    or args.get(f"{_EXPECT}_be_between"))
        f.low, f.high = number(rng.get("min_value")), number(rng.get("max_value"))
        regex = _args(args.get(f"{_EXPECT}_match_regex")).get("regex")
        f.pattern = regex if isinstance(regex, str) else None
        rel = _args(args.get("relationships"))
        if isinstance(rel.get("to"), str) and (target := _REF.search(rel["to"])):
            t.fks.append((f.name, target.group(1), str(rel.get("field") or f.name)))
        for x in c.get("constraints") or []:  # a model contract's foreign_key constraint
            if isinstance(x, dict) and x.get("type") == "foreign_key" and (fk := _fk_target(x)) is not None:
                t.fks.append((f.name, fk[0], fk[1] or f.name))
        if "primary_key" in kinds or (f.unique and f.required):
            keys.append(f.name)
        t.fields.append(f)
    for x in m.get("constraints") or []:  # model-level constraints (dbt ≥ 1.5)
        if isinstance(x, dict) and x.get("type") == "primary_key" and len(x.get("columns") or []) == 1:
            keys.insert(0, str(x["columns"][0]))
        if (isinstance(x, dict) and x.get("type") == "foreign_key" and len(x.get("columns") or []) == 1
                and (fk := _fk_target(x)) is not None):
            t.fks.append((str(x["columns"][0]), fk[0], fk[1] or str(x["columns"][0])))
    t.pk = keys[0] if keys else None
    return t


#: dbt-expectations' column tests, by the end of their names
_EXPECT = "dbt_expectations.expect_column_values_to"
#: a foreign_key constraint's expression: ``customers (id)``, ``analytics."Customers"("ID")``
_FK_EXPR = re.compile(r"""([\w"`\[\].]+?)\s*\(\s*["`\[]?(\w+)["`\]]?\s*\)\s*$""")


def _fk_target(x: dict[str, Any]) -> tuple[str, str | None] | None:
    """The (table, column) a model contract's ``foreign_key`` constraint names: ``to: ref('customers')`` with
    ``to_columns`` (dbt ≥ 1.9), or an ``expression`` such as ``analytics.customers (id)``.

    >>> _fk_target({"to": "ref('customers')", "to_columns": ["id"]}), _fk_target({"expression": 'a."Customers" ("ID")'})
    (('customers', 'id'), ('Customers', 'ID'))
    """
    if isinstance(x.get("to"), str) and (ref := _REF.search(x["to"])):
        cols = x.get("to_columns") or []
        return ref.group(1), str(cols[0]) if isinstance(cols, list) and cols else None
    if isinstance(x.get("expression"), str) and (m := _FK_EXPR.search(x["expression"].strip())):
        return m.group(1).split(".")[-1].strip('"`[]'), m.group(2)
    return None


def _args(v: Any) -> dict[str, Any]:
    """A test's arguments (dbt ≥ 1.10 nests them under ``arguments``)."""
    if not isinstance(v, dict):
        return {}
    return {**v, **v["arguments"]} if isinstance(v.get("arguments"), dict) else v


def _type(c: dict[str, Any], warehouse: str | None = None) -> str:
    declared = str(c.get("data_type") or "").strip()
    if declared:
        return declared_type(declared, warehouse)
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


#: dbt adapters whose SQL dialect sqlglot names otherwise
_DIALECTS = {"sqlserver": "tsql", "fabric": "tsql", "synapse": "tsql"}

#: the kinds of manifest node that are tables
_TABLES = ("model", "seed", "snapshot")


def read_manifest(manifest: dict[str, Any], catalog: dict[str, Any] | None = None) -> list[Table]:
    """A dbt manifest's models, seeds, snapshots and sources as properties :func:`read` takes: each test node
    (``unique``, ``not_null``, ``accepted_values``, ``relationships``, ``dbt_utils.accepted_range``…) put back under
    the column it tests. With ``catalog``, every column the warehouse has (the manifest lists only documented ones)
    and its type, when the project declares none; a column is named as the warehouse names it (``ID`` in a
    Snowflake catalog for the project's ``id``).

    >>> m = {"nodes": {"model.p.orders": {"resource_type": "model", "name": "orders", "columns": {}},
    ...      "test.p.u": {"resource_type": "test", "attached_node": "model.p.orders", "column_name": "id",
    ...                   "test_metadata": {"name": "unique", "kwargs": {"column_name": "id"}}},
    ...      "test.p.n": {"resource_type": "test", "attached_node": "model.p.orders", "column_name": "id",
    ...                   "test_metadata": {"name": "not_null", "kwargs": {"column_name": "id"}}}}}
    >>> c = {"nodes": {"model.p.orders": {"columns": {"ID": {"name": "ID", "type": "NUMBER(38,0)"},
    ...                                                 "TOTAL": {"name": "TOTAL", "type": "FLOAT"}}}}}
    >>> [(t.name, t.pk, [(f.name, f.type) for f in t.fields]) for t in read_manifest(m, c)]
    [('orders', 'ID', [('ID', 'int'), ('TOTAL', 'float')])]
    """
    adapter = mapping(manifest.get("metadata")).get("adapter_type")
    warehouse = _DIALECTS.get(adapter, adapter) if isinstance(adapter, str) else None  # its types' dialect
    found = {uid: n for uid, n in (manifest.get("nodes") or {}).items()
             if isinstance(n, dict) and n.get("resource_type") in _TABLES and isinstance(n.get("name"), str)}
    found |= {uid: n for uid, n in (manifest.get("sources") or {}).items()
              if isinstance(n, dict) and isinstance(n.get("name"), str)}
    tests: dict[tuple[str, str], list[Any]] = {}
    for n in (manifest.get("nodes") or {}).values():
        meta = n.get("test_metadata") if isinstance(n, dict) and n.get("resource_type") == "test" else None
        column, target = n.get("column_name") if meta else None, n.get("attached_node") if meta else None
        if not isinstance(meta, dict) or not isinstance(column, str) or not isinstance(target, str) or target not in found:
            continue
        name = ".".join(x for x in (meta.get("namespace"), meta.get("name")) if isinstance(x, str))
        kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k not in ("column_name", "model")}
        tests.setdefault((target, column.strip('"`[]').lower()), []).append({name: kwargs} if kwargs else name)
    models = []
    for uid, n in found.items():
        entry = mapping(mapping(mapping(catalog).get("sources" if uid.startswith("source.") else "nodes")).get(uid))
        typed = {str(c.get("name") or k).lower(): c for k, c in mapping(entry.get("columns")).items() if isinstance(c, dict)}
        declared = {str(c["name"]).lower(): c for c in (n.get("columns") or {}).values()
                    if isinstance(c, dict) and isinstance(c.get("name"), str)}
        columns = []  # the warehouse's columns in its order, then documented ones it lacks, then tested ones
        for k, c in sorted(typed.items(), key=lambda kc: kc[1].get("index") or 0):
            d = declared.get(k, {})
            columns.append({**d, "name": str(c.get("name") or k), "data_type": d.get("data_type") or c.get("type"),
                            "data_tests": tests.get((uid, k), [])})
        columns += [{**d, "data_tests": tests.get((uid, k), [])} for k, d in declared.items() if k not in typed]
        columns += [{"name": col, "data_tests": t} for (owner, col), t in tests.items()
                    if owner == uid and col not in declared and col not in typed]  # tested, listed nowhere else
        models.append({"name": n["name"], "description": n.get("description") or None, "columns": columns,
                       "constraints": n.get("constraints") or [], "warehouse": warehouse})
    return read({"models": models})
