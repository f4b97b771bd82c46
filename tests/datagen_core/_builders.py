"""Small datasets built in code for validate and defects tests: a schema and clean parquet tables to break."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from datagen_contracts.dsl import Schema, loads_schema

START = datetime(2024, 1, 1)
END = datetime(2024, 12, 31)


def shop_doc(n_users: int = 40) -> dict[str, Any]:
    """A user → order schema touching every kind of validate check."""
    return {
        "version": "1.0",
        "metadata": {"name": "shop"},
        "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
        "nodes": [
            {"id": "status", "kind": "vocab", "pk": "code", "columns": [
                {"name": "code", "type": "string", "generator": {"enum_list": {"values": ["paid", "refunded"]}}}]},
            {"id": "user", "kind": "entity", "rows": n_users, "pk": "user_id", "columns": [
                {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
                {"name": "created_at", "type": "datetime", "generator": {"datetime_series": {}}},
                {"name": "country", "type": "string", "generator": {"choice": {"choices": ["US", "DE", "FR"]}}},
                {"name": "age", "type": "int", "generator": {"distribution": {
                    "type": "normal", "params": {"mean": 40, "std": 10}, "clamp": [18, 90]}}},
                {"name": "email", "type": "string", "generator": {"faker": {"method": "email"}},
                 "constraints": {"pattern": "^[^@\\s]+@[^@\\s]+$"}},
            ]},
            {"id": "order", "kind": "fact", "parents": ["user"], "pk": "order_id",
             "fanout": {"distribution": "poisson", "lambda": 3},
             "columns": [
                 {"name": "order_id", "type": "int", "generator": {"sequence": {}}},
                 {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
                 {"name": "ordered_at", "type": "datetime", "generator": {"datetime_series": {}}},
                 {"name": "shipped_on", "type": "date", "nullable": True, "after_parent": False,
                  "generator": {"datetime_series": {"within": {"start": "2023-06-01", "end": "2025-06-30"}}}},
                 {"name": "amount", "type": "float", "generator": {"distribution": {
                     "type": "lognormal", "params": {"mean": 3, "sigma": 0.5}, "clamp": [1, 1000]}}},
                 {"name": "status", "type": "string", "generator": {"choice": {"choices": ["paid", "refunded"]}},
                  "constraints": {"enum_ref": "status.code"}},
             ]},
        ],
        "constraints": {
            "foreign_keys": [{"from": "order.user_id", "to": "user.user_id"}],
            "ranges": [{"attr": "order.amount", "min": 1, "max": 1000}],
            "inequalities": [{"left": "order.ordered_at", "op": ">=", "right": "user.created_at"}],
            "enum": [{"attr": "user.country", "values": ["US", "DE", "FR"]}],
        },
    }


def schema_from(doc: dict[str, Any]) -> Schema:
    return loads_schema(json.dumps(doc))


def shop_tables(n_users: int = 40, seed: int = 1) -> dict[str, dict[str, Any]]:
    """Clean tables for :func:`shop_doc`: column name → list (or numpy array) per table."""
    rng = np.random.default_rng(seed)
    span = int((END - START).total_seconds())
    created = [START + timedelta(seconds=int(s)) for s in rng.integers(0, span // 2, n_users)]
    users = {
        "user_id": list(range(1, n_users + 1)),
        "created_at": created,
        "country": [["US", "DE", "FR"][i % 3] for i in range(n_users)],
        "age": [int(a) for a in rng.integers(18, 91, n_users)],
        "email": [f"user{i}@example.com" for i in range(n_users)],
    }
    fan = rng.integers(1, 6, n_users)
    parent = np.repeat(np.arange(n_users), fan)
    ordered = []
    for p in parent:
        left = int((END - created[p]).total_seconds())
        ordered.append(created[p] + timedelta(seconds=int(rng.integers(0, max(left, 1)))))
    n = len(parent)
    orders = {
        "order_id": list(range(1, n + 1)),
        "user_id": [int(p) + 1 for p in parent],
        "ordered_at": ordered,
        "shipped_on": [(o + timedelta(days=2)).date() if i % 7 else None for i, o in enumerate(ordered)],
        "amount": [float(a) for a in np.round(rng.uniform(1, 900, n), 2)],
        "status": [["paid", "refunded"][i % 2] for i in range(n)],
    }
    return {"status": {"code": ["paid", "refunded"]}, "user": users, "order": orders}


TYPES = {
    "user_id": pa.int64(), "order_id": pa.int64(), "age": pa.int64(), "created_at": pa.timestamp("us"),
    "ordered_at": pa.timestamp("us"), "shipped_on": pa.date32(), "amount": pa.float64(),
}


def arrow_table(columns: dict[str, Any], types: dict[str, pa.DataType] | None = None) -> pa.Table:
    types = {**TYPES, **(types or {})}
    return pa.table({k: pa.array(v, type=types.get(k)) for k, v in columns.items()})


def write_tables(root: Path, tables: dict[str, dict[str, Any]], types: dict[str, pa.DataType] | None = None,
                 row_group_size: int | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, columns in tables.items():
        pq.write_table(arrow_table(columns, types), root / f"{name}.parquet", row_group_size=row_group_size)
    return root
