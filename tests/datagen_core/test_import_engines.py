"""``datagen import`` of the schemas data platforms print — BigQuery's ``bq show --schema``, a Spark
``df.schema.json()`` — and of a folder of per-table schema files, linked across the files by column names."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from datagen_contracts.dsl import load_schema
from datagen_contracts.dsl.decode import foreign_format
from datagen_core.cli import main
from datagen_core.engine import generate
from datagen_core.errors import DatagenError
from datagen_core.imports import import_schema
from datagen_core.validate import validate

BQ_FIELDS = [
    {"name": "order_id", "type": "INTEGER", "mode": "REQUIRED", "description": "Unique order id"},
    {"name": "status", "type": "STRING", "mode": "NULLABLE", "maxLength": "12"},
    {"name": "total", "type": "NUMERIC", "precision": "10", "scale": "2"},
    {"name": "placed_at", "type": "TIMESTAMP", "mode": "REQUIRED"},
    {"name": "ship_date", "type": "DATE"},
    {"name": "is_gift", "type": "BOOL"},
    {"name": "pickup", "type": "TIME"},
    {"name": "address", "type": "RECORD", "fields": [{"name": "city", "type": "STRING"}]},
    {"name": "items", "type": "RECORD", "mode": "REPEATED", "fields": [
        {"name": "sku", "type": "STRING", "mode": "REQUIRED"}, {"name": "qty", "type": "INT64"}]},
    {"name": "tags", "type": "STRING", "mode": "REPEATED"}]


def _columns(schema: dict, table: str) -> dict:
    node = next(n for n in schema["nodes"] if n["id"] == table)
    return {c["name"]: c for c in node["columns"]}


def _generate(tmp_path: Path, schema: dict) -> Path:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    generate(path, tmp_path / "out", seed=3)
    return path


def test_the_three_shapes_of_a_bigquery_schema_are_one_format() -> None:
    """``bq show --schema`` (a list), the API's ``{"fields"}``, a table resource; a Frictionless Table Schema's
    lower-case types stay Frictionless, an Avro record Avro and a Spark struct Spark."""
    resource = {"kind": "bigquery#table", "tableReference": {"tableId": "orders"}, "schema": {"fields": BQ_FIELDS}}
    assert foreign_format(BQ_FIELDS) == "a BigQuery table schema (a list of fields)"
    assert foreign_format({"fields": BQ_FIELDS}) == "a BigQuery table schema (fields)"
    assert foreign_format(resource) == "a BigQuery table schema (schema.fields)"
    assert foreign_format({"fields": [{"name": "id", "type": "integer"}, {"name": "d", "type": "date"}]}) \
        == "a Frictionless Table Schema (fields)"
    assert foreign_format({"type": "struct", "fields": []}) == "a Spark schema (struct)"
    assert foreign_format({"type": "record", "fields": []}) == "an Avro schema (record)"


def test_a_bigquery_schema_keeps_modes_types_records_and_repeated_records(tmp_path: Path) -> None:
    doc = {"kind": "bigquery#table", "tableReference": {"projectId": "p", "datasetId": "shop", "tableId": "orders"},
           "description": "one row per order", "schema": {"fields": BQ_FIELDS}}
    (tmp_path / "bq_orders.json").write_text(json.dumps(doc))
    got = import_schema(tmp_path / "bq_orders.json", rows=200)
    assert got.format == "BigQuery table schema"
    orders, items = _columns(got.schema, "orders"), _columns(got.schema, "orders_items")
    assert next(n for n in got.schema["nodes"] if n["id"] == "orders")["pk"] == "order_id"
    assert orders["total"]["type"] == "float" and orders["total"]["decimals"] == 2
    assert orders["status"]["constraints"] == {"max_length": 12}
    assert (orders["placed_at"]["type"], orders["ship_date"]["type"], orders["is_gift"]["type"]) \
        == ("datetime", "date", "bool")
    assert "address_city" in orders and "items" not in orders
    assert items["orders_id"]["generator"]["lookup"]["from"] == "orders.order_id"
    assert any("pickup: BigQuery type TIME generated as text" in n for n in got.notes)
    assert any("tags: an array of values" in n for n in got.notes)
    assert got.schema["metadata"]["descriptions"]["orders"] == "one row per order"
    schema = _generate(tmp_path, got.schema)
    assert validate(load_schema(schema), tmp_path / "out").ok
    total = pq.read_table(tmp_path / "out" / "orders.parquet")["total"]
    assert pc.all(pc.equal(pc.round(total, 2), total)).as_py()


def test_a_spark_schema_keeps_nullability_decimals_structs_and_comments(tmp_path: Path) -> None:
    """``df.schema.json()``: once read as a Frictionless Table Schema (both have ``fields``), every type was text."""
    doc = {"type": "struct", "fields": [
        {"name": "user_id", "type": "long", "nullable": False, "metadata": {}},
        {"name": "email", "type": "string", "nullable": True, "metadata": {"comment": "login e-mail"}},
        {"name": "signup_ts", "type": "timestamp", "nullable": False, "metadata": {}},
        {"name": "balance", "type": "decimal(12,2)", "nullable": True, "metadata": {}},
        {"name": "code", "type": "varchar(8)", "nullable": True, "metadata": {}},
        {"name": "prefs", "type": {"type": "map", "keyType": "string", "valueType": "string",
                                   "valueContainsNull": True}, "nullable": True, "metadata": {}},
        {"name": "profile", "type": {"type": "struct", "fields": [
            {"name": "age", "type": "integer", "nullable": True, "metadata": {}}]}, "nullable": True, "metadata": {}},
        {"name": "devices", "type": {"type": "array", "containsNull": False, "elementType": {"type": "struct", "fields": [
            {"name": "os", "type": "string", "nullable": False, "metadata": {}}]}}, "nullable": True, "metadata": {}}]}
    (tmp_path / "users.json").write_text(json.dumps(doc))
    got = import_schema(tmp_path / "users.json", rows=100)
    assert got.format == "Spark schema"
    users, devices = _columns(got.schema, "users"), _columns(got.schema, "users_devices")
    assert users["user_id"]["type"] == "int" and users["signup_ts"]["type"] == "datetime"
    assert users["balance"]["decimals"] == 2 and users["code"]["constraints"] == {"max_length": 8}
    assert users["email"]["generator"] == {"faker": {"method": "email"}}
    assert users["profile_age"]["type"] == "int" and "os" in devices
    assert got.schema["metadata"]["descriptions"]["users.email"] == "login e-mail"
    assert any("prefs: a Spark map generated as text" in n for n in got.notes)
    assert validate(load_schema(_generate(tmp_path, got.schema)), tmp_path / "out").ok


def _warehouse(root: Path) -> Path:
    """Four tables, one file each, in three formats; no file says how they relate."""
    root.mkdir()
    (root / "customers.json").write_text(json.dumps([
        {"name": "customer_id", "type": "INT64", "mode": "REQUIRED"}, {"name": "email", "type": "STRING"},
        {"name": "created_at", "type": "TIMESTAMP", "mode": "REQUIRED"}]))
    (root / "orders.json").write_text(json.dumps({"fields": [
        {"name": "order_id", "type": "INTEGER", "mode": "REQUIRED"},
        {"name": "customer_id", "type": "INTEGER", "mode": "REQUIRED"}, {"name": "placed_at", "type": "TIMESTAMP"}]}))
    (root / "order_items.json").write_text(json.dumps({"type": "struct", "fields": [
        {"name": "order_item_id", "type": "long", "nullable": False, "metadata": {}},
        {"name": "order_id", "type": "long", "nullable": False, "metadata": {}},
        {"name": "product_id", "type": "long", "nullable": False, "metadata": {}}]}))
    (root / "products.avsc").write_text(json.dumps({"type": "record", "name": "products", "fields": [
        {"name": "product_id", "type": "long"}, {"name": "name", "type": "string"}]}))
    (root / "README.md").write_text("not a schema, and not read")
    return root


def test_a_folder_of_table_schemas_is_one_dataset_linked_by_column_names(tmp_path: Path) -> None:
    got = import_schema(_warehouse(tmp_path / "wh"), rows=50)
    assert got.format == "4 files (BigQuery table schema, Spark schema, Avro schema)"
    assert [n["id"] for n in got.schema["nodes"]][:2] == ["customers", "orders"]
    links = sorted(n.split(":")[0] for n in got.notes if "across the files" in n)
    assert links == ["order_items.order_id → orders.order_id", "order_items.product_id → products.product_id",
                     "orders.customer_id → customers.customer_id"]
    items = _columns(got.schema, "order_items")
    assert items["product_id"]["generator"]["lookup"]["from"] == "products.product_id"
    schema = _generate(tmp_path, got.schema)
    assert validate(load_schema(schema), tmp_path / "out").ok
    orders = pq.read_table(tmp_path / "out" / "orders.parquet")
    customers = pq.read_table(tmp_path / "out" / "customers.parquet")
    assert pc.all(pc.is_in(orders["customer_id"], customers["customer_id"])).as_py()


def test_a_folder_says_what_is_wrong_with_it(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatagenError, match="a folder with no schema file in it"):
        import_schema(tmp_path / "empty")
    wh = _warehouse(tmp_path / "wh")
    (wh / "more_orders.json").write_text(json.dumps({"kind": "bigquery#table", "tableReference": {"tableId": "orders"},
                                                     "schema": {"fields": [{"name": "x", "type": "STRING"}]}}))
    with pytest.raises(DatagenError, match=r"table 'orders' is in both more_orders\.json and orders\.json"):
        import_schema(wh)
    (wh / "more_orders.json").write_text("{not json")
    r = CliRunner().invoke(main, ["import", str(wh), "-o", str(tmp_path / "s.json")])
    assert r.exit_code == 2 and "more_orders.json" in r.stderr and "Traceback" not in r.output
    assert not (tmp_path / "s.json").exists()
    (wh / "more_orders.json").unlink()  # the schema written into the folder is not read back as a table next time
    for _ in range(2):
        r = CliRunner().invoke(main, ["import", str(wh), "-o", str(wh / "schema.json"), "--overwrite"])
        assert r.exit_code == 0, r.output
