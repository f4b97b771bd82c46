from __future__ import annotations

import datetime as dt

from datacruncher.model.catalog import open_catalog
from datacruncher.model.discovery import discover

from .conftest import shop, write


def test_tpch_prefixed_keys(tmp_path):
    write(tmp_path, "nation", {"n_nationkey": list(range(25)), "n_name": [f"N{i}" for i in range(25)]})
    write(tmp_path, "customer", {"c_custkey": list(range(1, 301)), "c_nationkey": [i % 25 for i in range(300)],
                                 "c_acctbal": [float(i) for i in range(300)],
                                 "c_mktsegment": ["BUILDING", "MACHINERY", "AUTOMOBILE"] * 100})
    write(tmp_path, "orders", {"o_orderkey": list(range(1, 1001)), "o_custkey": [i % 300 + 1 for i in range(1000)],
                               "o_totalprice": [float(i) for i in range(1000)],
                               "o_orderdate": [dt.date(2024, 1, 1) + dt.timedelta(days=i % 300) for i in range(1000)]})
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
    fks = {(f.child, f.child_column, f.parent, f.parent_column, f.coverage) for f in model.foreign_keys}
    assert fks == {("customer", "c_nationkey", "nation", "n_nationkey", 1.0),
                   ("orders", "o_custkey", "customer", "c_custkey", 1.0)}
    assert {t.name: t.primary_key for t in model.tables.values()} == {
        "nation": "n_nationkey", "customer": "c_custkey", "orders": "o_orderkey"}
    orders = model.tables["orders"]
    assert orders.kind == "event" and orders.created_at == "o_orderdate"
    assert "money" in orders.column("o_totalprice").roles
    assert "segment" in model.tables["customer"].column("c_mktsegment").roles
    assert model.tables["customer"].kind == "entity"


def test_roles_and_coverage_with_orphans(tmp_path):
    shop(tmp_path, orphans=500)
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
    (fk,) = model.foreign_keys
    assert (fk.rows, fk.orphans) == (10000, 500) and fk.coverage == 0.95
    users = model.tables["users"]
    assert users.column("email").roles == ["email"]
    assert set(users.column("country").roles) >= {"country", "category"}
    assert users.created_at == "created_at" and users.kind == "entity"


def test_declared_metadata_overrides_discovery(tmp_path):
    from datagen_contracts.metadata import (
        ColumnInfo,
        DatasetMetadata,
        ForeignKey,
        GeneratorInfo,
        TableInfo,
        Timeframe,
        dump_metadata,
    )

    write(tmp_path, "a", {"code": ["x", "y"], "born": [dt.date(2020, 1, 1)] * 2})
    write(tmp_path, "b", {"ref": ["x", "z"], "at": [dt.datetime(2024, 1, 1)] * 2})
    meta = DatasetMetadata(
        dataset_name="d", generator=GeneratorInfo(name="g", version="1"), generated_at="2024-01-01T00:00:00Z",
        timeframe=Timeframe(start="2024-01-01", end="2024-06-30"),
        tables=[TableInfo(name="a", kind="entity", primary_key="code", columns=[ColumnInfo(name="code", arrow_type="string", nullable=False)]),
                TableInfo(name="b", kind="fact", foreign_keys=[ForeignKey(column="ref", references_table="a", references_column="code")])])
    dump_metadata(meta, tmp_path / ".metadata.json")
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
    (fk,) = model.foreign_keys
    assert (fk.source, fk.coverage) == ("declared", 0.5)
    assert model.tables["a"].column("code").nullable is False
    assert model.ref_declared and model.ref_end == dt.datetime(2024, 7, 1)
    assert model.to_contract().tables[0].source == "declared"


def test_float_ids_still_reference_their_parent(tmp_path):
    from datacruncher import crunch

    write(tmp_path, "users", {"user_id": list(range(1, 101))})
    write(tmp_path, "orders", {"order_id": list(range(300)), "user_id": [float(i % 100 + 1) for i in range(300)]})
    report = crunch(tmp_path, personas="DE")
    (fk,) = report.model.foreign_keys
    assert (fk.from_table, fk.to_table, fk.coverage) == ("orders", "users", 1.0)
    (issue,) = [i for i in report.issues if i.rule_id == "ids_as_float"]
    assert issue.column == "user_id" and issue.measure.value == 1.0 and issue.severity == "high"


