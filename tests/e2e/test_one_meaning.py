"""The schema's declared constraints mean one thing in both stages: ``datagen validate`` (polars) and
``datacruncher crunch`` (DuckDB) read them from ``datagen_contracts.dsl.semantics`` and flag the same columns."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from datacruncher import crunch
from datagen_contracts.dsl import loads_schema
from datagen_contracts.dsl.semantics import expectations
from datagen_core.validate import validate

SCHEMA = {
    "version": "1.0", "metadata": {"name": "shop"},
    "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
    "constraints": {"unique": ["customer.email"], "ranges": [{"attr": "customer.age", "min": 18, "max": 99}],
                    "pattern": [{"attr": "customer.code", "regex": "^C[0-9]{3}$"}]},
    "nodes": [{"id": "customer", "kind": "entity", "rows": 6, "pk": "customer_id", "columns": [
        {"name": "customer_id", "type": "int", "generator": {"sequence": {}}},
        {"name": "email", "type": "string", "generator": {"faker": {"method": "email"}}},
        {"name": "age", "type": "int", "generator": {"distribution": {"type": "uniform",
                                                                      "params": {"low": 18, "high": 99}}}},
        {"name": "code", "type": "string", "generator": {"faker": {"method": "bothify", "text": "C###"}}},
        {"name": "plan", "type": "string", "constraints": {"enum": ["free", "pro"]},
         "generator": {"choice": {"choices": ["free", "pro"]}}},
        {"name": "score", "type": "float", "constraints": {"min": 0, "max": 1},
         "generator": {"distribution": {"type": "uniform", "params": {"low": 0, "high": 1}}}},
    ]}],
}


def test_validate_and_crunch_flag_the_same_declared_constraints(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(SCHEMA))
    schema_path = tmp_path / "schema.json"
    schema_path.write_text(json.dumps(doc))
    schema = loads_schema(json.dumps(doc))
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({   # every declaration broken once
        "customer_id": [1, 2, 3, 4, 5, 6],
        "email": ["a@x.io", "b@x.io", "a@x.io", "c@x.io", "d@x.io", "e@x.io"],
        "age": [30, 12, 40, 50, 60, 70],
        "code": ["C001", "C002", "X3", "C004", "C005", "C006"],
        "plan": ["free", "pro", "gold", "free", "pro", "free"],
        "score": [0.1, 0.2, 0.3, 1.5, 0.5, 0.6],
    }), data / "customer.parquet")
    declared = expectations(schema)
    assert {(r.column, r.source) for r in declared.ranges} == {("age", "constraints.ranges"),
                                                               ("score", "column constraints")}
    validated = validate(schema, data)
    failed_validate = {(c.check, c.target) for c in validated.checks if c.status == "fail" and c.category == "value"}
    report = crunch(data, schema=schema_path, personas="Data Engineer")
    failed_crunch = {(d.metric, f"{d.table}.{d.column}") for d in report.drift
                     if d.kind == "schema" and d.status == "drift" and d.metric in ("range", "enum", "pattern")}
    wanted = {("range", "customer.age"), ("range", "customer.score"), ("enum", "customer.plan"),
              ("pattern", "customer.code")}
    assert failed_crunch == wanted
    assert wanted <= failed_validate, failed_validate
    assert any(d.metric == "unique" and d.status == "drift" for d in report.drift)


def test_a_malformed_document_yields_what_can_be_read() -> None:
    found = expectations({"constraints": {"ranges": [{"attr": "t.x", "min": "low"}, "junk", {"attr": "t.y", "max": 3}],
                                          "enum": {"attr": "t.z", "values": ["a"]}, "unique": ["t.k", 7]},
                          "nodes": "not a list"})
    assert [(r.column, r.min, r.max) for r in found.ranges] == [("x", None, None), ("y", None, 3.0)]
    assert [(e.column, e.values) for e in found.enums] == [("z", ("a",))]
    assert [u.column for u in found.unique] == ["k"]


RELATED = {
    "version": "1.0", "metadata": {"name": "shop"},
    "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
    "nodes": [
        {"id": "customer", "kind": "entity", "rows": 400, "pk": "customer_id", "columns": [
            {"name": "customer_id", "type": "int", "generator": {"sequence": {}}},
            {"name": "signup", "type": "datetime",
             "generator": {"datetime_series": {"within": {"start": "2024-01-01", "end": "2024-02-28"}}}},
            {"name": "born", "type": "date", "after_parent": False,
             "generator": {"datetime_series": {"within": {"start": "1950-01-01", "end": "2005-12-31"}}}},
            {"name": "nickname", "type": "string", "nullable": True, "generator": {"faker": {"method": "first_name"}}},
            {"name": "tier", "type": "string", "generator": {"choice": {"choices": ["basic", "plus"]}}}]},
        {"id": "order", "kind": "fact", "parents": ["customer"], "pk": "order_id",
         "fanout": {"distribution": "poisson", "lambda": 3},
         "columns": [
             {"name": "order_id", "type": "int", "generator": {"sequence": {}}},
             {"name": "customer_id", "type": "int", "generator": {"lookup": {"from": "customer.customer_id"}}},
             {"name": "ordered_at", "type": "datetime",
              "generator": {"datetime_series": {"within": {"start": "2024-03-01", "end": "2024-06-30"}}}}]}],
}


def test_nullability_windows_time_order_and_fanout_mean_one_thing(tmp_path: Path) -> None:
    """Generated, then broken: nulls in a NOT NULL column, orders before their customer (and outside their
    window), a third of the orders the fanout implies. Both stages read each claim from ``semantics``."""
    import datetime as dt

    from datacruncher.model.catalog import open_catalog
    from datacruncher.model.discovery import discover
    from datagen_core import generate

    schema_path = tmp_path / "schema.json"
    schema_path.write_text(json.dumps(RELATED))
    schema = loads_schema(json.dumps(RELATED))
    said = expectations(schema)
    assert {(n.column, n.nullable, n.key) for n in said.nullability if n.table == "customer"} == {
        ("customer_id", False, True), ("signup", False, False), ("born", False, False), ("nickname", True, False),
        ("tier", False, False)}
    assert [(a.table, a.column, a.parent) for a in said.after_parent] == [("order", "ordered_at", "customer")]
    assert said.attribute_dates == (("customer", "born"),)
    assert {(w.column, w.start.month, w.end.month, w.explicit) for w in said.windows} == {
        ("signup", 1, 2, True), ("born", 1, 12, True), ("ordered_at", 3, 6, True)}
    assert [(f.table, f.parent, dict(f.by_segment), f.skip) for f in said.fanouts] == [
        ("order", "customer", {"": 3.0}, None)]

    data = tmp_path / "data"
    generate(schema, data, seed=1)
    customers = pq.read_table(data / "customer.parquet")
    tier = customers["tier"].to_pylist()
    for i in range(5):
        tier[i * 7] = None
    pq.write_table(customers.set_column(customers.schema.get_field_index("tier"), "tier", pa.array(tier)),
                   data / "customer.parquet")
    orders = pq.read_table(data / "order.parquet")
    orders = orders.slice(0, orders.num_rows // 3)
    when = orders["ordered_at"].to_pylist()
    for i in range(10):
        when[i * 5] = dt.datetime(2023, 12, 15)
    pq.write_table(orders.set_column(orders.schema.get_field_index("ordered_at"), "ordered_at",
                                     pa.array(when, pa.timestamp("us"))), data / "order.parquet")

    failed_validate = {(c.check, c.target) for c in validate(schema, data).checks if c.status == "fail"}
    assert {("not_null", "customer.tier"), ("after_parent", "order.ordered_at"),
            ("time_bounds", "order.ordered_at")} <= failed_validate, failed_validate
    assert not any(t.startswith("customer.born") for _, t in failed_validate)

    report = crunch(data, schema=schema_path, personas="Data Engineer")
    flagged = {(i.rule_id, i.table, i.column) for i in report.issues}
    assert {("null_violations", "customer", "tier"), ("temporal_fk", "order", "customer_id"),
            ("schema_drift.fanout_mean", "order", None)} <= flagged, flagged
    fanout = next(d for d in report.drift if d.metric == "fanout_mean")
    assert fanout.expected == 3.0 and fanout.status == "drift"
    with open_catalog(data, schema=schema_path) as cat:
        model = discover(cat)
    born, ordered = model.table("customer").column("born"), model.table("order").column("ordered_at")
    assert born.after_parent is False and ordered.after_parent is None
    assert ordered.window == (dt.datetime(2024, 3, 1), dt.datetime(2024, 6, 30))
    assert model.table("customer").column("nickname").nullable is True
    assert model.table("customer").column("tier").nullable is False
