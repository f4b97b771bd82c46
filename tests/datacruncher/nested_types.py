"""A dataset of the parquet types a warehouse export or a Spark job writes and the DSL has no type for: lists,
structs, maps, bytes, times of day, UBIGINT past int64, float16, durations, INT96 timestamps, an all-null column
and an empty table. Built with pyarrow only (the isolated datacruncher suite has no numpy)."""

from __future__ import annotations

import datetime as dt
import decimal
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write(directory: Path, rows: int = 600) -> Path:
    rnd = random.Random(5)
    directory.mkdir(parents=True)
    ids = list(range(1, rows + 1))
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    pq.write_table(pa.table({
        "customer_id": pa.array(ids, pa.int64()),
        "balance": pa.array([decimal.Decimal(f"{rnd.random() * 1000:.2f}") for _ in ids], pa.decimal128(12, 2)),
        "signup": pa.array([start + dt.timedelta(hours=rnd.randrange(8000)) for _ in ids], pa.timestamp("us", "UTC")),
        "wake": pa.array([dt.time(rnd.randrange(24)) for _ in ids], pa.time64("us")),
        "tags": pa.array([["a", "b", " c"][: rnd.randrange(4)] for _ in ids], pa.list_(pa.string())),
        "stamps": pa.array([[start] * rnd.randrange(3) for _ in ids], pa.list_(pa.timestamp("us", "UTC"))),
        "amounts": pa.array([[1.5, 2.25][: rnd.randrange(3)] for _ in ids], pa.list_(pa.float64())),
        "addr": pa.array([{"city": "X", "zip": rnd.randrange(10000, 99999)} for _ in ids]),
        "props": pa.array([[("k", "v")] for _ in ids], pa.map_(pa.string(), pa.string())),
        "blob": pa.array([bytes([i % 256]) * 4 for i in ids], pa.binary()),
        "hash": pa.array([2**63 + rnd.randrange(10**6) for _ in ids], pa.uint64()),
        "half": pa.array([rnd.random() for _ in ids], pa.float64()).cast(pa.float16()),
        "wait": pa.array([rnd.randrange(10**9) for _ in ids], pa.duration("us")),
        "never": pa.nulls(rows, pa.int32()),
    }), directory / "customers.parquet")
    orders = rows * 5
    pq.write_table(pa.table({
        "order_id": pa.array(range(1, orders + 1), pa.int64()),
        "customer_id": pa.array([rnd.randrange(1, rows + 1) for _ in range(orders)], pa.int64()),
        "amount": pa.array([round(rnd.gammavariate(2, 30), 2) for _ in range(orders)]),
        "placed_at": pa.array([dt.datetime(2024, 3, 1) + dt.timedelta(minutes=rnd.randrange(500_000))
                               for _ in range(orders)], pa.timestamp("ns")),
    }), directory / "orders.parquet", use_deprecated_int96_timestamps=True)
    pq.write_table(pa.table({"x": pa.array([], pa.int64())}), directory / "empty.parquet")
    return directory
