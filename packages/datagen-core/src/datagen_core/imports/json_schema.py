"""JSON Schema (draft 4 to 2020-12) and the schemas of an OpenAPI 3 or Swagger 2 document: each object schema is a
table.

The tables are the document itself when it is an object schema (named by its ``title``), every object schema under
``$defs`` / ``definitions``, and OpenAPI's ``components.schemas`` (Swagger's ``definitions``), except a base type that
other schemas only extend (``allOf``): its properties are theirs. A property is a column:
``integer``, ``number``, ``boolean``, ``string`` (``format: date`` a date, ``date-time`` a datetime, ``email``,
``uri``, ``uuid`` their Faker method), with ``enum`` / ``const``, ``minimum`` / ``maximum`` (exclusive too),
``pattern``, ``maxLength``, ``multipleOf`` a power of ten (``0.01``: two decimals), ``description``; ``required`` and ``readOnly`` ids carry over, and ``type: [x, "null"]`` or
``nullable`` leaves a column optional.

References between tables follow the structure:

- a property that is a ``$ref`` to another table is a foreign key ``<property>_id`` to that table's key;
- an array of ``$ref`` (or an array of inline objects, which becomes a table ``<table>_<property>``) makes the
  item table a child, with a ``<table>_id`` column back to this row and ``minItems`` to ``maxItems`` children per
  parent when both are given;
- a property named ``<table>_id`` / ``<table>Id`` after another table (``customerId`` → ``Customer``) is a foreign key
  to it.

An inline object is flattened into ``<property>_<field>`` columns; an array of plain values, ``oneOf`` / ``anyOf``
and other compositions are text (noted).

>>> doc = {"$defs": {"Customer": {"type": "object", "properties": {"id": {"type": "integer"},
...            "email": {"type": "string", "format": "email"}}},
...        "Order": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"},
...            "customer": {"$ref": "#/$defs/Customer"},
...            "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}}}}}
>>> tables, notes = read(doc, "shop")
>>> [(t.name, [f.name for f in t.fields], t.fks) for t in tables]
[('Customer', ['id', 'email'], []), ('Order', ['id', 'customer_id'], [('customer_id', 'Customer', 'id')]), ('Order_lines', ['sku', 'Order_id'], [('Order_id', 'Order', 'id')])]
"""

from __future__ import annotations

import math
from typing import Any

from datagen_contracts.text import name_words as words

from .layout import Field, Table, length, mapping, name_stems, named_key, number, surrogate
from .values import FORMAT_METHODS

_TYPES = {"integer": "int", "number": "float", "boolean": "bool", "string": "string"}
_TIMES = {"date": "date", "date-time": "datetime"}


def read(doc: dict[str, Any], stem: str) -> tuple[list[Table], list[str]]:
    """The tables ``doc`` describes, and the notes of what was not converted."""
    defs = {**mapping(doc.get("definitions")), **mapping(doc.get("$defs")),
            **mapping(mapping(doc.get("components")).get("schemas"))}
    found: dict[str, dict[str, Any]] = {str(k): v for k, v in defs.items() if _is_object(v, doc)}
    bases = {n for v in found.values() if isinstance(v, dict) for n in map(_ref_name, v.get("allOf") or []) if n}
    found = {k: v for k, v in found.items() if k not in bases - _referenced(found)}  # a base type is no table
    if _is_object(doc, doc) and "openapi" not in doc and "swagger" not in doc:
        found = {str(doc.get("title") or stem): doc, **found}
    reader = _Reader(doc, found)
    for name, spec in found.items():
        reader.table(name, spec)
    reader.link()
    return list(reader.tables.values()), reader.notes


def _is_object(spec: Any, doc: dict[str, Any]) -> bool:
    spec = _resolve(spec, doc)
    return isinstance(spec, dict) and (spec.get("type") == "object" or isinstance(spec.get("properties"), dict)) \
        and bool(mapping(spec.get("properties")) or spec.get("allOf"))


