"""Data as it is shipped: tab- and pipe-separated text, JSON lines, gzip- and zstd-compressed, read as tables
beside parquet and CSV (the delimiter and the types told from the values), in the file's own encoding."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pytest

from datacruncher.agents.sandbox import Sandbox
from datacruncher.crunch import crunch
from datacruncher.errors import InputError
from datacruncher.model.catalog import find_tables, open_catalog


def _shop(root: Path) -> Path:
    root.mkdir()
    (root / "customers.psv").write_text("customer_id|city\n" + "".join(f"{i}|city {i % 7}\n" for i in range(1, 201)))
    orders = "order_id\tcustomer_id\tamount\tnote\n" + "".join(
        f"{i}\t{9000 + i if i % 100 == 0 else 1 + i % 200}\t{i * 1.5}\tZürich\n" for i in range(1, 1001))
    (root / "orders.tsv.gz").write_bytes(gzip.compress(orders.encode("latin-1")))  # Latin-1 inside the gzip
    lines = "".join(json.dumps({"event_id": i, "customer_id": 1 + i % 200, "props": {"page": f"p{i % 3}"},
                                "tags": ["a", "b"][: i % 3]}) + "\n" for i in range(1, 301))
    with pa.output_stream(str(root / "events.ndjson.zst"), compression="zstd") as out:
        out.write(lines.encode())
    (root / "README.txt").write_text("not a table\n")
    (root / "schema.json").write_text("{}")
    return root


def test_tsv_psv_and_json_lines_compressed_or_not_are_tables(tmp_path: Path) -> None:
    data = _shop(tmp_path / "shop")
    cat = open_catalog(data)
    assert sorted(cat.tables) == ["customers", "events", "orders"]  # README.txt and schema.json are no tables
    assert {n: t.rows for n, t in cat.tables.items()} == {"customers": 200, "events": 300, "orders": 1000}
    orders = {c.name: c.type for c in cat.tables["orders"].columns}
    assert orders == {"order_id": "BIGINT", "customer_id": "BIGINT", "amount": "DOUBLE", "note": "VARCHAR"}
    assert cat.con.execute("SELECT min(note) FROM orders").fetchone()[0] == "Zürich"
    events = {c.name: c.type for c in cat.tables["events"].columns}
    assert events["props"].startswith("STRUCT") and events["tags"].endswith("[]")
    report = crunch(data)
    orphans = [i for i in report.issues if i.rule_id == "fk_orphans" and i.table == "orders"]
    assert orphans and orphans[0].measure.failed_row_count == 10  # found from values, through the gzip


def test_a_single_text_file_names_its_table_and_a_bad_one_names_itself(tmp_path: Path) -> None:
    data = _shop(tmp_path / "shop")
    (tmp_path / "export.txt").write_text("a;b\n1;2\n3;4\n")
    (tmp_path / "rows.json").write_text(json.dumps([{"k": 1}, {"k": 2}]))
    assert [(s.name, s.reader) for s in find_tables(data / "orders.tsv.gz")] == [("orders", "csv")]
    assert open_catalog(tmp_path / "export.txt").tables["export"].rows == 2
    assert open_catalog(tmp_path / "rows.json").tables["rows"].rows == 2
    (tmp_path / "broken.jsonl").write_text('{"a": 1}\n{"a": \n')
    with pytest.raises(InputError, match=r"broken\.jsonl"):
        open_catalog(tmp_path / "broken.jsonl")
    (tmp_path / "empty.ndjson").write_text("")
    with pytest.raises(InputError, match="empty file"):
        open_catalog(tmp_path / "empty.ndjson")


def test_the_agents_sandbox_reads_them_as_the_crunch_does(tmp_path: Path) -> None:
    data = _shop(tmp_path / "shop")
    with Sandbox(find_tables(data), timeout=5.0, max_rows=10) as box:
        got = box.run("SELECT count(*) AS n, min(note) AS note FROM orders")
        assert got.error is None and got.rows == [[1000, "Zürich"]]
        got = box.run("SELECT count(*) FROM events WHERE props.page = 'p1'")
        assert got.error is None and got.rows == [[100]]
