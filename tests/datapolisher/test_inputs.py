from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polisher_builders import shop_issues, write_report, write_shop

from datapolisher.errors import InputError, StaleReportError
from datapolisher.inputs import load_inputs


def test_inputs_come_from_the_report_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text("{}")
    data = write_shop(tmp_path / "output", schema_path="schema.json")
    report = write_report(data, tmp_path / "crunch_report.json", shop_issues(), dataset_path="output/")
    inputs = load_inputs(report)
    assert inputs.data_dir.resolve() == data.resolve()
    assert inputs.dataset_name == "shop"
    assert inputs.schema_path is not None and inputs.schema_path.resolve() == (tmp_path / "schema.json").resolve()
    assert len(inputs.report_sha256) == 64 and not inputs.stale_forced


def test_changed_data_is_refused_unless_forced(shop: Path, shop_report: Path) -> None:
    pl.DataFrame({"x": [1]}).write_parquet(shop / "extra.parquet")
    with pytest.raises(StaleReportError, match="has changed since"):
        load_inputs(shop_report)
    assert load_inputs(shop_report, force=True).stale_forced


def test_report_of_another_major_is_refused(shop: Path, shop_report: Path) -> None:
    doc = json.loads(shop_report.read_text())
    doc["contract"] = "datagen.crunch_report/3"
    shop_report.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="major version 3"):
        load_inputs(shop_report)


def test_missing_report_and_missing_dataset(tmp_path: Path, shop: Path) -> None:
    with pytest.raises(InputError, match="crunch report not found"):
        load_inputs(tmp_path / "crunch_report.json")
    report = write_report(shop, tmp_path / "r.json", [], dataset_path=str(tmp_path / "gone"))
    with pytest.raises(InputError, match="does not exist here"):
        load_inputs(report)
    assert load_inputs(report, data=shop).data_dir == shop
    # a crunch of one file (`datacruncher crunch orders.parquet`): it exists, and the error says how to polish it
    one = tmp_path / "orders.parquet"
    one.write_bytes(b"PAR1")
    report = write_report(shop, tmp_path / "one.json", [], dataset_path=str(one))
    with pytest.raises(InputError, match=r"the crunch of one file, .*orders\.parquet; .*mkdir .*/orders && mv"):
        load_inputs(report)
    (tmp_path / "orders.csv").write_text("a\n1\n")  # text: written as parquet first
    report = write_report(shop, tmp_path / "csv.json", [], dataset_path=str(tmp_path / "orders.csv"))
    with pytest.raises(InputError, match=r"write it as parquet in a directory of its own .*COPY \(FROM '.*orders\.csv'\)"):
        load_inputs(report)


def test_explicit_schema_must_exist(shop: Path, shop_report: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--schema"):
        load_inputs(shop_report, schema=tmp_path / "nope.json")