def _resolve(spec: Any, doc: dict[str, Any], depth: int = 0) -> Any:
    """``spec`` with a local ``$ref`` followed (``#/$defs/X``, ``#/components/schemas/X``), and ``allOf`` merged."""
    if not isinstance(spec, dict) or depth > 20:
        return spec
    if isinstance(spec.get("$ref"), str) and spec["$ref"].startswith("#/"):
        node: Any = doc
        for part in spec["$ref"][2:].split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
        return _resolve(node, doc, depth + 1)
    if isinstance(spec.get("allOf"), list):  # the parts' properties in order, then the schema's own
        merged: dict[str, Any] = {k: v for k, v in spec.items() if k != "allOf"}
        props: dict[str, Any] = {}
        required: list[Any] = []
        for part in [*spec["allOf"], {k: spec[k] for k in ("properties", "required") if k in spec}]:
            part = _resolve(part, doc, depth + 1)
            if isinstance(part, dict):
                props |= mapping(part.get("properties"))
                required += part.get("required") or []
                merged.setdefault("type", part.get("type"))
        return merged | {"properties": props, "required": required}
    return spec


def _referenced(found: dict[str, Any]) -> set[str]:
    """The schemas a property (or an array's items) refers to, at any depth of inline objects."""
    out: set[str] = set()

    def walk(spec: Any, depth: int) -> None:
        if not isinstance(spec, dict) or depth > 5:
            return
        for part in spec.get("allOf") or []:
            walk(part, depth + 1)
        for prop in mapping(spec.get("properties")).values():
            for ref in (_ref_name(prop), _ref_name(prop.get("items")) if isinstance(prop, dict) else None):
                out.update([ref] if ref else [])
            walk(prop, depth + 1)
            walk(prop.get("items") if isinstance(prop, dict) else None, depth + 1)

    for spec in found.values():
        walk(spec, 0)
    return out


def _ref_name(spec: Any) -> str | None:
    ref = spec.get("$ref") if isinstance(spec, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) and ref.startswith("#/") else None


class _Reader:
    def __init__(self, doc: dict[str, Any], found: dict[str, dict[str, Any]]) -> None:
        self.doc, self.found = doc, found
        self.tables: dict[str, Table] = {}
        self.notes: list[str] = []
        self.children: list[tuple[str, str, dict[str, Any]]] = []  # (child table, parent table, the array spec)

    def table(self, name: str, spec: dict[str, Any]) -> Table:
        if name in self.tables:
            return self.tables[name]
        spec = _resolve(spec, self.doc)
        t = Table(name, [], description=spec.get("description") if isinstance(spec.get("description"), str) else None)
        self.tables[name] = t
        required = set(spec.get("required") or [])
        for prop, raw in mapping(spec.get("properties")).items():
            self.column(t, str(prop), raw, str(prop) in required, "")
        t.pk = named_key(t) or next((f.name for f in t.fields if f.unique and f.required), None)
        return t

    def column(self, t: Table, name: str, raw: Any, required: bool, prefix: str = "", depth: int = 0) -> None:
        where, col = f"{t.name}.{prefix}{name}", f"{prefix}{name}"
        target = _ref_name(raw)
        spec = _resolve(raw, self.doc)
        if not isinstance(spec, dict):
            return
        if target in self.found:  # one row of another table
            t.fields.append(Field(f"{col}_id", "int", required=required))
            t.fks.append((f"{col}_id", target, "id"))
            return
        kind = spec.get("type")
        types = [k for k in (kind if isinstance(kind, list) else [kind]) if k != "null"]
        nullable = (isinstance(kind, list) and "null" in kind) or spec.get("nullable") is True
        if types == ["array"]:
            items = spec.get("items")
            item = _ref_name(items)
            if item in self.found:
                self.children.append((item, t.name, spec))
                return
            if _is_object(items, self.doc):
                child = f"{t.name}_{col}"
                self.children.append((child, t.name, spec))
                self.table(child, _resolve(items, self.doc))
                return
            self.notes.append(f"{where}: an array of values, generated as text (one JSON list per row is not a "
                              "column type)")
            t.fields.append(Field(col, "string", hint="word"))
            return
        if types == ["object"] or (not types and isinstance(spec.get("properties"), dict)):
            if depth < 3:  # an inline object: its fields as columns of this table
                req = set(spec.get("required") or [])
                for sub, sub_raw in mapping(spec.get("properties")).items():
                    self.column(t, str(sub), sub_raw, required and str(sub) in req, f"{col}_", depth + 1)
            return
        if len(types) != 1 or types[0] not in _TYPES:
            if any(k in spec for k in ("oneOf", "anyOf")) or len(types) > 1:
                self.notes.append(f"{where}: one of several shapes (oneOf/anyOf or several types), generated as text")
            t.fields.append(Field(col, "string", required=required and not nullable))
            return
        fmt = str(spec.get("format")) if types[0] == "string" else ""
        dsl_type, hint = _TIMES.get(fmt, _TYPES[types[0]]), FORMAT_METHODS.get(fmt)
        low = number(spec.get("minimum", spec.get("exclusiveMinimum")))
        high = number(spec.get("maximum", spec.get("exclusiveMaximum")))
        enum = [spec["const"]] if "const" in spec else spec.get("enum") if isinstance(spec.get("enum"), list) else None
        t.fields.append(Field(
            col, dsl_type, required=required and not nullable, unique=bool(spec.get("readOnly")) and words(name) == ["id"],
            enum=[v for v in enum if v is not None] or None if enum else None, low=low, high=high, hint=hint,
            pattern=spec.get("pattern") if isinstance(spec.get("pattern"), str) else None,
            max_length=length(spec.get("maxLength")), decimals=_decimals(spec.get("multipleOf")) if dsl_type == "float" else None,
            description=spec.get("description") if isinstance(spec.get("description"), str) else None))

    def link(self) -> None:
        """Every reference, once all tables are read (a table's key is known only then): children to their parent,
        keys named after another table, and a key for a table referenced without one."""
        link_by_name(self.tables)
        for child, parent, array in self.children:
            self._child(child, self.tables[parent], array)
        for t in self.tables.values():
            for i, (c, p, _) in enumerate(t.fks):
                target = self.tables.get(p)
                if target is not None:
                    t.fks[i] = (c, p, target.pk or self._keyed(target))

    def _keyed(self, t: Table) -> str:
        t.pk = surrogate(t)
        self.notes.append(f"{t.name}: no key in the schema; {t.pk} added for the tables that reference it")
        return t.pk

    def _child(self, child: str, parent: Table, array: dict[str, Any]) -> None:
        """``child`` rows belong to a ``parent`` row: a key back to it, and the array's size as the fanout."""
        t = self.tables.get(child)
        if t is None or any(p == parent.name for _, p, _ in t.fks):
            return
        back = f"{parent.name}_id" if t.field(f"{parent.name}_id") is None else f"{parent.name}_ref"
        t.fields.append(Field(back, "int", required=True))
        t.fks.append((back, parent.name, parent.pk or ""))
        low, high = array.get("minItems"), array.get("maxItems")
        if t.name == parent.name:  # a tree (a node's children are nodes): a reference to itself, not a fanout
            return
        if isinstance(low, int) and isinstance(high, int) and 0 <= low <= high and t.under is None:
            t.under, t.per_parent, t.per_parent_max = parent.name, low, high



