"""Values at the edges of their types — every integer type's smallest and largest value, the largest doubles, the
earliest and latest timestamps — never break a crunch: no check errors and discovery completes (DuckDB raises on
``abs(-128)`` of a TINYINT and on arithmetic past a type's range)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from datacruncher.crunch import crunch

INTEGERS = {"int8": (-2**7, 2**7 - 1), "int16": (-2**15, 2**15 - 1), "int32": (-2**31, 2**31 - 1),
            "int64": (-2**63, 2**63 - 1), "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1),
            "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1)}


def test_every_type_at_its_edges(tmp_path: Path) -> None:
    rnd, n = random.Random(4), 300
    cols: dict[str, pa.Array] = {"order_id": pa.array(range(1, n + 1), pa.int64())}
    for name, (lo, hi) in INTEGERS.items():  # small counts with the type's two ends among them
        cols[f"qty_{name}"] = pa.array([lo, hi] + [rnd.randrange(max(lo, -100), 100) for _ in range(n - 2)],
                                       getattr(pa, name)())
    big = 1.7976931348623157e308
    cols["amount"] = pa.array([big, -big, 5e-324] + [rnd.gauss(100, 10) for _ in range(n - 3)])
    start = [dt.datetime(2024, 1, 1) + dt.timedelta(hours=i) for i in range(n)]
    cols["created_at"] = pa.array(start, pa.timestamp("us"))
    cols["shipped_at"] = pa.array([s + dt.timedelta(hours=rnd.randrange(1, 50)) for s in start], pa.timestamp("us"))
    cols["edge_ts"] = pa.array([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59), *start[2:]],
                               pa.timestamp("us"))
    cols["customer_id"] = pa.array([rnd.randrange(1, 51) for _ in range(n)], pa.int8())
    pq.write_table(pa.table(cols), tmp_path / "orders.parquet")
    pq.write_table(pa.table({"customer_id": pa.array(range(1, 51), pa.int8()),
                             "created_at": pa.array([dt.datetime(2023, 6, 1)] * 50, pa.timestamp("us"))}),
                   tmp_path / "customers.parquet")
    report = crunch(tmp_path)
    errored = [(r.rule_id, r.column, r.reason) for r in report.checks.results if r.status == "errored"]
    assert errored == []
    assert report.checks.evaluated > 40 and report.model is not None
    assert ("orders", "customer_id", "customers") in {(f.from_table, f.from_column, f.to_table) for f in report.model.foreign_keys}
