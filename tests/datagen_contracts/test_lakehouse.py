"""Delta Lake and Iceberg table folders in a dataset: the current files of a Delta log, and clear refusals for what
cannot be read faithfully. The logs are written by hand, action by action, as the Delta protocol lays them out;
tests/datacruncher/test_catalog.py reads tables the deltalake package wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datagen_contracts import layout
from datagen_contracts.layout import LakehouseTableError, delta_files


def _delta(folder: Path, *commits: list[dict], files: tuple[str, ...] = ()) -> Path:
    (folder / "_delta_log").mkdir(parents=True)
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"PAR1")
    for version, actions in enumerate(commits):
        (folder / "_delta_log" / f"{version:020d}.json").write_text("\n".join(json.dumps(a) for a in actions) + "\n")
    return folder


def _add(path: str, **extra: object) -> dict:
    return {"add": {"path": path, "partitionValues": {}, "size": 4, "dataChange": True, **extra}}


def test_only_the_files_the_log_names_current_are_the_table(tmp_path: Path) -> None:
    """Removed files (a delete, an overwrite) stay on disk until a vacuum: they are not read; an escaped path
    (a space, written %20 in the log) is decoded; k=v folders are hive partitions."""
    _delta(tmp_path / "orders",
           [{"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}},
            {"metaData": {"id": "x", "partitionColumns": ["region"], "configuration": {}}},
            _add("region=eu/a.parquet"), _add("region=us/b.parquet")],
           [{"remove": {"path": "region=eu/a.parquet", "dataChange": True}}, _add("region=eu/new%20c.parquet")],
           files=("region=eu/a.parquet", "region=us/b.parquet", "region=eu/new c.parquet", "region=us/stale.parquet"))
    (tmp_path / "users.parquet").write_bytes(b"PAR1")
    found = {t.name: t for t in layout.find_tables(tmp_path)}
    orders = found["orders"]
    assert [f.relative_to(tmp_path / "orders").as_posix() for f in orders.files] == [
        "region=eu/new c.parquet", "region=us/b.parquet"]
    assert orders.hive and orders.log == "delta" and found["users"].log is None
    # a dataset that is itself one Delta table
    (only,) = layout.find_tables(tmp_path / "orders")
    assert only.name == "orders" and len(only.files) == 2


def test_a_table_whose_every_file_was_removed_is_no_table(tmp_path: Path) -> None:
    _delta(tmp_path / "gone", [_add("a.parquet")], [{"remove": {"path": "a.parquet"}}], files=("a.parquet",))
    assert layout.find_tables(tmp_path) == []


@pytest.mark.parametrize(("commits", "files", "message"), [
    ([[_add("a.parquet")], [_add("b.parquet")]], ("a.parquet", "b.parquet"), None),
    ("trimmed", ("a.parquet",), r"lacks version 0 .* does not read checkpoints: export its current version"),
    ([[{"metaData": {"configuration": {"delta.columnMapping.mode": "name"}}}, _add("a.parquet")]], ("a.parquet",),
     r"column mapping \('name'\)"),
    ([[_add("a.parquet", deletionVector={"storageType": "u", "pathOrInlineDv": "ab", "cardinality": 2})]],
     ("a.parquet",), r"deletion vectors remove rows from 1 file\(s\) .*first: a.parquet"),
    ([[_add("../outside.parquet")]], (), r"lists a file outside it \(\.\./outside\.parquet\)"),
    ([[_add("s3://bucket/a.parquet")]], (), r"lists a file outside it"),
    ([[_add("missing.parquet")]], (), r"lists missing\.parquet, which is missing"),
])
def test_what_the_log_cannot_say_faithfully_is_refused_with_the_reason(tmp_path: Path, commits, files,
                                                                       message) -> None:
    folder = tmp_path / "t"
    if commits == "trimmed":  # versions 0 and 1 cleaned up after a checkpoint at 2
        _delta(folder, [], [], [_add("a.parquet")], files=files)
        for v in (0, 1):
            (folder / "_delta_log" / f"{v:020d}.json").unlink()
        (folder / "_delta_log" / f"{2:020d}.checkpoint.parquet").write_bytes(b"PAR1")
    else:
        _delta(folder, *commits, files=files)
    if message is None:
        assert [f.name for f in delta_files(folder)] == ["a.parquet", "b.parquet"]
        return
    with pytest.raises(LakehouseTableError, match=message):
        layout.find_tables(tmp_path)


def test_a_damaged_log_line_names_its_file_and_line(tmp_path: Path) -> None:
    folder = _delta(tmp_path / "t", [_add("a.parquet")], files=("a.parquet",))
    with (folder / "_delta_log" / f"{0:020d}.json").open("a") as fh:
        fh.write("{not json\n")
    with pytest.raises(LakehouseTableError, match=r"00000000000000000000\.json:2 is not JSON"):
        delta_files(folder)


def test_an_iceberg_table_is_refused_rather_than_read_whole(tmp_path: Path) -> None:
    (tmp_path / "events" / "metadata").mkdir(parents=True)
    (tmp_path / "events" / "data").mkdir()
    (tmp_path / "events" / "data" / "00000-0-a.parquet").write_bytes(b"PAR1")
    (tmp_path / "events" / "metadata" / "v2.metadata.json").write_text("{}")
    with pytest.raises(LakehouseTableError, match=r"events is an Apache Iceberg table: .* export its current snapshot"):
        layout.find_tables(tmp_path)
    assert issubclass(LakehouseTableError, layout.DatasetLayoutError)