def test_many_distinct_orphans_do_not_hide_the_foreign_key(tmp_path):
    # 15% of the rows hold orphans, each a different value: the child has 2.5x the parent's distinct values
    write(tmp_path, "product", {"product_id": list(range(1, 101)), "sku": [f"S{i}" for i in range(100)]})
    write(tmp_path, "order_item", {"order_item_id": list(range(1, 1001)),
                                   "product_id": [10_000 + i if i % 20 < 3 else i % 100 + 1 for i in range(1000)]})
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
    (fk,) = model.foreign_keys
    assert (fk.child_column, fk.parent, fk.orphans, fk.coverage) == ("product_id", "product", 150, 0.85)


def test_relation_phrases_self_references_and_natural_keys(tmp_path):
    write(tmp_path, "Employee", {"EmployeeId": [1, 2, 3, 4], "ReportsTo": [None, 1, 1, 2]})
    write(tmp_path, "Shippers", {"ShipperID": [1, 2, 3]})
    write(tmp_path, "category_name", {"category": ["a", "b", "c"], "label": ["A", "B", "C"]})
    write(tmp_path, "Customer", {"CustomerId": list(range(1, 41)), "SupportRepId": [2 + i % 3 for i in range(40)],
                                 "category": ["a", "b", "c", "a"] * 10})
    write(tmp_path, "Orders", {"OrderID": list(range(1, 101)), "CustomerId": [i % 40 + 1 for i in range(100)],
                               "ShipVia": [i % 3 + 1 for i in range(100)], "Quantity": [i % 3 + 1 for i in range(100)]})
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
    fks = {(f.child, f.child_column): (f.parent, f.time_order) for f in model.foreign_keys}
    assert fks == {("Employee", "ReportsTo"): ("Employee", "none"),  # a hierarchy promises no time order
                   ("Customer", "SupportRepId"): ("Employee", "after"),
                   ("Customer", "category"): ("category_name", "after"),
                   ("Orders", "CustomerId"): ("Customer", "after"), ("Orders", "ShipVia"): ("Shippers", "after")}
    assert model.tables["category_name"].primary_key == "category"  # named by the customers' column


def test_durations_from_values_whatever_their_names(tmp_path):
    """``x1`` holds ended_at - started_at in minutes (named like an amount: the values win); ``fee`` is money and
    ``tries`` a small count whose values fall among the day differences by chance; ``wait`` is an INTERVAL."""
    import random

    rng = random.Random(9)
    start = [dt.datetime(2024, 1, 1) + dt.timedelta(minutes=rng.randrange(500_000)) for _ in range(400)]
    length = [rng.randrange(1, 6 * 24 * 60) for _ in start]
    write(tmp_path, "sessions", {
        "session_id": list(range(400)), "started_at": start,
        "ended_at": [s + dt.timedelta(minutes=m, seconds=rng.randrange(60)) for s, m in zip(start, length, strict=True)],
        "x1_amount": [float(m) for m in length], "fee": [round(rng.uniform(1, 90), 2) for _ in start],
        "tries": [rng.randint(1, 5) for _ in start]})
    import duckdb

    duckdb.execute(f"COPY (SELECT i AS queue_id, to_seconds(i * 7) AS wait FROM range(50) t(i)) "
                   f"TO '{tmp_path / 'queue.parquet'}'")
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
    cols = {c.name: c for c in model.tables["sessions"].columns}
    cols["wait"] = model.tables["queue"].column("wait")
    x1 = cols["x1_amount"]
    assert "duration" in x1.roles and "money" not in x1.roles and x1.confidence("duration") == "high"
    assert x1.role_evidence["duration"][1].startswith("equals ended_at - started_at in minutes for 100%")
    assert "duration" not in cols["fee"].roles and "money" in cols["fee"].roles
    assert "duration" not in cols["tries"].roles
    assert cols["wait"].roles == ["duration"] and cols["wait"].confidence("duration") == "high"


