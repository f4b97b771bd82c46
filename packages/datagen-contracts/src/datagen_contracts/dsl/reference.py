"""A compact DSL reference generated from the DSL structs, for prompts (``datagen draft``): never hand-copied.

Every struct reachable from :class:`~datagen_contracts.dsl.Schema` is one line — its fields, their types and
defaults — followed by the Faker method names the ``faker`` generator accepts and a small example schema that
the contract itself loads (a test proves it), so a model sees exactly the language the loader checks.

>>> text = reference()
>>> "Schema: version: string (required)" in text and "Fanout:" in text and "'credit_card_number'" in text
True
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import msgspec.inspect as mi

from .faker_vocabulary import METHODS
from .schema import Schema

EXAMPLE: dict[str, Any] = {
    "version": "1.0",
    "metadata": {"name": "shop", "description": "customers and their orders"},
    "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
    "nodes": [
        {"id": "customer", "kind": "entity", "rows": 1000, "pk": "customer_id", "columns": [
            {"name": "customer_id", "type": "int", "generator": {"sequence": {"start": 1}}},
            {"name": "email", "type": "string", "generator": {"faker": {"method": "email"}}},
            {"name": "plan", "type": "string",
             "generator": {"choice": {"choices": ["free", "pro"], "weights": [0.8, 0.2]}}},
            {"name": "signed_up_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
        ]},
        {"id": "order", "kind": "fact", "parents": ["customer"], "pk": "order_id",
         "fanout": {"distribution": "negative_binomial", "lambda": 3, "dispersion": 1.5, "max": 50},
         "columns": [
             {"name": "order_id", "type": "int", "generator": {"sequence": {"start": 1}}},
             {"name": "customer_id", "type": "int", "generator": {"lookup": {"from": "customer.customer_id"}}},
             {"name": "ordered_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
             {"name": "amount", "type": "float", "unit": "USD", "generator": {"distribution": {
                 "type": "lognormal", "params": {"mean": 3.5, "sigma": 0.6}, "clamp": [1, 2000]}}},
         ]},
    ],
    "constraints": {"unique": ["customer.email"],
                    "foreign_keys": [{"from": "order.customer_id", "to": "customer.customer_id"}]},
}


def _type(t: mi.Type, queue: list[type]) -> str:
    if isinstance(t, mi.StructType):
        if t.cls not in queue:
            queue.append(t.cls)
        return t.cls.__name__ + (f"({t.tag_field}={t.tag!r})" if t.tag is not None else "")
    if isinstance(t, mi.UnionType):
        return " | ".join(_type(x, queue) for x in t.types)
    if isinstance(t, mi.ListType | mi.VarTupleType | mi.SetType | mi.FrozenSetType):
        return f"list[{_type(t.item_type, queue)}]"
    if isinstance(t, mi.TupleType):
        return "[" + ", ".join(_type(x, queue) for x in t.item_types) + "]"
    if isinstance(t, mi.DictType):
        return f"map[{_type(t.key_type, queue)}, {_type(t.value_type, queue)}]"
    if isinstance(t, mi.LiteralType):
        return " | ".join(json.dumps(v) for v in t.values)
    return {mi.StrType: "string", mi.IntType: "int", mi.FloatType: "number", mi.BoolType: "bool",
            mi.AnyType: "any", mi.NoneType: "null"}.get(type(t), type(t).__name__.removesuffix("Type").lower())


def _field(f: mi.Field, queue: list[type]) -> str:
    text = f"{f.encode_name}: {_type(f.type, queue)}"
    if f.required:
        return text + " (required)"
    if f.default is not msgspec.NODEFAULT and f.default is not None:
        return text + f" = {json.dumps(f.default, default=str)}"
    return text


def reference(*, faker_methods: bool = True, example: bool = True) -> str:
    """The DSL as compact text: one line per struct, then the Faker methods and an example schema."""
    queue: list[type] = [Schema]
    lines = ["Datagen DSL v1 (JSON). A column's generator object holds exactly one generator kind. "
             "Types: int, float, string, bool, date, datetime. A fact's rows come from parents[0] x fanout; "
             "its FK column is a lookup of the parent's key. Times are ISO-8601 UTC."]
    i = 0
    while i < len(queue):
        cls = queue[i]
        i += 1
        info = mi.type_info(cls)
        assert isinstance(info, mi.StructType)
        doc = " ".join((cls.__doc__ or "").split())
        doc = "" if doc.startswith(cls.__name__ + "(") else doc  # msgspec's generated signature is no doc
        fields = "; ".join(_field(f, queue) for f in info.fields if f.name != "comment")
        lines.append(f"{cls.__name__}: {fields}" + (f"  -- {doc[:300]}" if doc else ""))
    if faker_methods:
        lines.append("faker methods: " + ", ".join(repr(m) for m in sorted(METHODS)))
    if example:
        lines.append("Example schema: " + json.dumps(EXAMPLE, separators=(",", ":")))
    return "\n".join(lines)