def _decimals(step: Any) -> int | None:
    """The decimals a ``multipleOf`` keeps when it is a power of ten of at most 1 (``0.01`` → 2), else None.

    >>> _decimals(0.01), _decimals(1), _decimals(0.25), _decimals("0.1")
    (2, 0, None, None)
    """
    if not isinstance(step, int | float) or isinstance(step, bool) or not 0 < step <= 1:
        return None
    k = round(-math.log10(step))
    return k if k <= 12 and math.isclose(step, 10.0 ** -k, rel_tol=1e-9) else None


def link_by_name(tables: dict[str, Table]) -> list[str]:
    """``customerId`` / ``customer_id`` in a table, with a table ``Customer`` (``customers``) beside it that has a
    key (declared, or named as its own: ``customers.customer_id``): a foreign key to that key. Returns the ones added (``orders.customerId → customers.id``).

    >>> from .layout import Field
    >>> shop = {"customers": Table("customers", [Field("id", "int")], pk="id"),
    ...         "orders": Table("orders", [Field("order_id", "int"), Field("customerId", "int")], pk="order_id")}
    >>> link_by_name(shop), shop["orders"].fks
    (['orders.customerId → customers.id'], [('customerId', 'customers', 'id')])
    """
    by_words: dict[tuple[str, ...], str] = {}
    for n in tables:  # a table's own words first, then the singular of the others' (categories → category)
        by_words.setdefault(tuple(words(n)), n)
    for n in tables:
        for stem in name_stems(n):
            by_words.setdefault(stem, n)
    added = []
    for t in tables.values():
        linked = {c for c, _, _ in t.fks}
        for f in t.fields:
            w = tuple(words(f.name))
            target = by_words.get(w[:-1]) if len(w) > 1 and w[-1] == "id" else None
            key = (tables[target].pk or named_key(tables[target])) if target and target != t.name else None
            if target and key and f.name not in linked:
                t.fks.append((f.name, target, key))
                added.append(f"{t.name}.{f.name} → {target}.{key}")
    return added
