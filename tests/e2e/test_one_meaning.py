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
