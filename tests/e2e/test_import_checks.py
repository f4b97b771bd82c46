"""A dbt project's tests become checks: ``datagen import schema.yml`` then ``datacruncher crunch DATA --schema``
finds in data no one generated the orphans, the values outside ``accepted_values`` and outside
``accepted_range`` that the dbt tests would; and data generated from the same schema passes ``datagen validate``."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
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


def test_dbt_tests_imported_are_checked_on_real_data_and_hold_on_generated_data(tmp_path: Path) -> None:
    (tmp_path / "schema.yml").write_text(DBT)
    schema = tmp_path / "imported.json"
    assert CliRunner().invoke(datagen, ["import", str(tmp_path / "schema.yml"), "-o", str(schema)]).exit_code == 0
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
