"""A small DSL v1 schema (user → order) built in code, with defects injected the way the DSL declares them."""

from __future__ import annotations

import copy
from typing import Any

SHOP_SCHEMA: dict[str, Any] = {
    "version": "1.0",
    "metadata": {"name": "shop"},
    "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
    "nodes": [
        {"id": "user", "kind": "entity", "pk": "user_id", "rows": 200, "columns": [
            {"name": "user_id", "type": "int", "generator": {"sequence": {"start": 1}}},
            {"name": "plan", "type": "string", "generator": {"choice": {"choices": ["free", "pro", "team"]}}},
            {"name": "created_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
        ]},
        {"id": "order", "kind": "fact", "pk": "order_id", "parents": ["user"],
         "fanout": {"distribution": "poisson", "lambda": 2.0}, "columns": [
            {"name": "order_id", "type": "int", "generator": {"sequence": {"start": 1}}},
            {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "user.user_id"}}},
            {"name": "placed_at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}},
            {"name": "shipped_at", "type": "datetime", "after_parent": True,
             "generator": {"datetime_series": {"within": "timeframe"}}},
            {"name": "amount", "type": "float", "nullable": True, "null_rate": 0.3,
             "generator": {"distribution": {"type": "lognormal", "params": {"mean": 3.0, "sigma": 0.5}}}},
        ]},
    ],
    "constraints": {"foreign_keys": [{"from": "order.user_id", "to": "user.user_id"}]},
    "defects": [
        {"kind": "temporal_violation", "target": "order.placed_at", "rate": 0.1},
        {"kind": "orphan_fk", "target": "order.user_id", "rate": 0.05},
        {"kind": "duplicate_pk", "target": "order.order_id", "rate": 0.02},
    ],
}


def shop_schema(**changes: Any) -> dict[str, Any]:
    schema = copy.deepcopy(SHOP_SCHEMA)
    schema.update(changes)
    return schema
