"""Shared fixtures: an isolated HOME, and datasets built in code with defects injected at known rates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

BASE = dt.datetime(2024, 1, 1)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))


def write(directory: Path, name: str, columns: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.parquet"
    pq.write_table(pa.table(columns), path)
    return path


def shop(directory: Path, *, users: int = 2000, orders: int = 10000, orphans: int = 0, early: int = 0,
         dup_rows: int = 0, negatives: int = 0, variants: int = 0) -> Path:
    """users + orders with exact defect counts: orphan user_ids, orders before signup, duplicate rows,
    negative amounts and 'us ' spelling variants of 'US'. Deterministic (no RNG): values derive from the index."""
    created = [BASE + dt.timedelta(hours=7 * i % 8000) for i in range(users)]
    write(directory, "users", {
        "user_id": list(range(1, users + 1)),
        "email": [f"user{i}@example.com" for i in range(users)],
        "country": ["US" if i % 3 else "DE" for i in range(users)],
        "created_at": created,
    })
    uid = [(i * 7919) % users + 1 for i in range(orders)]
    ordered = [created[u - 1] + dt.timedelta(hours=1 + (i * 13) % 900) for i, u in enumerate(uid)]
    amount = [10.0 + (i * 37) % 500 for i in range(orders)]
    country = ["US" if i % 2 else "DE" for i in range(orders)]
    for i in range(orphans):
        uid[i] = users + 1000 + i
    for i in range(early):
        j = orders - 1 - i
        ordered[j] = created[uid[j] - 1] - dt.timedelta(days=3 + i % 5)
    for i in range(negatives):
        amount[100 + i] = -amount[100 + i]
    for i in range(variants):
        country[2 * i + 1] = "us "  # odd rows are 'US'
    cols = {"order_id": list(range(1, orders + 1)), "user_id": uid, "amount": amount, "country": country,
            "ordered_at": ordered}
    if dup_rows:
        cols = {k: v + v[200:200 + dup_rows] for k, v in cols.items()}
    write(directory, "orders", cols)
    return directory
