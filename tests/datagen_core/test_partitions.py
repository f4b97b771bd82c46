"""Partitioned tables: a table planned above ``--partition-rows`` is a directory of part files, listed part by part
in ``.metadata.json`` (rows, bytes, sha256); the parts do not depend on the worker count; validate reads them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from datagen_core import fact_rows
from datagen_core.cli import main
from datagen_core.engine import generate
from datagen_core.validate import validate

from .test_time_order import _doc


def _gen(tmp_path: Path, doc: dict, **kw) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "s.json").write_text(json.dumps(doc))
    out = tmp_path / "out"
    generate(tmp_path / "s.json", out, seed=5, **kw)
    return out


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fact_rows, "CHUNK_ROWS", 1024)  # many chunks from a small schema


def test_a_large_table_is_a_directory_of_parts_listed_in_the_metadata(tmp_path: Path) -> None:
    out = _gen(tmp_path, _doc(2000, 4), partition_rows=3000)
    assert (out / "account.parquet").is_file()  # 2,000 rows: one file
    parts = sorted((out / "invoice").iterdir())
    assert len(parts) >= 2 and [p.name for p in parts][:2] == ["part-00000.parquet", "part-00001.parquet"]
    meta = json.loads((out / ".metadata.json").read_text())
    inv = next(t for t in meta["tables"] if t["name"] == "invoice")
    assert [f["path"] for f in inv["files"]] == [f"invoice/{p.name}" for p in parts]
    for f in inv["files"]:
        data = (out / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data)
        assert f["rows"] == pq.ParquetFile(out / f["path"]).metadata.num_rows <= 3000
    assert inv["rows"] == sum(f["rows"] for f in inv["files"]) > 6000
    ids = [i for p in parts for i in pq.read_table(p, columns=["invoice_id"])["invoice_id"].to_pylist()]
    assert sorted(ids) == list(range(100, 100 + inv["rows"]))  # the parts together are the whole table
    from datagen_contracts.dsl import loads_schema

    report = validate(loads_schema(json.dumps(_doc(2000, 4))), out)
    assert report.ok, [c.to_dict() for c in report.failed]
    assert {c.id for c in report.checks} >= {"pk_unique:invoice.invoice_id", "fk_containment:line.invoice_id->invoice.invoice_id"}


def test_the_same_parts_with_more_workers_and_one_file_without_partitioning(tmp_path: Path) -> None:
    one = _gen(tmp_path / "a", _doc(1500, 4), partition_rows=2500)
    two = _gen(tmp_path / "b", _doc(1500, 4), partition_rows=2500, workers=2)
    names = sorted(p.relative_to(one).as_posix() for p in one.rglob("*.parquet"))
    assert names == sorted(p.relative_to(two).as_posix() for p in two.rglob("*.parquet"))
    assert any("/" in n for n in names)
    for n in names:
        assert (one / n).read_bytes() == (two / n).read_bytes()
    flat = _gen(tmp_path / "c", _doc(1500, 4), partition_rows=0)
    assert sorted(p.name for p in flat.iterdir()) == [".metadata.json", "account.parquet", "invoice.parquet",
                                                      "line.parquet"]
    joined = [pq.read_table(one / n) for n in names if n.startswith("invoice/")]
    assert sum(t.num_rows for t in joined) == pq.ParquetFile(flat / "invoice.parquet").metadata.num_rows


DEFECTS = [
    {"kind": "orphan_fk", "target": "line.invoice_id", "rate": 0.02},  # a partitioned parent
    {"kind": "temporal_violation", "target": "invoice.issued_at", "rate": 0.02},
    {"kind": "duplicate_rows", "target": "invoice", "rate": 0.01},  # rows appended to the last part
    {"kind": "duplicate_pk", "target": "invoice", "rate": 0.01},
    {"kind": "nulls", "target": "invoice.issued_at", "rate": 0.02},  # the schema changes: every part is rewritten
    {"kind": "whitespace", "target": "invoice.note", "rate": 0.02},
    {"kind": "future_dates", "target": "line.added_at", "rate": 0.01},
    {"kind": "float_ids", "target": "line.invoice_id", "rate": 0.5},
]


def test_defects_on_partitioned_tables_are_those_of_the_same_table_in_one_file(tmp_path: Path) -> None:
    """Rows and row groups are numbered over the whole table, parts in order: each defect picks the same rows and
    writes the same values whether the table is one file or several parts, and records the same ground truth."""
    doc = {**_doc(1500, 4), "defects": DEFECTS}
    parted = _gen(tmp_path / "a", doc, partition_rows=2500)
    flat = _gen(tmp_path / "b", doc, partition_rows=0)
    meta_p, meta_f = (json.loads((d / ".metadata.json").read_text()) for d in (parted, flat))
    assert meta_p["defects"] == meta_f["defects"] and all(d["count"] > 0 for d in meta_f["defects"])
    for table in ("invoice", "line"):
        parts = sorted((parted / table).glob("*.parquet"))
        assert len(parts) >= 2
        joined = pa.concat_tables([pq.read_table(p) for p in parts], promote_options="permissive")
        one = pq.read_table(flat / f"{table}.parquet")
        assert joined.cast(one.schema).equals(one), table
        files = next(t for t in meta_p["tables"] if t["name"] == table)["files"]
        assert [f["rows"] for f in files] == [pq.ParquetFile(p).metadata.num_rows for p in parts]


def test_cli_partition_rows(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps(_doc(1500, 4)))
    res = CliRunner().invoke(main, ["generate", str(tmp_path / "s.json"), "-o", str(tmp_path / "o"),
                                    "--partition-rows", "2500", "-q", "--json"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "invoice" / "part-00000.parquet").is_file()
    res = CliRunner().invoke(main, ["generate", str(tmp_path / "s.json"), "-o", str(tmp_path / "p"),
                                    "--partition-rows", "-1"])
    assert res.exit_code == 2 and "--partition-rows" in res.output


def test_validate_without_metadata_reads_nested_parts_and_hive_folders(tmp_path: Path) -> None:
    """Another tool's layout: a table as a folder of parts at any depth, or hive-style ``k=v/`` folders whose
    names are a column. validate finds them by the layout rule every stage shares."""
    import pyarrow as pa

    from datagen_contracts.dsl import loads_schema

    doc = {"version": "1.0", "metadata": {"name": "t"},
           "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
           "nodes": [{"id": "user", "rows": 6, "pk": "user_id", "columns": [
               {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
               {"name": "country", "type": "string", "generator": {"choice": {"choices": ["DE", "FR"]}}}]}]}
    root = tmp_path / "data"
    for country, ids in (("DE", [1, 2, 3]), ("FR", [4, 5, 6])):
        (root / "user" / f"country={country}").mkdir(parents=True)
        pq.write_table(pa.table({"user_id": pa.array(ids, pa.int64())}),
                       root / "user" / f"country={country}" / "part-0.parquet")
    report = validate(loads_schema(json.dumps(doc)), root)
    assert report.ok, [c.to_dict() for c in report.failed]
    present = {c.id: c for c in report.checks}
    assert present["table_present:user"].status == "pass"
    assert "column_present:user.country" not in {c.id for c in report.failed}  # the folder names are the column
    assert report.checks and any(c.id.endswith("user.country") and c.status == "pass" for c in report.checks)
    (root / "user" / "country=FR" / "part-0.parquet").write_bytes(b"not parquet")
    with pytest.raises(Exception, match="cannot read parquet file"):
        validate(loads_schema(json.dumps(doc)), root)


def test_a_part_without_a_defect_keeps_its_bytes(tmp_path: Path) -> None:
    """Only the parts holding chosen rows (or the appended ones) are rewritten."""
    doc = {**_doc(1500, 4), "defects": [{"kind": "whitespace", "target": "invoice.note", "rate": 0.0003}]}
    clean = _gen(tmp_path / "a", _doc(1500, 4), partition_rows=2500)
    dirty = _gen(tmp_path / "b", doc, partition_rows=2500)
    (record,) = json.loads((dirty / ".metadata.json").read_text())["defects"]
    assert record["count"] >= 1
    same = [p.name for p in sorted((clean / "invoice").glob("*.parquet"))
            if p.read_bytes() == (dirty / "invoice" / p.name).read_bytes()]
    assert 1 <= len(same) < len(list((clean / "invoice").glob("*.parquet")))
