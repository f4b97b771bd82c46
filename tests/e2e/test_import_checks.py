"""A dbt project's tests, or a warehouse's DDL constraints, become checks: ``datagen import schema.yml`` (or
``schema.sql``) then ``datacruncher crunch DATA --schema`` finds in data no one generated the orphans, the values
outside ``accepted_values`` / ``CHECK (… IN …)`` and outside ``accepted_range`` / ``CHECK (… BETWEEN …)`` that the
source declares; and data generated from the same schema passes ``datagen validate``."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from datacruncher.crunch import crunch
from datagen_core.cli import main as datagen

DBT = """
version: 2
models:
  - name: customers
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
      - name: lifetime_value
        data_type: numeric
        data_tests:
          - dbt_utils.accepted_range: {min_value: 0, max_value: 5000}
  - name: orders
    columns:
      - name: order_id
        data_tests: [unique, not_null]
      - name: customer_id
        data_tests:
          - relationships: {to: ref('customers'), field: customer_id}
      - name: status
        data_tests:
          - accepted_values: {values: ['placed', 'shipped', 'returned']}
"""

DDL = """
-- the same warehouse as its DDL declares it (PostgreSQL)
CREATE TABLE customers (
    customer_id integer PRIMARY KEY,
    lifetime_value numeric(10, 2) CHECK (lifetime_value BETWEEN 0 AND 5000)
);
CREATE TABLE orders (
    order_id integer NOT NULL,
    customer_id integer,
    status character varying(20),
    CONSTRAINT orders_pkey PRIMARY KEY (order_id),
    CONSTRAINT orders_status_check CHECK (((status)::text = ANY ((ARRAY['placed'::character varying,
        'shipped'::character varying, 'returned'::character varying])::text[])))
);
ALTER TABLE ONLY orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers(customer_id);
CREATE INDEX orders_customer_idx ON orders (customer_id);
"""


@pytest.mark.parametrize(("source", "text"), [("schema.yml", DBT), ("schema.sql", DDL)])
def test_declared_tests_imported_are_checked_on_real_data_and_hold_on_generated_data(tmp_path: Path, source: str,
                                                                                     text: str) -> None:
    (tmp_path / source).write_text(text)
    schema = tmp_path / "imported.json"
    got = CliRunner().invoke(datagen, ["import", str(tmp_path / source), "-o", str(schema)])
    assert got.exit_code == 0, got.output
    rnd, data = random.Random(1), tmp_path / "warehouse"
    data.mkdir()
    pq.write_table(pa.table({"customer_id": list(range(1, 301)),
                             "lifetime_value": [9999.0 if i % 50 == 0 else rnd.random() * 4000 for i in range(300)]}),
                   data / "customers.parquet")
    pq.write_table(pa.table({"order_id": list(range(1, 2001)),
                             "customer_id": [99999 if i % 100 == 0 else rnd.randrange(1, 301) for i in range(2000)],
                             "status": ["lost" if i % 70 == 0 else rnd.choice(["placed", "shipped", "returned"])
                                        for i in range(2000)],
                             "ordered_on": [dt.date(2024, 1, 1) + dt.timedelta(days=i % 300) for i in range(2000)]}),
                   data / "orders.parquet")
    report = crunch(data, schema=str(schema))
    high = {(i.rule_id, i.table): i for i in report.issues if i.severity == "high"}
    assert high[("fk_orphans", "orders")].measure.failed_row_count == 20
    assert "29 of 2000 orders rows" in high[("schema_drift.enum", "orders")].finding  # "lost"
    assert "6 of 300 customers rows" in high[("schema_drift.range", "customers")].finding  # 9999
    out = tmp_path / "generated"
    assert CliRunner().invoke(datagen, ["generate", str(schema), "-o", str(out)]).exit_code == 0
    checked = CliRunner().invoke(datagen, ["validate", str(schema), "--data", str(out)])
    assert checked.exit_code == 0, checked.output


def test_data_generated_from_an_imported_ddl_gives_its_own_crunch_nothing_to_report(tmp_path: Path) -> None:
    """The crunch reads an order into time column names (``updated_at`` after ``created_at``, ``delivered_at`` after
    ``shipped_at``, ``end_date`` after the row's start); the import declares the same order, so data generated from a
    plain warehouse DDL — crunched with its schema or as bare files — has no critical or high finding. Before, half
    the rows of each such pair were reported as out of order."""
    (tmp_path / "w.sql").write_text(
        "CREATE TABLE accounts (id INT PRIMARY KEY, created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP,\n"
        "  last_login TIMESTAMP, signup_date DATE);\n"
        "CREATE TABLE shipments (shipment_id INT PRIMARY KEY, account_id INT REFERENCES accounts (id),\n"
        "  shipped_at TIMESTAMP, delivered_at TIMESTAMP, start_date DATE, end_date DATE);\n")
    runner = CliRunner()
    schema, out, bare = tmp_path / "s.json", tmp_path / "out", tmp_path / "bare"
    assert runner.invoke(datagen, ["import", str(tmp_path / "w.sql"), "-o", str(schema)]).exit_code == 0
    assert runner.invoke(datagen, ["generate", str(schema), "-o", str(out)]).exit_code == 0
    checked = runner.invoke(datagen, ["validate", str(schema), "--data", str(out)])
    assert checked.exit_code == 0, checked.output
    bare.mkdir()
    for f in out.glob("*.parquet"):
        (bare / f.name).write_bytes(f.read_bytes())
    for report in (crunch(out, schema=schema), crunch(bare)):
        loud = [(i.rule_id, i.table, i.column) for i in report.issues if i.severity in ("critical", "high")]
        assert loud == []
        assert any(r.rule_id == "temporal_within" and r.status == "passed" for r in report.checks.results)