def test_the_report_says_where_discovery_sampled(tmp_path):
    """A child table above 4 × 50,000 rows has its foreign-key candidates measured on a seeded sample first; the
    report's model says so (table, step, rows, sample size), and the kept key is still measured over every row."""
    from datacruncher import crunch
    from datacruncher.model.semantic import SAMPLE_ROWS

    d = tmp_path / "d"
    write(d, "accounts", {"account_ref": list(range(1, 1001))})
    n = 4 * SAMPLE_ROWS + 1000
    write(d, "ledger", {"entry": list(range(n)), "holder": [i % 1000 + 1 for i in range(n)]})  # not named after it
    report = crunch(d, personas="Data Engineer")
    notes = [(s.table, s.step, s.rows, s.sampled_rows) for s in report.model.sampling]
    assert ("ledger", "foreign_keys", n, SAMPLE_ROWS) in notes and not any(t == "accounts" for t, *_ in notes)
    (fk,) = [f for f in report.model.foreign_keys if f.from_table == "ledger"]
    assert (fk.to_table, fk.coverage, fk.orphan_rows) == ("accounts", 1.0, 0)
    small = crunch(shop(tmp_path / "s", users=50, orders=200), personas="Data Engineer")
    assert small.model.sampling == []


def test_a_key_named_unlike_its_target_among_several_dense_keys(tmp_path):
    # dbt's jaffle shop: raw_orders.user_id -> raw_customers.id. Three 1..N keys hold user_id's range; payments'
    # 1..131 would have been hit above 100 by 63 draws, a fluke of e^-17, so customers' 1..100 is the one. An
    # attribute as small (a minute 0..59, not named as an id) fitting a 1..60 key stays no reference.
    import random

    rnd = random.Random(7)
    write(tmp_path, "raw_customers", {"id": list(range(1, 101)), "first_name": [f"F{i % 17}" for i in range(100)]})
    users = [rnd.randint(1, 100) for _ in range(99)]
    write(tmp_path, "raw_orders", {"id": list(range(1, 100)), "user_id": users,
                                   "status": ["completed", "placed", "returned"] * 33})
    write(tmp_path, "raw_payments", {"id": list(range(1, 132)), "order_id": [1 + i % 99 for i in range(131)],
                                     "amount": [100 * (i % 30) for i in range(131)]})
    write(tmp_path, "promotion", {"p_promo_sk": list(range(1, 61)), "p_cost": [1000.0] * 60})
    write(tmp_path, "time_dim", {"t_time_sk": list(range(3600)), "t_minute": [i // 60 % 60 for i in range(3600)]})
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
    fks = {(f.child, f.child_column): (f.parent, f.parent_column) for f in model.foreign_keys}
    assert fks[("raw_orders", "user_id")] == ("raw_customers", "id")
    assert fks[("raw_payments", "order_id")] == ("raw_orders", "id")
    assert ("time_dim", "t_minute") not in fks
    (fk,) = [f for f in model.foreign_keys if f.child_column == "user_id"]
    assert any("one-in-a-million" in r for r in fk.evidence.reasons)


def test_a_fact_s_grain_is_its_order_and_line_number_not_a_near_unique_pair(tmp_path):
    """A star schema's sales lines: four key columns come first, then the order number and the line number (the
    grain). (order_date_key, order_number) repeats in 0.1% of the rows; it was taken as the key — the line number was
    past the five candidates — and reported as a critical duplicate. The exactly unique pair wins now."""
    import random

    from datacruncher.crunch import crunch

    rng, n = random.Random(5), 9000
    write(tmp_path, "fact_sales", {
        "order_date_key": [20240100 + rng.randrange(1, 29) for _ in range(n)],
        "ship_date_key": [20240200 + rng.randrange(1, 29) for _ in range(n)],
        "customer_key": [rng.randrange(1, 500) for _ in range(n)],
        "product_key": [rng.randrange(1, 80) for _ in range(n)],
        "order_number": [f"SO{i // 3:07d}" for i in range(n)], "line_number": [i % 3 + 1 for i in range(n)],
        "quantity": [rng.choice([1, 2, 3]) for _ in range(n)]})
    with open_catalog(tmp_path) as cat:
        model = discover(cat)
    assert model.tables["fact_sales"].composite_key == ("order_number", "line_number")
    assert not [i for i in crunch(tmp_path).issues if i.rule_id == "pk_duplicates"]
