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

from .conftest import write


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


def test_numbers_written_for_people_are_found_and_plain_ones_left_to_their_own_check(tmp_path):
    """A CRM export: amounts with a currency symbol and thousands separators (US and European), shares with a
    percent sign. Plain numbers as text are numbers_as_strings' finding, not this one; codes with leading zeros and
    free text are neither."""
    n = 200
    write(tmp_path / "d", "deals", {
        "deal_id": list(range(n)),
        "amount": [f"${i * 1234.5:,.2f}" for i in range(n)],
        "amount_eu": [f"{i * 1000 + 0.5:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".") for i in range(n)],
        "share": [f"{i % 101}%" for i in range(n)],
        "plain": [str(i * 3) for i in range(n)],
        "zip": [f"0{i:04d}" for i in range(n)],
        "label": [f"deal {i}" for i in range(n)],
    })
    report = crunch(tmp_path / "d", personas="Data Engineer")
    found = {i.column: i for i in report.issues if i.rule_id == "formatted_numbers"}
    assert set(found) == {"amount", "amount_eu", "share"}
    assert "(e.g. $0.00)" in found["amount"].finding and found["amount"].fix.parse == "formatted"
    assert [i.column for i in report.issues if i.rule_id == "numbers_as_strings"] == ["plain"]
