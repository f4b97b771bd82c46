"""Secondary parents, lookups and self-lookups only reference rows that existed at the referencing row's time."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from datagen_core.engine import generate


def _col(name: str, typ: str, gen: dict, **kw: object) -> dict:
    return {"name": name, "type": typ, "generator": gen, **kw}


def _schema(tmp_path: Path, campaign_window: dict | str = "timeframe", order_window: dict | str = "timeframe") -> Path:
    doc = {
        "version": "1.0", "metadata": {"name": "refs"}, "constraints": {},
        "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
        "nodes": [
            {"id": "shop", "rows": 20, "pk": "shop_id", "columns": [
                _col("shop_id", "int", {"sequence": {}}),
                _col("opened_on", "date", {"datetime_series": {"within": {"start": "2023-01-01", "end": "2023-12-31"}}})]},
            {"id": "customer", "rows": 2000, "pk": "customer_id", "columns": [
                _col("customer_id", "int", {"sequence": {}}),
                _col("created_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
            {"id": "campaign", "rows": 50, "pk": "campaign_id", "columns": [
                _col("campaign_id", "int", {"sequence": {}}),
                _col("start_at", "datetime", {"datetime_series": {"within": campaign_window}})]},
            {"id": "order", "kind": "fact", "parents": ["shop", "customer"], "pk": "order_id",
             "fanout": {"distribution": "poisson", "lambda": 300},
             "columns": [  # lookups declared before the time they depend on
                 _col("order_id", "int", {"sequence": {}}),
                 _col("shop_id", "int", {"lookup": {"from": "shop.shop_id"}}),
                 _col("customer_id", "int", {"lookup": {"from": "customer.customer_id"}}),
                 _col("campaign_id", "int", {"lookup": {"from": "campaign.campaign_id"}}),
                 _col("order_time", "datetime", {"datetime_series": {"within": order_window, "freq": "H"}})]},
        ],
    }
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(doc))
    return path


def _times(out: Path, table: str, key: str, col: str) -> dict:
    t = pq.read_table(out / f"{table}.parquet")
    return dict(zip(t[key].to_numpy(), t[col].to_numpy(), strict=True))


def test_secondary_parent_and_lookup_rows_exist_at_the_row_time(tmp_path: Path) -> None:
    result = generate(_schema(tmp_path, campaign_window={"start": "2024-06-01", "end": "2024-12-31"}),
                      tmp_path / "o", seed=3)
    out = tmp_path / "o"
    order = pq.read_table(out / "order.parquet")
    t = order["order_time"].to_numpy()
    customer = _times(out, "customer", "customer_id", "created_at")
    campaign = _times(out, "campaign", "campaign_id", "start_at")
    assert order.num_rows > 5000
    assert (t >= np.array([customer[c] for c in order["customer_id"].to_numpy()])).all()
    assert (t >= np.array([campaign[c] for c in order["campaign_id"].to_numpy()])).all()
    # orders before the first campaign were moved up to it, on the hour grid, not dropped
    first = min(campaign.values())
    assert t.min() >= first and (t.astype("int64") % 3_600_000_000 == 0).all()
    # later orders still spread over many campaigns (not all on the earliest)
    assert len(np.unique(order["campaign_id"].to_numpy())) > 40
    meta = json.loads((out / ".metadata.json").read_text())
    fks = {f["column"]: f.get("time_order", "after") for t in meta["tables"] if t["name"] == "order" for f in t["foreign_keys"]}
    assert fks == {"shop_id": "after", "customer_id": "after", "campaign_id": "after"}
    assert result.warnings == []


def test_rows_with_no_referenced_row_in_their_window_are_not_generated_and_reported(tmp_path: Path) -> None:
    schema = _schema(tmp_path, campaign_window={"start": "2024-07-01", "end": "2024-12-31"},
                     order_window={"start": "2024-01-01", "end": "2024-06-30"})
    result = generate(schema, tmp_path / "o", seed=3)
    assert result.rows["order"] == 0
    assert any("order:" in w and "no campaign row existed" in w for w in result.warnings)


def test_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    schema = _schema(tmp_path)
    a = generate(schema, tmp_path / "a", seed=9, workers=1)
    b = generate(schema, tmp_path / "b", seed=9, workers=2)
    sha = lambda r: {t.name: t.files[0].sha256 for t in r.metadata.tables}  # noqa: E731
    assert sha(a) == sha(b)


def test_self_lookup_points_at_someone_hired_earlier(tmp_path: Path) -> None:
    doc = {
        "version": "1.0", "metadata": {"name": "org"}, "constraints": {},
        "timeframe": {"start": "2020-01-01", "end": "2024-12-31"},
        "nodes": [{"id": "agent", "rows": 500, "pk": "agent_id", "columns": [
            _col("agent_id", "int", {"sequence": {}}),
            _col("manager_id", "int", {"lookup": {"from": "agent.agent_id"}}, nullable=True),
            _col("hired_on", "date", {"datetime_series": {"within": "timeframe"}})]}],
    }
    (tmp_path / "org.json").write_text(json.dumps(doc))
    generate(tmp_path / "org.json", tmp_path / "o", seed=1)
    a = pq.read_table(tmp_path / "o" / "agent.parquet")
    hired = dict(zip(a["agent_id"].to_pylist(), a["hired_on"].to_pylist(), strict=True))
    pairs = [(m, h) for m, h in zip(a["manager_id"].to_pylist(), a["hired_on"].to_pylist(), strict=True) if m is not None]
    assert len(pairs) == 499 and all(hired[m] <= h for m, h in pairs)
    assert all(m != i for m, i in zip(a["manager_id"].to_pylist(), a["agent_id"].to_pylist(), strict=True))
