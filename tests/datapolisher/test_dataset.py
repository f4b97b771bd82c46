from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from datapolisher.dataset import find_tables, fingerprint, staged_directory
from datapolisher.errors import InputError, OutputExistsError


def test_tables_files_and_parts(tmp_path: Path) -> None:
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "order.parquet")
    (tmp_path / "events").mkdir()
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "events" / "part-0.parquet")
    pl.DataFrame({"a": [2]}).write_parquet(tmp_path / "events" / "part-1.parquet")
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "_hidden.parquet")
    tables = find_tables(tmp_path)
    assert [t.name for t in tables] == ["events", "order"]
    assert tables[0].relative_source(tmp_path) == "events/**/*.parquet"
    assert len(tables[0].files) == 2


def test_a_directory_of_text_tables_says_how_to_polish_it(tmp_path: Path) -> None:
    (tmp_path / "orders.tsv.gz").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match=r"no parquet files in .*'orders\.tsv\.gz' is text.*convert it to parquet"):
        find_tables(tmp_path)
    # beside parquet tables: the crunch report covered the text table too (its fingerprint did), so polishing only
    # the parquet ones was refused as "changed since the report was made", which it had not
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "trips.parquet")
    with pytest.raises(InputError, match=r"text tables beside the parquet ones in .*'orders\.tsv\.gz' is text"):
        find_tables(tmp_path)
    (tmp_path / "trips.parquet").unlink()
    (tmp_path / "orders.tsv.gz").unlink()
    with pytest.raises(InputError, match=r"^no parquet files in [^:]*$"):
        find_tables(tmp_path)


def test_fingerprint_is_datacrunchers_formula(tmp_path: Path) -> None:
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "t.parquet")
    f = tmp_path / "t.parquet"
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    expected = hashlib.sha256(f"t.parquet\0{f.stat().st_size}\0{digest}\n".encode()).hexdigest()
    assert fingerprint(tmp_path) == expected


def test_empty_dir_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no parquet"):
        find_tables(tmp_path)


def test_staged_directory_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), staged_directory(target) as tmp:
        (tmp / "half.parquet").write_bytes(b"x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with staged_directory(target) as tmp:
        (tmp / "a").write_text("ok")
    assert (target / "a").read_text() == "ok"
    with pytest.raises(OutputExistsError), staged_directory(target):
        pass


def test_model_counts_only_the_parts_datacruncher_reads(tmp_path: Path) -> None:
    from datapolisher.model import build_model, distinct_values

    (tmp_path / "events" / "_temporary").mkdir(parents=True)
    pl.DataFrame({"kind": ["a", "b"]}).write_parquet(tmp_path / "events" / "part-0.parquet")
    pl.DataFrame({"kind": ["zz"]}).write_parquet(tmp_path / "events" / "_temporary" / "part-9.parquet")
    model = build_model(tmp_path)
    assert model.tables["events"].rows == 2
    assert distinct_values(tmp_path, model.tables["events"], "kind") == [("a", 1), ("b", 1)]


def test_one_file_tables_in_any_case_and_with_short_suffixes(tmp_path: Path) -> None:
    for name in ("Orders.PARQUET", "users.pq"):
        pl.DataFrame({"id": [1, 2]}).write_parquet(tmp_path / name)
    found = find_tables(tmp_path)
    assert [(t.name, t.relative_source(tmp_path)) for t in found] == [("Orders", "Orders.PARQUET"), ("users", "users.pq")]


def test_a_delta_lake_table_is_refused_with_how_to_export_it(tmp_path: Path) -> None:
    """datapolisher's scripts read every parquet file of a folder, and a Delta table's folder keeps the files of
    past versions: refused, not rewritten with its deleted rows."""
    (tmp_path / "orders" / "_delta_log").mkdir(parents=True)
    pl.DataFrame({"id": [1, 2]}).write_parquet(tmp_path / "orders" / "a.parquet")
    (tmp_path / "orders" / "_delta_log" / f"{0:020d}.json").write_text('{"add": {"path": "a.parquet"}}\n')
    with pytest.raises(InputError, match=r"orders is a Delta Lake table .* export the current version"):
        find_tables(tmp_path)


def test_a_table_is_called_what_the_metadata_calls_it(tmp_path: Path) -> None:
    """``Kunden_Liste-<hash>.parquet`` holds the table ``Kunden Liste`` (datagen's file name for it): the name the
    report and the schema use; unreadable metadata leaves the files' names."""
    from datagen_contracts.metadata import DatasetMetadata, FileInfo, GeneratorInfo, TableInfo, dump_metadata

    pl.DataFrame({"id": [1, 2]}).write_parquet(tmp_path / "Kunden_Liste-c4ffc7c2.parquet")
    meta = DatasetMetadata(dataset_name="x", generator=GeneratorInfo(name="g", version="1"),
                           generated_at="2024-01-01T00:00:00Z", tables=[TableInfo(name="Kunden Liste", files=[
                               FileInfo(path="Kunden_Liste-c4ffc7c2.parquet", rows=2, bytes=1, sha256="0" * 64)])])
    dump_metadata(meta, tmp_path / ".metadata.json")
    found = find_tables(tmp_path)
    assert [(t.name, t.relative_source(tmp_path)) for t in found] == [("Kunden Liste", "Kunden_Liste-c4ffc7c2.parquet")]
    (tmp_path / ".metadata.json").write_text("{not json")
    assert [t.name for t in find_tables(tmp_path)] == ["Kunden_Liste-c4ffc7c2"]
